// The accounting of disclosures for one patient: found by identifier and
// issuer in the workspaces the caller may look in (by keyed hash; nothing is
// decrypted), then every access to their images in a period, read from the
// audit trail in batches and joined with what Loupe knows of the people and
// assets, so a patient with many accesses is never loaded whole. Producing
// the report is recorded before any of it is shown (a report that cannot be
// audited shows nothing): the patient's id, the period and the counts, never
// the identifier.
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import {
  DISCLOSURE_ACTIONS,
  defaultReportSince,
  disclosureJson,
  disclosureRow,
  type DisclosureAsset,
  type DisclosureFacts,
  type DisclosureJson,
  type DisclosureRow,
  type ReportHead,
} from '../core/audit/disclosure.js';
import type { Clock } from '../core/clock.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { AuditLog, PatientEventsQuery } from '../storage/audit-log.js';
import type { Database } from '../storage/database.js';
import type { Patients } from '../storage/patients.js';
import { transaction } from '../storage/transaction.js';
import { patientKey } from './link-patient.js';

export interface PatientReportOptions {
  db: Database;
  audit: Pick<AuditLog, 'append' | 'aboutPatient' | 'countAboutPatient'>;
  patients: Pick<Patients, 'find'>;
  clock: Clock;
  /** Where the patient is looked for: the workspaces the caller may report on. */
  workspaceIds: readonly string[];
  identifier: string;
  issuer: string;
  /** Inclusive; six years before `until` unless given. */
  since?: Date | undefined;
  /** Exclusive; now unless given. */
  until?: Date | undefined;
  actor: AuditActor;
  requestId?: string | undefined;
  /** Where the report is produced, for the audit event: the console or the command line. */
  via: 'console' | 'cli';
}

export interface PatientReport {
  /** Loupe's ids of the patient, one per workspace they were found in; empty when not found. */
  patients: { workspaceId: string; patientId: string }[];
  since: Date;
  until: Date;
  counts: { total: number; allowed: number; refused: number };
  /** The accesses, oldest first, read in batches as they are consumed. */
  rows(): AsyncGenerator<DisclosureRow>;
}

/** Non-identifying facts of an asset: its kind and, for DICOM, the modality. */
function assetFacts(a: { id: string; kind: string | null; metadata: unknown }): DisclosureAsset {
  const modality = (a.metadata as { modality?: unknown } | null)?.modality;
  return { id: a.id, kind: a.kind, modality: typeof modality === 'string' && /^[A-Z0-9]{1,16}$/.test(modality) ? modality : null };
}

export async function producePatientReport(o: PatientReportOptions): Promise<PatientReport> {
  const key = patientKey({ identifier: o.identifier, issuer: o.issuer });
  const patients: PatientReport['patients'] = [];
  for (const workspaceId of o.workspaceIds) {
    const patientId = await o.patients.find(workspaceId, key.issuer, key.identifier);
    if (patientId) patients.push({ workspaceId, patientId });
  }
  return reportOn(o, patients);
}

/** The report for a patient Loupe already knows by id: the patient's own, through their access link. */
export function producePatientReportFor(o: Omit<PatientReportOptions, 'identifier' | 'issuer' | 'patients' | 'workspaceIds' | 'via'> & { patient: { workspaceId: string; patientId: string } }): Promise<PatientReport> {
  return reportOn({ ...o, via: 'patient' }, [o.patient]);
}

type ReportOn = Omit<PatientReportOptions, 'identifier' | 'issuer' | 'patients' | 'workspaceIds' | 'via'> & { workspaceIds?: readonly string[]; via: PatientReportOptions['via'] | 'patient' };

