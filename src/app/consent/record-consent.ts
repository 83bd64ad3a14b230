// Records a patient's consent: the first version of a new chain. The patient
// is found (or, before their first image, created) by identifier and issuer
// through the sealed Patients repository; the identifier is never stored in
// clear or audited. The version and its audit event commit together.
import { AuditAction } from '../../core/audit/event.js';
import { consentChannel, consentRecorder, consentTerms, type ConsentRecorder } from '../../core/consent/terms.js';
import { transaction } from '../../storage/transaction.js';
import { patientKey } from '../link-patient.js';
import { queuePatientCardRedraws, tellConsentChanged } from './consent-effects.js';
import { checkEvidence, consentActor, versionDetails, type ConsentDeps, type ConsentVersion } from './consent-deps.js';

export interface ConsentTermsInput {
  decision: unknown;
  purposes: unknown;
  parties: unknown;
  dataKinds: unknown;
  validFrom: unknown;
  validUntil?: unknown;
}

export interface RecordConsentOptions {
  workspaceId: string;
  patient: { identifier: string; issuer: string };
  terms: ConsentTermsInput;
  recorder: ConsentRecorder;
  via: unknown;
  /** A photo of the signed form, already stored as an asset of the workspace. */
  evidenceAssetId?: string | null;
}

export async function recordConsent(deps: ConsentDeps, o: RecordConsentOptions): Promise<ConsentVersion> {
  // Everything is checked before a patient record could be created.
  const key = patientKey(o.patient);
  const terms = consentTerms(o.terms);
  const recorder = consentRecorder(o.recorder);
  const via = consentChannel(o.via);
  const actor = consentActor(recorder);
  const known = (await deps.patients.find(o.workspaceId, key.issuer, key.identifier)) ?? null;
  const evidence = await transaction(deps.db, (tx) => checkEvidence(deps, tx, o.evidenceAssetId, o.workspaceId, known));
  const patientId = await deps.patients.link(o.workspaceId, key, actor);
  const recorded = await transaction(deps.db, async (tx) => {
    const version = await deps.consents.add(tx, {
      patientId,
      version: 1,
      kind: 'decision',
      ...terms,
      recordedBy: recorder.id,
      recordedByKind: recorder.kind,
      recordedVia: via,
      recordedAt: deps.clock.now(),
      evidenceAssetId: evidence,
    });
    await deps.audit.append(tx, { actor, action: AuditAction.ConsentRecorded, outcome: 'success', workspaceId: o.workspaceId, patientId, details: versionDetails(version) });
    await queuePatientCardRedraws(deps, tx, patientId, version.id);
    return version;
  });
  tellConsentChanged(deps, patientId);
  return recorded;
}
