// Sending an image to the hospital's PACS, from its card. The image joins the
// patient's record there, so it must be an image Loupe has secured and linked
// to a patient, on a card still live, whose patient's consent covers care;
// and whoever asks must have standing on the consult: an admin, or a
// participant with a live grant of the consult's chain (the standing that
// lets a participant pass the image on, as for teaching; break-glass and
// channel-member grants give access for care, not a standing to send it on).
// Once sent, or while being sent, it is not sent again. Deny by default. A
// channel whose policy sends every image (pacsExport "automatic") asks the
// same rule with the policy's standing: every other condition still holds.
import type { CardState } from './types.js';

export type PacsExportRefusal =
  | 'pacs_not_configured'
  | 'asset_shredded'
  | 'card_stale'
  | 'asset_not_stored'
  | 'no_patient'
  | 'consent_refused'
  | 'not_participant'
  | 'no_live_grant'
  | 'already_sent'
  | 'in_progress';

export interface PacsExportFacts {
  configured: boolean;
  card: { state: CardState; expiresAt: Date };
  asset: { status: string; patientId: string | null; kind: string | null };
  /** The requester's standing on the consult (mayShareForTeaching). */
  standing: { allow: true } | { allow: false; reason: 'not_participant' | 'no_live_grant' };
  /** The patient's recorded consent covers care by the care team (as for viewing). */
  consentCoversCare: boolean;
  /** The asset's export so far, if it was ever asked for. */
  current: { status: 'queued' | 'sent' | 'failed' } | null;
}

/** The standing a channel policy that sends every image gives: the admin who set it chose it for the channel, and no person asks. */
export const POLICY_STANDING: PacsExportFacts['standing'] = { allow: true };

export function pacsExportRefusal(f: PacsExportFacts, now: Date): PacsExportRefusal | undefined {
  if (!f.configured) return 'pacs_not_configured';
  if (f.card.state === 'deleted' || f.asset.status === 'shredded') return 'asset_shredded';
  if (f.card.state === 'expired' || f.card.state === 'revoked' || f.asset.status === 'revoked' || f.card.expiresAt.getTime() <= now.getTime()) return 'card_stale';
  if (!f.standing.allow) return f.standing.reason;
  if (f.asset.status !== 'stored' || !f.asset.kind || f.card.state === 'pending') return 'asset_not_stored';
  if (!f.asset.patientId || f.card.state === 'waiting_for_patient') return 'no_patient';
  if (!f.consentCoversCare) return 'consent_refused';
  if (f.current?.status === 'sent') return 'already_sent';
  if (f.current?.status === 'queued') return 'in_progress';
  if (f.card.state !== 'active') return 'card_stale';
  return undefined;
}