async function reportOn(o: ReportOn, patients: PatientReport['patients']): Promise<PatientReport> {
  const until = o.until ?? o.clock.now();
  const since = o.since ?? defaultReportSince(until);
  if (until <= since) throw new LoupeError(ErrorCode.InvalidInput, 'the end of the period must be later than its start');
  const patientIds = patients.map((p) => p.patientId);
  // Assets that were ever the patient's in the trail are named by their events' patient id; their current assets also by asset id.
  const assets = patientIds.length ? await o.db.prisma.asset.findMany({ where: { patientId: { in: patientIds } }, select: { id: true } }) : [];
  const query: PatientEventsQuery = { patientIds, assetIds: assets.map((a) => a.id), actions: DISCLOSURE_ACTIONS, since, until };
  const counted = patientIds.length ? await o.audit.countAboutPatient(query) : { total: 0, allowed: 0 };
  const counts = { ...counted, refused: counted.total - counted.allowed };

  const details = { via: o.via, since: since.toISOString(), until: until.toISOString(), found: patients.length, accesses: counts.total, allowed: counts.allowed, refused: counts.refused };
  // One event per patient found (each patient's own trail shows the report), or one saying nobody was.
  const about = patients.length ? patients : [{ workspaceId: o.workspaceIds?.length === 1 ? o.workspaceIds[0]! : null, patientId: null }];
  const events = about.map((p) => ({ actor: o.actor, action: AuditAction.PatientReportProduced, outcome: 'success' as const, ...p, requestId: o.requestId ?? null, details }));
  await transaction(o.db, async (tx) => {
    for (const event of events) await o.audit.append(tx, event);
  });

  return {
    patients,
    since,
    until,
    counts,
    rows: () => (patientIds.length ? rowsOf(o, query) : empty()),
  };
}

async function* empty(): AsyncGenerator<DisclosureRow> {}

/** Each event as a row, with the facts looked up once per person, consult and asset. */
async function* rowsOf(o: Pick<PatientReportOptions, 'db' | 'audit'>, query: PatientEventsQuery): AsyncGenerator<DisclosureRow> {
  const names = new Map<string, Promise<string | null>>();
  const roles = new Map<string, Promise<DisclosureFacts['participantRole']>>();
  const assets = new Map<string, Promise<DisclosureAsset | null>>();
  const once = <T>(cache: Map<string, Promise<T>>, k: string, load: () => Promise<T>): Promise<T> => {
    let v = cache.get(k);
    if (!v) cache.set(k, (v = load()));
    return v;
  };
  const { prisma } = o.db;
  for await (const e of o.audit.aboutPatient(query)) {
    const actorId = e.actorId;
    // A patient through their own link is named as such: the link's id says who issued it, not who they are.
    const name = e.actorType === 'patient' ? 'The patient' : actorId ? await once(names, `${e.workspaceId ?? ''}\0${actorId}`, () => nameOf(o.db, e.workspaceId, actorId)) : null;
    const participantRole =
      actorId && e.consultId
        ? await once(roles, `${e.consultId}\0${actorId}`, async () => {
            const p = await prisma.consultParticipant.findFirst({ where: { consultId: e.consultId!, userId: actorId }, orderBy: { addedAt: 'asc' }, select: { role: true } });
            return p?.role ?? null;
          })
        : null;
    const asset = e.assetId
      ? await once(assets, e.assetId, async () => {
          const a = await prisma.asset.findUnique({ where: { id: e.assetId! }, select: { id: true, kind: true, metadata: true } });
          return a ? assetFacts(a) : { id: e.assetId!, kind: null, modality: null };
        })
      : null;
    yield disclosureRow(e, { name, participantRole, asset });
  }
}

/**
 * The display name Loupe last saw for an actor: a chat user's through the
 * sign-ins linked to them in the event's workspace, or a console user's (named
 * by their sign-in subject) from their own sign-ins.
 */
async function nameOf(db: Database, workspaceId: string | null, actorId: string): Promise<string | null> {
  const named = { displayName: { not: '' } };
  const latest = { orderBy: { createdAt: 'desc' as const }, select: { displayName: true } };
  if (workspaceId) {
    const viaLink = await db.prisma.viewerSession.findFirst({ where: { ...named, identityLink: { workspaceId, chatUserId: actorId } }, ...latest });
    if (viaLink) return viaLink.displayName;
  }
  const own = await db.prisma.viewerSession.findFirst({ where: { ...named, oidcSubject: actorId }, ...latest });
  return own?.displayName ?? null;
}

/** What a report covers, for a document's head: Loupe's patient ids, the period, the counts. */
export function reportHead(r: PatientReport): ReportHead {
  return { patientIds: r.patients.map((p) => p.patientId), since: r.since, until: r.until, counts: r.counts };
}

/** The report's rows as NDJSON objects (ids, words and ISO times only). */
export async function* reportJsonRows(r: PatientReport): AsyncGenerator<DisclosureJson> {
  for await (const row of r.rows()) yield disclosureJson(row);
}
