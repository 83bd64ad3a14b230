// Withdraws a consent with immediate effect: a withdrawal version, which
// grants and refuses nothing, becomes the chain's current version and the
// one it ends becomes inactive, with who, when and why (a reason code). Both,
// and the audit event, commit together.
import { AuditAction } from '../../core/audit/event.js';
import { changeReason, consentChannel, consentRecorder, WITHDRAWAL_REASONS, type ConsentRecorder } from '../../core/consent/terms.js';
import { transaction } from '../../storage/transaction.js';
import { currentVersion, replaceVersion, type ConsentDeps, type ConsentVersion } from './consent-deps.js';
import { tellConsentChanged } from './consent-effects.js';

export interface WithdrawConsentOptions {
  workspaceId: string;
  /** The current version of the consent to withdraw. */
  consentId: string;
  recorder: ConsentRecorder;
  via: unknown;
  /** patient_withdrew or recorded_in_error. */
  reason: unknown;
}

export async function withdrawConsent(deps: ConsentDeps, o: WithdrawConsentOptions): Promise<ConsentVersion> {
  const recorder = consentRecorder(o.recorder);
  const via = consentChannel(o.via);
  const reason = changeReason(WITHDRAWAL_REASONS, o.reason);
  const now = deps.clock.now();
  const version = await transaction(deps.db, async (tx) => {
    const current = await currentVersion(deps, tx, o.consentId, o.workspaceId);
    return replaceVersion(
      deps,
      tx,
      current,
      { kind: 'withdrawal', decision: null, purposes: [], parties: [], dataKinds: [], validFrom: now, validUntil: null, recordedVia: via },
      { action: AuditAction.ConsentWithdrawn, workspaceId: o.workspaceId, recorder, reason, at: now },
    );
  });
  tellConsentChanged(deps, version.patientId);
  return version;
}
