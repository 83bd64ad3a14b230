// What the consent use cases share: their dependencies, the audit actor for
// a recorder, the audit details of a version (ids and codes only), and the
// step that replaces a chain's current version with its successor.
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import type { ConsentChangeReason, ConsentRecorder } from '../../core/consent/terms.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { isLoupeId } from '../../core/ids.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { Consents } from '../../storage/consents.js';
import type { Database } from '../../storage/database.js';
import type { Patients } from '../../storage/patients.js';
import type { Consent, Prisma } from '../../storage/prisma/client.js';
import type { Tx } from '../../storage/transaction.js';
import { isUniqueViolation } from '../../storage/unique.js';
import { queuePatientCardRedraws, type ConsentEffectDeps } from './consent-effects.js';

/** `queue` and `consentChanges` (the storage's) make a change take effect on cards and open viewers at once: see consent-effects.ts. */
export interface ConsentDeps extends ConsentEffectDeps {
  db: Database;
  audit: AuditLog;
  clock: Clock;
  patients: Patients;
  consents: Consents;
}

/** A version as the use cases return it: no identifier, no free text. */
export type ConsentVersion = Consent;

export function consentActor(recorder: ConsentRecorder): AuditActor {
  return { type: recorder.kind === 'operator' ? 'admin' : 'user', id: recorder.id };
}

export function versionDetails(v: Consent): Record<string, unknown> {
  return {
    consentId: v.id,
    chainId: v.chainId,
    version: v.version,
    kind: v.kind,
    decision: v.decision,
    purposes: v.purposes,
    parties: v.parties,
    dataKinds: v.dataKinds,
    recordedVia: v.recordedVia,
    recordedByKind: v.recordedByKind,
    ...(v.evidenceAssetId ? { evidenceAssetId: v.evidenceAssetId } : {}),
  };
}

/** Throws unless the evidence is a stored photo of the same workspace, linked to this patient or to none yet (`patientId` null: a patient Loupe does not know yet). */
export async function checkEvidence(deps: ConsentDeps, tx: Tx, evidenceAssetId: string | null | undefined, workspaceId: string, patientId: string | null): Promise<string | null> {
  if (evidenceAssetId === undefined || evidenceAssetId === null) return null;
  if (!isLoupeId(evidenceAssetId) || !(await deps.consents.isEvidencePhoto(tx, evidenceAssetId, workspaceId, patientId))) {
    throw new LoupeError(ErrorCode.ConsentEvidenceInvalid, 'the evidence must be a stored photo of the same workspace and patient');
  }
  return evidenceAssetId;
}

/** The current version to change or withdraw, in this workspace; throws NotFound or ConsentSuperseded. */
export async function currentVersion(deps: ConsentDeps, tx: Tx, consentId: string, workspaceId: string): Promise<Consent> {
  const found = isLoupeId(consentId) ? await deps.consents.inWorkspace(tx, consentId, workspaceId) : null;
  if (!found) throw new LoupeError(ErrorCode.NotFound, 'no such consent in this workspace');
  if (found.supersededAt !== null || found.kind === 'withdrawal') {
    throw new LoupeError(ErrorCode.ConsentSuperseded, 'that consent version is no longer the current one: read the consent again');
  }
  return found;
}

export interface ConsentChange {
  action: typeof AuditAction.ConsentRevised | typeof AuditAction.ConsentWithdrawn;
  workspaceId: string;
  recorder: ConsentRecorder;
  reason: ConsentChangeReason;
  at: Date;
}

/** Adds the chain's next version, marks the current one superseded, appends the audit event and queues the cards' redraws, all in `tx`. */
export async function replaceVersion(
  deps: ConsentDeps,
  tx: Tx,
  current: Consent,
  next: Omit<Prisma.ConsentUncheckedCreateInput, 'patientId' | 'chainId' | 'version' | 'recordedBy' | 'recordedByKind' | 'recordedAt'>,
  change: ConsentChange,
): Promise<Consent> {
  const superseded = await deps.consents.supersede(tx, current.id, { at: change.at, by: change.recorder.id, byKind: change.recorder.kind, reason: change.reason });
  if (!superseded) throw new LoupeError(ErrorCode.ConsentSuperseded, 'that consent version is no longer the current one: read the consent again');
  const { recorder } = change;
  let added: Consent;
  try {
    added = await deps.consents.add(tx, {
      ...next,
      patientId: current.patientId,
      chainId: current.chainId,
      version: current.version + 1,
      recordedBy: recorder.id,
      recordedByKind: recorder.kind,
      recordedAt: change.at,
    });
  } catch (error) {
    // Another change added this number first.
    if (isUniqueViolation(error)) throw new LoupeError(ErrorCode.ConsentSuperseded, 'that consent version is no longer the current one: read the consent again');
    throw error;
  }
  await deps.audit.append(tx, {
    actor: consentActor(recorder),
    action: change.action,
    outcome: 'success',
    reason: change.reason,
    workspaceId: change.workspaceId,
    patientId: current.patientId,
    details: { ...versionDetails(added), supersedes: current.id },
  });
  await queuePatientCardRedraws(deps, tx, current.patientId, added.id);
  return added;
}
