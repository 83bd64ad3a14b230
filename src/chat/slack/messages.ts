// What Loupe tells a user privately (ephemeral messages): why an upload could
// not be secured, and the request to delete an original Loupe cannot remove.
// Never the file's name or anything read from it.
import { ErrorCode } from '../../core/errors.js';

export const RemovalAction = { Done: 'loupe_removal_done' } as const;
export const PatientAction = { Link: 'loupe_link_patient' } as const;

/** Why a Link patient button or form did nothing, in the words its user sees. */
export const LINK_REFUSED = {
  forbidden: 'Only the sender of this image or an admin can link it.',
  already_linked: 'This image is already linked to a patient: nothing was changed. If it is the wrong patient, use *Correct patient* on its card.',
  card_expired: 'This card has expired: nothing was linked.',
  card_revoked: 'This card was revoked: nothing was linked.',
} as const;

/** What the private prompt becomes once the image is linked, so it stops asking. */
export const PROMPT_DONE = 'Linked to a patient. The card in the thread is now active.';

interface SlackText {
  text: string;
  blocks?: Record<string, unknown>[];
}

const REASONS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.ImageCorrupt]: 'the file is damaged or incomplete',
  [ErrorCode.ImageTooLarge]: 'the file is larger than Loupe accepts',
  [ErrorCode.ImageTooManyPixels]: 'the image is larger than Loupe accepts',
  [ErrorCode.ImageTooManyFrames]: 'the image has more frames than Loupe accepts',
  [ErrorCode.ImageUnsupported]: 'Loupe cannot read this kind of image yet',
  [ErrorCode.SlackDownloadFailed]: 'Loupe could not download it from Slack',
  [ErrorCode.ProcessingFailed]: 'Loupe failed while reading it',
  [ErrorCode.IngestAbandoned]: 'Loupe could not finish securing it',
};

/** `originalKept`: Loupe holds the original encrypted (it may be the only copy of a clinical image) and has told the admins. */
export function explainFailure(code: ErrorCode, originalKept = false): SlackText {
  const reason = REASONS[code] ?? 'it could not be read';
  const fate = originalKept
    ? 'Loupe keeps the original encrypted, where only your admins can reach it, and it is being removed from the channel; your admins have been told.'
    : code === ErrorCode.IngestAbandoned
      ? 'Loupe holds no copy of it, so it stays in the channel for now; your admins have been told.'
      : 'Nothing of it was kept, and it is being removed from the channel.';
  return { text: `Loupe could not secure your upload: ${reason}. ${fate} Please send the image again, or share it through your hospital system.` };
}

/** What a channel's admins are told, privately, when an upload failed. Never what it showed or whose it was. */
export function failureAlert(originalKept: boolean): string {
  return originalKept
    ? 'Loupe could not process an upload in this channel. It keeps the original encrypted (no card was posted) and has removed it from the channel; its uploader was told.'
    : 'Loupe could not secure an upload in this channel and holds no copy of it: it is still in the channel. Please look at it; its uploader was told.';
}

export function removalRequest(assetId: string, stillThere = false): SlackText {
  const text = stillThere
    ? 'Your original upload is still in the channel. Please delete it (… > Delete file): Loupe keeps it securely.'
    : 'Loupe has stored your upload securely. Please delete the original from this channel now (… > Delete file).';
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'actions', elements: [{ type: 'button', action_id: RemovalAction.Done, text: { type: 'plain_text', text: 'I deleted it' }, value: assetId }] },
    ],
  };
}

export function patientPrompt(cardId: string): SlackText {
  const text = 'Which patient is this image of? Until you link it, only you can open it.';
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'actions', elements: [{ type: 'button', action_id: PatientAction.Link, text: { type: 'plain_text', text: 'Link patient' }, style: 'primary', value: cardId }] },
    ],
  };
}
