// Loupe's notices (src/app/notices.ts) as Slack messages: mrkdwn text and,
// where the notice carries an answer, its button. Never the file's name or
// anything read from it.
import type { Notice } from '../../app/notices.js';
import { ErrorCode } from '../../core/errors.js';

export const RemovalAction = { Done: 'loupe_removal_done' } as const;
export const PatientAction = { Link: 'loupe_link_patient' } as const;

export interface SlackText {
  text: string;
  blocks?: Record<string, unknown>[];
}

const REASONS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.ImageCorrupt]: 'the file is damaged or incomplete',
  [ErrorCode.ImageTooLarge]: 'the file is larger than Loupe accepts',
  [ErrorCode.ImageTooManyPixels]: 'the image is larger than Loupe accepts',
  [ErrorCode.ImageTooManyFrames]: 'the image has more frames than Loupe accepts',
  [ErrorCode.ImageUnsupported]: 'Loupe cannot read this kind of image yet',
  [ErrorCode.DownloadFailed]: 'Loupe could not download it from Slack',
  [ErrorCode.ProcessingFailed]: 'Loupe failed while reading it',
  [ErrorCode.IngestAbandoned]: 'Loupe could not finish securing it',
};

/** `originalKept`: Loupe holds the original encrypted (it may be the only copy of a clinical image) and has told the admins. */
function uploadFailed(code: ErrorCode, originalKept: boolean): SlackText {
  const reason = REASONS[code] ?? 'it could not be read';
  const fate = originalKept
    ? 'Loupe keeps the original encrypted, where only your admins can reach it, and it is being removed from the channel; your admins have been told.'
    : code === ErrorCode.IngestAbandoned
      ? 'Loupe holds no copy of it, so it stays in the channel for now; your admins have been told.'
      : 'Nothing of it was kept, and it is being removed from the channel.';
  return { text: `Loupe could not secure your upload: ${reason}. ${fate} Please send the image again, or share it through your hospital system.` };
}

const withButton = (text: string, button: Record<string, unknown>): SlackText => ({
  text,
  blocks: [
    { type: 'section', text: { type: 'mrkdwn', text } },
    { type: 'actions', elements: [{ type: 'button', ...button }] },
  ],
});

export function slackNotice(notice: Notice): SlackText {
  switch (notice.kind) {
    case 'upload_failed':
      return uploadFailed(notice.code, notice.originalKept);
    case 'upload_failed_alert':
      return {
        text: notice.originalKept
          ? 'Loupe could not process an upload in this channel. It keeps the original encrypted (no card was posted) and has removed it from the channel; its uploader was told.'
          : 'Loupe could not secure an upload in this channel and holds no copy of it: it is still in the channel. Please look at it; its uploader was told.',
      };
    case 'removal_request':
      return withButton(
        notice.stillThere
          ? 'Your original upload is still in the channel. Please delete it (… > Delete file): Loupe keeps it securely.'
          : 'Loupe has stored your upload securely. Please delete the original from this channel now (… > Delete file).',
        { action_id: RemovalAction.Done, text: { type: 'plain_text', text: 'I deleted it' }, value: notice.assetId },
      );
    case 'original_not_removed':
      return { text: 'Loupe could not remove an upload from this channel. Please delete it; it is stored securely by Loupe.' };
    case 'patient_prompt':
      return withButton('Which patient is this image of? Until you link it, only you can open it.', {
        action_id: PatientAction.Link,
        text: { type: 'plain_text', text: 'Link patient' },
        style: 'primary',
        value: notice.cardId,
      });
    case 'specialist_invited':
      return { text: `<@${notice.specialistId}> was invited to this consult by <@${notice.inviterId}>.` };
    case 'break_glass_used':
      return { text: `Break-glass: <@${notice.userId}> opened an image from this channel without an invitation, until ${notice.until.toISOString().slice(0, 16).replace('T', ' ')} UTC. The reason is in Loupe's records.` };
  }
}
