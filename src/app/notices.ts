// What Loupe tells people in the chat, as a small closed catalogue: use cases
// return these, and each chat adapter renders them in its own markup. They
// carry ids and codes only, never patient data or what a file showed.
import type { AlertRule } from '../core/alerts/rules.js';
import type { ErrorCode } from '../core/errors.js';
import type { AcceptedKind } from '../core/policy/channel-policy.js';

export type Notice =
  /** To an uploader: their upload could not be secured. */
  | { kind: 'upload_failed'; code: ErrorCode; originalKept: boolean }
  /** To an uploader: their image is of a kind the channel does not take (`accepted` is what it takes), so Loupe left it where it is. */
  | { kind: 'kind_not_accepted'; family: AcceptedKind; accepted: AcceptedKind[] }
  /** To a channel's admins: an upload failed (kept encrypted, or still in the channel). */
  | { kind: 'upload_failed_alert'; originalKept: boolean }
  /** To an uploader: please delete your original (again, when `stillThere`); carries its "I deleted it" answer. */
  | { kind: 'removal_request'; assetId: string; stillThere: boolean }
  /** To a channel's admins: an original could not be taken out of the channel. */
  | { kind: 'original_not_removed' }
  /** To an uploader: which patient is this image of; carries its Link patient answer. */
  | { kind: 'patient_prompt'; cardId: string }
  /** In a consult's thread: someone was invited. */
  | { kind: 'specialist_invited'; specialistId: string; inviterId: string }
  /** To a channel's admins: someone opened an image by break-glass, until `until`. */
  | { kind: 'break_glass_used'; userId: string; until: Date }
  /** To a channel's admins: a breach monitoring rule raised an alert; its plain words, a count and the console's page of it, nothing more. */
  | { kind: 'breach_alert'; rule: AlertRule; count: number; alertUrl: string };

export type NoticeKind = Notice['kind'];
