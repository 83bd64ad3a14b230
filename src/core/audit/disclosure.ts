// The accounting of disclosures: which audit events are an access to a
// patient's images (or to the list of them), and how each reads in the
// report: who in what role, what, for which purpose, allowed or refused.
// Pure: the facts Loupe knows of actors and assets are passed in. Free text
// (a break-glass reason, a refusal's wording) is never carried over.
import { AuditAction, type AuditRecord } from './event.js';

/** The actions an accounting lists. Exports join this list as they are built. */
export const DISCLOSURE_ACTIONS: readonly string[] = [
  AuditAction.AssetViewed,
  AuditAction.BreakGlass,
  AuditAction.PatientSearched,
  AuditAction.PatientReportProduced,
  // The patient's own access through their link: listed too, as theirs.
  AuditAction.PatientAccessViewed,
  // A de-identified copy made for teaching, and each opening of it (their details say purpose: education).
  AuditAction.TeachingShareCreated,
  AuditAction.TeachingShareViewed,
];

export type DisclosureRole = 'requester' | 'specialist' | 'member' | 'participant' | 'break-glass' | 'admin' | 'privacy officer' | 'patient' | 'none';
export type DisclosurePurpose = 'care' | 'emergency' | 'education' | 'research' | 'oversight' | 'own access';
export type DisclosureOutcome = 'allowed' | 'refused';

/** How far back a report goes unless told: six years, the longest period records of disclosures are commonly kept. */
export const DEFAULT_REPORT_YEARS = 6;

export function defaultReportSince(now: Date): Date {
  const since = new Date(now);
  since.setUTCFullYear(since.getUTCFullYear() - DEFAULT_REPORT_YEARS);
  return since;
}

export interface DisclosureAsset {
  id: string;
  kind: string | null;
  modality: string | null;
}

export interface DisclosureRow {
  at: Date;
  /** The audit event, for whoever checks the report against the trail. */
  seq: bigint;
  workspaceId: string | null;
  who: { id: string | null; name: string | null; role: DisclosureRole };
  /** Absent when the access was to the patient's list of images, not one asset. */
  what: DisclosureAsset | null;
  purpose: DisclosurePurpose;
  outcome: DisclosureOutcome;
}

/** What Loupe knows of an event's actor and asset, looked up by the caller. */
export interface DisclosureFacts {
  name: string | null;
  /** The actor's place in the consult, when they are (or were) a participant. */
  participantRole: 'requester' | 'specialist' | 'member' | null;
  asset: DisclosureAsset | null;
}

const VIA_ROLE: Record<string, DisclosureRole> = {
  requester: 'requester',
  specialist: 'specialist',
  participant: 'participant',
  channel_member: 'member',
  break_glass: 'break-glass',
};

const PURPOSES: ReadonlySet<string> = new Set<DisclosurePurpose>(['care', 'emergency', 'education', 'research']);

function detailsOf(e: AuditRecord): Record<string, unknown> {
  return typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : {};
}

/** The role an event shows its actor in. */
function roleOf(e: AuditRecord, facts: DisclosureFacts): DisclosureRole {
  // The patient through their own access link (their own report included).
  if (e.actorType === 'patient') return 'patient';
  if (e.action === AuditAction.PatientSearched || e.action === AuditAction.PatientReportProduced) return e.actorType === 'admin' ? 'admin' : 'privacy officer';
  if (e.action === AuditAction.BreakGlass) return 'break-glass';
  if (e.actorType === 'admin') return 'admin';
  // An allowed view names the standing it went by: "allowed via specialist".
  const via = e.outcome === 'success' && e.reason?.startsWith('allowed via ') ? VIA_ROLE[e.reason.slice('allowed via '.length)] : undefined;
  // A participant's grant says no more than that: their place in the consult says which.
  if (via === 'participant') return facts.participantRole ?? via;
  return via ?? facts.participantRole ?? 'none';
}

function purposeOf(e: AuditRecord, role: DisclosureRole): DisclosurePurpose {
  if (role === 'patient') return 'own access';
  if (e.action === AuditAction.PatientSearched || e.action === AuditAction.PatientReportProduced) return 'oversight';
  if (role === 'break-glass') return 'emergency';
  const stated = detailsOf(e).purpose;
  return typeof stated === 'string' && PURPOSES.has(stated) ? (stated as DisclosurePurpose) : 'care';
}

export function disclosureRow(e: AuditRecord, facts: DisclosureFacts): DisclosureRow {
  const role = roleOf(e, facts);
  return {
    at: e.at,
    seq: e.seq,
    workspaceId: e.workspaceId,
    who: { id: e.actorId, name: facts.name, role },
    what: facts.asset,
    purpose: purposeOf(e, role),
    outcome: e.outcome === 'success' ? 'allowed' : 'refused',
  };
}

/** What a report says an asset is: "Photo", "DICOM · CT". */
export function assetKindWords(a: DisclosureAsset): string {
  if (a.kind === 'photo') return 'Photo';
  if (a.kind?.startsWith('dicom')) return a.modality ? `DICOM · ${a.modality}` : 'DICOM';
  return 'Unknown';
}

/** What a report covers, for a document's head: Loupe's patient ids (never an identifier), the period, the counts. */
export interface ReportHead {
  patientIds: string[];
  since: Date;
  until: Date;
  counts: { total: number; allowed: number; refused: number };
}

/** One row as an NDJSON line's object: ids, words and an ISO time only. */
export interface DisclosureJson {
  at: string;
  seq: string;
  workspace: string | null;
  who: { id: string | null; name: string | null; role: DisclosureRole };
  what: { asset: string | null; kind: string | null; modality: string | null };
  purpose: DisclosurePurpose;
  outcome: DisclosureOutcome;
}

export function disclosureJson(r: DisclosureRow): DisclosureJson {
  return {
    at: r.at.toISOString(),
    seq: r.seq.toString(),
    workspace: r.workspaceId,
    who: { id: r.who.id, name: r.who.name, role: r.who.role },
    what: r.what ? { asset: r.what.id, kind: r.what.kind, modality: r.what.modality } : { asset: null, kind: 'list of images', modality: null },
    purpose: r.purpose,
    outcome: r.outcome,
  };
}
