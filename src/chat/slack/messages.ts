// The words of the Link patient prompt and form, in Slack: why linking did
// nothing, and what the private prompt becomes once linked.

/** Why a Link patient button or form did nothing, in the words its user sees. */
export const LINK_REFUSED = {
  forbidden: 'Only the sender of this image or an admin can link it.',
  already_linked: 'This image is already linked to a patient: nothing was changed. If it is the wrong patient, use *Correct patient* on its card.',
  card_expired: 'This card has expired: nothing was linked.',
  card_revoked: 'This card was revoked: nothing was linked.',
} as const;

/** What the private prompt becomes once the image is linked, so it stops asking. */
export const PROMPT_DONE = 'Linked to a patient. The card in the thread is now active.';
