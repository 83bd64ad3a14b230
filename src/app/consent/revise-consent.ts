// Changes a consent: a new version with the new terms becomes current and the
// one it replaces becomes inactive, with who, when and why (a reason code).
// Both, and the audit event, commit together; a version that is no longer
// current (changed or withdrawn meanwhile) is refused, never overwritten.
import { AuditAction } from '../../core/audit/event.js';
import { changeReason, consentChannel, consentRecorder, consentTerms, REVISION_REASONS, type ConsentRecorder } from '../../core/consent/terms.js';
import { transaction } from '../../storage/transaction.js';
import { checkEvidence, currentVersion, replaceVersion, type ConsentDeps, type ConsentVersion } from './consent-deps.js';
import { tellConsentChanged } from './consent-effects.js';
import type { ConsentTermsInput } from './record-consent.js';

export interface ReviseConsentOptions {
  workspaceId: string;
  /** The version being changed: the current one of its chain. */
  consentId: string;
  terms: ConsentTermsInput;
  recorder: ConsentRecorder;
  via: unknown;
  /** patient_changed or recorded_in_error. */
  reason: unknown;
  evidenceAssetId?: string | null;
}

export async function reviseConsent(deps: ConsentDeps, o: ReviseConsentOptions): Promise<ConsentVersion> {
  const terms = consentTerms(o.terms);
  const recorder = consentRecorder(o.recorder);
  const via = consentChannel(o.via);
  const reason = changeReason(REVISION_REASONS, o.reason);
  const now = deps.clock.now();
  const version = await transaction(deps.db, async (tx) => {
    const current = await currentVersion(deps, tx, o.consentId, o.workspaceId);
    const evidenceAssetId = await checkEvidence(deps, tx, o.evidenceAssetId, o.workspaceId, current.patientId);
    return replaceVersion(deps, tx, current, { kind: 'decision', ...terms, recordedVia: via, evidenceAssetId }, { action: AuditAction.ConsentRevised, workspaceId: o.workspaceId, recorder, reason, at: now });
  });
  tellConsentChanged(deps, version.patientId);
  return version;
}
