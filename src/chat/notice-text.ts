// Loupe's notices (src/app/notices.ts) in words, the same on every platform:
// each adapter gives how it names a person and the platform, and renders the
// text and its one answer button in its own markup. Never the file's name or
// anything read from it.
import type { Notice } from '../app/notices.js';
import { RULE_TITLES } from '../core/alerts/rules.js';
import { ErrorCode } from '../core/errors.js';
import type { AcceptedKind } from '../core/policy/channel-policy.js';

/** The answer a notice carries: a button whose click comes back with `value`. */
export interface NoticeAnswer {
  kind: 'removal_done' | 'link_patient';
  label: string;
  value: string;
  primary: boolean;
}

export interface NoticeText {
  /** Plain sentences; `*bold*` is not used, so any markup can carry them. */
  text: string;
  answer?: NoticeAnswer;
}

export interface NoticeWords {
  /** The platform's name: "Slack", "Teams". */
  platform: string;
  /** How a person is named in a message (a mention). */
  mention(userId: string): string;
  /** How a user deletes their own upload there. */
  howToDelete: string;
  /** The place the notice is about, as its reader sees it: said in the channel itself (Slack), or in a private chat apart from it (Teams). */
  here: string;
  there: string;
}

function reasonOf(code: ErrorCode, platform: string): string {
  const reasons: Partial<Record<ErrorCode, string>> = {
    [ErrorCode.ImageCorrupt]: 'the file is damaged or incomplete',
    [ErrorCode.ImageTooLarge]: 'the file is larger than Loupe accepts',
    [ErrorCode.ImageTooManyPixels]: 'the image is larger than Loupe accepts',
    [ErrorCode.ImageTooManyFrames]: 'the image has more frames than Loupe accepts',
    [ErrorCode.ImageUnsupported]: 'Loupe cannot read this kind of image yet',
    [ErrorCode.DownloadFailed]: `Loupe could not download it from ${platform}`,
    [ErrorCode.ProcessingFailed]: 'Loupe failed while reading it',
    [ErrorCode.IngestAbandoned]: 'Loupe could not finish securing it',
    [ErrorCode.ArchiveTooLarge]: 'the archive unpacks to more than Loupe accepts (too many files or bytes, or compressed far beyond any real study)',
    [ErrorCode.ArchiveUnsafeName]: 'a file in the archive is named outside the archive, which Loupe refuses',
    [ErrorCode.ArchiveNested]: 'the archive holds another archive; unpack that one and share its DICOM files in a single zip',
    [ErrorCode.ArchiveEncrypted]: 'the archive is password-protected',
    [ErrorCode.ArchiveMixedPatients]: 'the archive holds images of more than one patient; share each patient’s images on their own',
    [ErrorCode.ArchiveSeveralStudies]: 'the archive holds more than one study; share each study as its own zip',
    [ErrorCode.ArchiveNoImages]: 'the archive holds no DICOM images',
  };
  return reasons[code] ?? 'it could not be read';
}

/** `originalKept`: Loupe holds the original encrypted (it may be the only copy of a clinical image) and has told the admins. */
function uploadFailed(code: ErrorCode, originalKept: boolean, words: NoticeWords): string {
  const fate = originalKept
    ? `Loupe keeps the original encrypted, where only your admins can reach it, and it is being removed from ${words.there}; your admins have been told.`
    : code === ErrorCode.IngestAbandoned
      ? `Loupe holds no copy of it, so it stays in ${words.there} for now; your admins have been told.`
      : `Nothing of it was kept, and it is being removed from ${words.there}.`;
  return `Loupe could not secure your upload: ${reasonOf(code, words.platform)}. ${fate} Please send the image again, or share it through your hospital system.`;
}

const KIND_NAMES: Record<AcceptedKind, string> = { photo: 'photos', dicom: 'DICOM files' };
const KIND_NAME: Record<AcceptedKind, string> = { photo: 'photo', dicom: 'DICOM file' };

/** Which kinds the place takes, and where the uploader may go instead; never the file's name. */
function kindNotAccepted(family: AcceptedKind, accepted: readonly AcceptedKind[], words: NoticeWords): string {
  const here = words.here.charAt(0).toUpperCase() + words.here.slice(1);
  const takes = accepted.length === 0 ? 'takes no images through Loupe' : `accepts ${accepted.map((k) => KIND_NAMES[k]).join(' and ')} only`;
  return `${here} ${takes}, so Loupe left your ${KIND_NAME[family]} in ${words.there} as it is and did not secure it. To share it through Loupe, ask an admin, or use a channel that accepts ${KIND_NAMES[family]}.`;
}

export function noticeText(notice: Notice, words: NoticeWords): NoticeText {
  switch (notice.kind) {
    case 'upload_failed':
      return { text: uploadFailed(notice.code, notice.originalKept, words) };
    case 'kind_not_accepted':
      return { text: kindNotAccepted(notice.family, notice.accepted, words) };
    case 'upload_failed_alert':
      return {
        text: notice.originalKept
          ? `Loupe could not process an upload in ${words.here}. It keeps the original encrypted (no card was posted) and has removed it from ${words.there}; its uploader was told.`
          : `Loupe could not secure an upload in ${words.here} and holds no copy of it: it is still in ${words.there}. Please look at it; its uploader was told.`,
      };
    case 'removal_request':
      return {
        text: notice.stillThere
          ? `Your original upload is still in ${words.there}. Please delete it (${words.howToDelete}): Loupe keeps it securely.`
          : `Loupe has stored your upload securely. Please delete the original from ${words.here} now (${words.howToDelete}).`,
        answer: { kind: 'removal_done', label: 'I deleted it', value: notice.assetId, primary: false },
      };
    case 'original_not_removed':
      return { text: `Loupe could not remove an upload from ${words.here}. Please delete it; it is stored securely by Loupe.` };
    case 'patient_prompt':
      return {
        text: 'Which patient is this image of? Until you link it, only you can open it.',
        answer: { kind: 'link_patient', label: 'Link patient', value: notice.cardId, primary: true },
      };
    case 'specialist_invited':
      return { text: `${words.mention(notice.specialistId)} was invited to this consult by ${words.mention(notice.inviterId)}.` };
    case 'break_glass_used':
      return {
        text: `Break-glass: ${words.mention(notice.userId)} opened an image from ${words.here} without an invitation, until ${notice.until.toISOString().slice(0, 16).replace('T', ' ')} UTC. The reason is in Loupe's records.`,
      };
    case 'breach_alert':
      return {
        text: `Loupe alert: ${RULE_TITLES[notice.rule]} (${notice.count} ${notice.count === 1 ? 'event' : 'events'}). Review and acknowledge it in the Loupe console: ${notice.alertUrl}`,
      };
  }
}
