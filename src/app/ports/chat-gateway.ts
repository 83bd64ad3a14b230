// What the use cases ask of a chat platform, whichever it is. Each platform's
// adapter provides one, and the gateway contract suite
// (test/chat/gateway-contract.test.ts) holds every implementation to it.
// Ids are the platform's own (channel, thread, message, user, file); notices
// are rendered by the adapter in its own markup.
import type { LoupeError } from '../../core/errors.js';
import type { CardPreviewImage, CardView } from '../../intake/card-view.js';
import type { Notice } from '../notices.js';

export interface ChatPlace {
  channelId: string;
  /** The thread, when the words belong to one. */
  threadId?: string;
}

/** An upload as the platform named it: its file id, and where its bytes are when the id alone does not say. */
export interface UploadSource {
  sourceRef: string;
  /** The adapter's own locator, given at acceptance (kept sealed meanwhile). */
  locator?: string;
}

/** How taking an original out of the chat went. `detail` is a short, PHI-free note for the asset's record. */
export type RemovalReport =
  | { outcome: 'removed'; detail: string }
  /** Loupe holds no right to remove it here (no admin credential): someone must be asked to. */
  | { outcome: 'not_allowed' }
  /** The platform refused, for good (retrying would not help). */
  | { outcome: 'refused'; detail: string };

export interface ChatGateway {
  /**
   * An upload's bytes, stopping before `maxBytes` is exceeded, from the
   * platform's own file hosts only. A reason they cannot be had (gone, too
   * large, refused) is returned; transient trouble throws, to retry.
   */
  fetchUpload(upload: UploadSource, maxBytes: number): Promise<Buffer | LoupeError>;
  /** Posts the card in its thread; answers its message id. */
  postCard(card: CardView, viewUrl: string): Promise<string>;
  /** The card's message, if an earlier run posted it (only Loupe's own messages count). */
  findPostedCard(card: Pick<CardView, 'cardId' | 'channelId' | 'threadId'>): Promise<string | undefined>;
  /** Redraws a posted card; without `viewUrl` it has no View button. */
  updateCard(messageId: string, card: CardView, viewUrl: string | undefined): Promise<void>;
  /**
   * Puts a card's preview on the platform as Loupe's own, so Loupe can take
   * it away again: on Slack the bot's own file, shared with no channel and
   * shown through the card; on Teams nothing is placed, the image travels
   * inside the card's own message. Answers the ref removePreview takes.
   */
  placePreview(image: CardPreviewImage): Promise<string>;
  /** Deletes a placed preview for good; one already gone counts as deleted. */
  removePreview(ref: string): Promise<void>;
  /** Tells one user privately, in a channel (and thread). */
  tellUser(userId: string, place: ChatPlace, notice: Notice): Promise<void>;
  /** Says something in a thread, for everyone in it. */
  announce(place: Required<ChatPlace>, notice: Notice): Promise<void>;
  /** Tells the admins among a channel's members, privately. Best effort: never throws. */
  alertAdmins(channelId: string, notice: Notice): Promise<void>;
  /** Tells the workspace's admins, privately, of something that belongs to no channel (a sign-in spike, the audit chain). Best effort: never throws. */
  alertWorkspaceAdmins(notice: Notice): Promise<void>;
  /** Takes an original file out of the chat, and its message too when `messageId` is given. Already gone counts as removed. */
  removeOriginal(o: { sourceRef: string; channelId: string; messageId: string | undefined }): Promise<RemovalReport>;
  /** Whether an original file is gone from the chat (deleted, or never there). */
  isOriginalGone(sourceRef: string): Promise<boolean>;
}
