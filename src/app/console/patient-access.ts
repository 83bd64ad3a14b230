// A privacy officer's side of patients' own access: find the patient by
// identifier and issuer (keyed hash, nothing decrypted; the lookup audited
// like any patient search), list their access links, issue one once they have
// verified the patient's identity, and revoke one. The link's token and code
// are returned once and never stored.
import { AuditAction } from '../../core/audit/event.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { linkState, MAX_LINK_DAYS, type LinkState } from '../../core/patient-access/rules.js';
import { transaction } from '../../storage/transaction.js';
import { patientKey } from '../link-patient.js';
import { hashPatientLinkToken, newPatientCode, newPatientToken, patientCodeHash } from '../patient-access/secrets.js';
import { requireConsoleAction, requireConsoleActionAnywhere, type ConsoleCaller } from './console-caller.js';

const ACTION = 'issue_patient_access';

export interface PatientAccessLookup {
  /** As typed; never logged, stored or put in a URL. */
  identifier: string;
  issuer: string;
}

export interface PatientAccessLinkRow {
  id: string;
  issuedAt: Date;
  issuedBy: string;
  expiresAt: Date;
  uses: number;
  failedCodes: number;
  state: LinkState;
}

export interface PatientAccessFound {
  workspaceId: string;
  patientId: string;
  links: PatientAccessLinkRow[];
}

/** May this person use the page at all (a refusal is audited). */
export function requirePatientAccessIssuer(c: ConsoleCaller): Promise<void> {
  return requireConsoleActionAnywhere(c, ACTION);
}

/** The patient in every workspace this person may issue in, with their links; the lookup is audited. */
export async function findPatientForAccess(c: ConsoleCaller, typed: PatientAccessLookup): Promise<PatientAccessFound[]> {
  await requirePatientAccessIssuer(c);
  const key = patientKey(typed);
  const workspaceIds = c.access.workspacesFor(ACTION, (await c.storage.workspaces.list()).map((w) => w.id));
  const found: PatientAccessFound[] = [];
  for (const workspaceId of workspaceIds) {
    const patientId = await c.storage.patients.find(workspaceId, key.issuer, key.identifier);
    if (patientId) found.push({ workspaceId, patientId, links: await linksOf(c, patientId) });
  }
  const about = found.length ? found.map((f) => ({ workspaceId: f.workspaceId, patientId: f.patientId })) : [{ workspaceId: null, patientId: null }];
  await transaction(c.storage.db, async (tx) => {
    for (const a of about) {
      await c.storage.audit.append(tx, { actor: c.actor, action: AuditAction.PatientSearched, outcome: 'success', ...a, requestId: c.requestId, details: { for: 'patient_access', workspaces: workspaceIds.length, found: found.length } });
    }
  });
  return found;
}

async function linksOf(c: ConsoleCaller, patientId: string): Promise<PatientAccessLinkRow[]> {
  const now = c.clock.now();
  const rows = await c.storage.db.prisma.patientAccessLink.findMany({ where: { patientId }, orderBy: { createdAt: 'desc' } });
  return rows.map((r) => ({ id: r.id, issuedAt: r.createdAt, issuedBy: r.issuedByName || r.issuedBy, expiresAt: r.expiresAt, uses: r.uses, failedCodes: r.failedCodes, state: linkState(r, now) }));
}

export interface IssueInput extends PatientAccessLookup {
  /** The issuer ticked "I have verified this patient's identity". */
  identityVerified: boolean;
  days: number;
  /** Which workspace's patient, when the identifier is known in more than one. */
  workspaceId?: string | undefined;
  issuerName: string;
}

export interface IssuedLink {
  linkId: string;
  patientId: string;
  /** Shown once; only its hash is kept. */
  token: string;
  /** Shown once, to give the patient by another channel; only its keyed hash is kept. */
  code: string;
  expiresAt: Date;
}

export async function issuePatientAccess(c: ConsoleCaller, input: IssueInput): Promise<IssuedLink> {
  await requirePatientAccessIssuer(c);
  if (!input.identityVerified) throw new LoupeError(ErrorCode.InvalidInput, 'the patient’s identity must be verified first');
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > MAX_LINK_DAYS) throw new LoupeError(ErrorCode.InvalidInput, 'the lifetime is out of range');
  const key = patientKey(input);
  const workspaceIds = c.access.workspacesFor(ACTION, (await c.storage.workspaces.list()).map((w) => w.id)).filter((w) => !input.workspaceId || w === input.workspaceId);
  const matches: { workspaceId: string; patientId: string }[] = [];
  for (const workspaceId of workspaceIds) {
    const patientId = await c.storage.patients.find(workspaceId, key.issuer, key.identifier);
    if (patientId) matches.push({ workspaceId, patientId });
  }
  if (matches.length === 0) throw new LoupeError(ErrorCode.NotFound, 'no such patient');
  // One link opens one patient record: where the identifier is known in several workspaces, the issuer says which.
  if (matches.length > 1) throw new LoupeError(ErrorCode.InvalidInput, 'the patient is known in several workspaces: choose one');
  const { workspaceId, patientId } = matches[0]!;
  const now = c.clock.now();
  const expiresAt = new Date(now.getTime() + input.days * 86_400_000);
  const token = newPatientToken();
  const code = newPatientCode();
  const linkId = await transaction(c.storage.db, async (tx) => {
    const secret = await c.storage.workspaces.secret(workspaceId, tx);
    const id = crypto.randomUUID();
    await tx.patientAccessLink.create({
      data: { id, workspaceId, patientId, tokenHash: hashPatientLinkToken(token), codeHash: patientCodeHash(secret, id, code), issuedBy: c.actor.id ?? '', issuedByName: input.issuerName, createdAt: now, expiresAt },
    });
    await c.storage.audit.append(tx, {
      actor: c.actor,
      action: AuditAction.PatientAccessIssued,
      outcome: 'success',
      workspaceId,
      patientId,
      requestId: c.requestId,
      details: { linkId: id, expiresAt: expiresAt.toISOString(), days: input.days, identityVerified: true },
    });
    return id;
  });
  return { linkId, patientId, token, code, expiresAt };
}

/** Revokes a link at once: its session's next request is refused. Revoking a revoked link changes nothing. */
export async function revokePatientAccess(c: ConsoleCaller, linkId: string): Promise<void> {
  await requirePatientAccessIssuer(c);
  if (!/^[0-9a-f-]{36}$/.test(linkId)) throw new LoupeError(ErrorCode.NotFound, 'no such link');
  const link = await c.storage.db.prisma.patientAccessLink.findUnique({ where: { id: linkId } });
  if (!link) throw new LoupeError(ErrorCode.NotFound, 'no such link');
  await requireConsoleAction(c, ACTION, { workspaceId: link.workspaceId });
  await transaction(c.storage.db, async (tx) => {
    const changed = await tx.patientAccessLink.updateMany({ where: { id: linkId, revokedAt: null }, data: { revokedAt: c.clock.now(), revokedBy: c.actor.id } });
    if (changed.count === 0) return;
    await c.storage.audit.append(tx, { actor: c.actor, action: AuditAction.PatientAccessRevoked, outcome: 'success', workspaceId: link.workspaceId, patientId: link.patientId, requestId: c.requestId, details: { linkId } });
  });
}
