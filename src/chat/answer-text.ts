// The words of Loupe's answers to card buttons and forms, on every platform:
// why linking or inviting did nothing, what the private prompt becomes once
// linked, and what Revoke asks before it acts. Slack's mrkdwn `*bold*` is
// stripped where a platform has none.
import type { InviteRefusal } from '../app/invite-specialist.js';
import { ErrorCode, isLoupeError } from '../core/errors.js';

/** Why a Link patient button or form did nothing, in the words its user sees. */
export const LINK_REFUSED = {
  forbidden: 'Only the sender of this image or an admin can link it.',
  already_linked: 'This image is already linked to a patient: nothing was changed. If it is the wrong patient, use *Correct patient* on its card.',
  card_expired: 'This card has expired: nothing was linked.',
  card_revoked: 'This card was revoked: nothing was linked.',
  asset_shredded: 'This image was deleted under retention: nothing was linked.',
} as const;

/** What the private prompt becomes once the image is linked, so it stops asking. */
export const PROMPT_DONE = 'Linked to a patient. The card in the thread is now active.';

/** Why Invite specialist did nothing, in the words its user sees (plain text). */
export const INVITE_REFUSED: Record<InviteRefusal, string> = {
  hop_limit: 'Invited specialists cannot invite others.',
  not_participant: 'Only a participant of this consult can invite a specialist.',
  no_live_grant: 'Your own access to this consult has ended, so you cannot invite anyone to it.',
  break_glass_cannot_reshare: 'Emergency (break-glass) access cannot be passed on: you cannot invite anyone to this consult.',
  asset_shredded: 'This image was deleted under retention: nobody was invited.',
};

/** Why Correct patient did nothing (mrkdwn; `plain` for forms). */
export const CORRECTION_REFUSED = {
  forbidden: 'Only the sender of this image or an admin can correct its patient.',
  not_linked: 'This image has no patient yet: use *Link patient* instead.',
  asset_gone: 'This image was shredded: there is nothing to correct.',
} as const;

/** The question Revoke asks before it acts (Slack's confirmation dialog, Teams' second step); plain text. */
export const REVOKE_CONFIRM = {
  title: 'Revoke for everyone?',
  text: 'Nobody, you included, will be able to open this image from its card or its links any more.',
  confirm: 'Revoke for everyone',
  deny: 'Cancel',
} as const;

/** Plain text, for forms and platforms without mrkdwn. */
export const plain = (s: string) => s.replace(/\*/g, '');

/** Which of LINK_REFUSED a failed link was ('invalid': the form was incomplete); undefined when it was something else, to throw on. */
export function linkRefusalOf(error: unknown): keyof typeof LINK_REFUSED | 'invalid' | undefined {
  if (isLoupeError(error, ErrorCode.InvalidInput)) return 'invalid';
  if (isLoupeError(error, ErrorCode.Forbidden)) return 'forbidden';
  if (isLoupeError(error, ErrorCode.AlreadyLinked)) return 'already_linked';
  if (isLoupeError(error, ErrorCode.CardExpired)) return 'card_expired';
  if (isLoupeError(error, ErrorCode.CardRevoked)) return 'card_revoked';
  if (isLoupeError(error, ErrorCode.AssetShredded)) return 'asset_shredded';
  return undefined;
}
