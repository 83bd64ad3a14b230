// A patient's consent versions, found by identifier and issuer (nothing is
// decrypted, and nothing is created for an unknown patient). The read is
// audited with the patient's id only.
import { AuditAction } from '../../core/audit/event.js';
import { consentRecorder, type ConsentRecorder } from '../../core/consent/terms.js';
import { transaction } from '../../storage/transaction.js';
import { patientKey } from '../link-patient.js';
import { consentActor, type ConsentDeps, type ConsentVersion } from './consent-deps.js';

export interface ListConsentsOptions {
  workspaceId: string;
  patient: { identifier: string; issuer: string };
  reader: ConsentRecorder;
}

export interface PatientConsents {
  /** Null when Loupe has no record of the patient in this workspace. */
  patientId: string | null;
  /** Each chain's versions in order, chains in the order they began. */
  versions: ConsentVersion[];
}

export async function listConsents(deps: ConsentDeps, o: ListConsentsOptions): Promise<PatientConsents> {
  const key = patientKey(o.patient);
  const reader = consentRecorder(o.reader);
  const patientId = (await deps.patients.find(o.workspaceId, key.issuer, key.identifier)) ?? null;
  if (!patientId) return { patientId, versions: [] };
  return transaction(deps.db, async (tx) => {
    const versions = await deps.consents.ofPatient(tx, patientId);
    await deps.audit.append(tx, { actor: consentActor(reader), action: AuditAction.ConsentListed, outcome: 'success', workspaceId: o.workspaceId, patientId, details: { versions: versions.length } });
    return { patientId, versions };
  });
}
