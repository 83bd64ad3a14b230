// A chat platform in memory for use-case tests: a gateway and a directory
// that record what Loupe told whom and what it posted, removed and asked.
// It is held to the same gateway contract as the real adapters
// (test/chat/gateway-contract.test.ts).
import type { ChatDirectory } from '../../src/app/ports/chat-directory.js';
import type { ChatGateway, ChatPlace } from '../../src/app/ports/chat-gateway.js';
import type { Notice } from '../../src/app/notices.js';
import { ErrorCode, LoupeError } from '../../src/core/errors.js';
import type { CardView } from '../../src/intake/card-view.js';

export interface RecordedMessage {
  id: string;
  channelId: string;
  threadId: string | undefined;
  /** What the message says, as the fake renders it: a card's state and link, or a notice. */
  body: string;
  /** Set for a private message: its only reader. */
  to?: string;
  /** A card's last drawing, as the platforms' renderers are given it. */
  card?: CardView;
  deleted: boolean;
}

interface FakeFile {
  bytes: Buffer;
  host: string;
  deleted: boolean;
  /** Its uploader's organisation lets nobody here remove it. */
  foreign: boolean;
}

export interface RecordingChatOptions {
  /** Loupe holds an admin credential that can delete others' files. */
  canRemove?: boolean;
  /** Hosts files may be downloaded from. */
  fileHosts?: string[];
  admins?: string[];
  members?: Record<string, string[]>;
  emails?: Record<string, string>;
}

export const FAKE_FILE_HOST = 'files.chat.example';

const noticeBody = (n: Notice) => JSON.stringify(n);
const cardBody = (card: CardView, viewUrl: string | undefined) => JSON.stringify({ card: card.cardId, state: card.state, ...(card.consentWithdrawn ? { consentWithdrawn: true } : {}), ...(card.preview ? { preview: card.preview.ref, altText: card.preview.image.altText } : {}), ...(viewUrl ? { viewUrl } : {}) });

export class RecordingChat {
  readonly messages: RecordedMessage[] = [];
  readonly files = new Map<string, FakeFile>();
  /** Card previews the bot placed, by ref: its own files, deleted by it. */
  readonly previews = new Map<string, { data: Buffer; deleted: boolean }>();
  /** Every notice given, with who it went to: a user, a thread, or a channel's admins. */
  readonly notices: { to: { user: string } | { thread: string } | { admins: string } | { workspaceAdmins: true }; notice: Notice }[] = [];
  private next = 1;

  constructor(private readonly o: RecordingChatOptions = {}) {}

  /** A user's file lands in the chat. */
  addFile(bytes: Buffer, o: { host?: string; foreign?: boolean } = {}): string {
    const id = `F${this.next++}`;
    this.files.set(id, { bytes, host: o.host ?? FAKE_FILE_HOST, deleted: false, foreign: o.foreign ?? false });
    return id;
  }

  /** A user's message (carrying a file) lands in the chat. */
  addMessage(channelId: string, threadId: string | undefined, body: string): string {
    const id = `M${this.next++}`;
    this.messages.push({ id, channelId, threadId, body, deleted: false });
    return id;
  }

  noticesOf(kind: Notice['kind']): Notice[] {
    return this.notices.filter((n) => n.notice.kind === kind).map((n) => n.notice);
  }

  private post(place: ChatPlace, body: string, to?: string): string {
    const id = `M${this.next++}`;
    this.messages.push({ id, channelId: place.channelId, threadId: place.threadId, body, deleted: false, ...(to ? { to } : {}) });
    return id;
  }

  readonly gateway: ChatGateway = {
    fetchUpload: async ({ sourceRef: ref }, maxBytes) => {
      const file = this.files.get(ref);
      if (!file || file.deleted) return new LoupeError(ErrorCode.DownloadFailed, 'the file is no longer in the chat');
      if (!(this.o.fileHosts ?? [FAKE_FILE_HOST]).includes(file.host)) return new LoupeError(ErrorCode.InvalidInput, 'the file URL is not on the file host: refused');
      if (file.bytes.length > maxBytes) return new LoupeError(ErrorCode.ImageTooLarge, `the file is larger than the limit of ${maxBytes} bytes`);
      return Buffer.from(file.bytes);
    },
    postCard: async (card, viewUrl) => {
      const id = this.post({ channelId: card.channelId, threadId: card.threadId }, cardBody(card, viewUrl));
      this.messages.find((m) => m.id === id)!.card = card;
      return id;
    },
    findPostedCard: async (card) => this.messages.find((m) => !m.deleted && m.channelId === card.channelId && m.threadId === card.threadId && m.body.includes(`"card":"${card.cardId}"`))?.id,
    updateCard: async (messageId, card, viewUrl) => {
      const m = this.messages.find((x) => x.id === messageId);
      if (!m) throw new Error('no such message');
      m.body = cardBody(card, viewUrl);
      m.card = card;
    },
    placePreview: async (image) => {
      const ref = `P${this.previews.size + 1}`;
      this.previews.set(ref, { data: Buffer.from(image.data), deleted: false });
      return ref;
    },
    removePreview: async (ref) => {
      const preview = this.previews.get(ref);
      if (preview) preview.deleted = true;
    },
    tellUser: async (user, place, notice) => {
      this.notices.push({ to: { user }, notice });
      this.post(place, noticeBody(notice), user);
    },
    announce: async (place, notice) => {
      this.notices.push({ to: { thread: place.threadId }, notice });
      this.post(place, noticeBody(notice));
    },
    alertAdmins: async (channelId, notice) => {
      this.notices.push({ to: { admins: channelId }, notice });
      for (const admin of this.o.admins ?? []) if ((this.o.members?.[channelId] ?? []).includes(admin)) this.post({ channelId }, noticeBody(notice), admin);
    },
    alertWorkspaceAdmins: async (notice) => {
      this.notices.push({ to: { workspaceAdmins: true }, notice });
      for (const admin of this.o.admins ?? []) this.post({ channelId: `D-${admin}` }, noticeBody(notice), admin);
    },
    removeOriginal: async ({ sourceRef, messageId }) => {
      if (!this.o.canRemove) return { outcome: 'not_allowed' };
      const file = this.files.get(sourceRef);
      if (file?.foreign && !file.deleted) return { outcome: 'refused', detail: 'the platform refused: foreign file' };
      if (file) file.deleted = true;
      const m = this.messages.find((x) => x.id === messageId);
      if (m) m.deleted = true;
      return { outcome: 'removed', detail: 'deleted with the admin credential' };
    },
    isOriginalGone: async (ref) => this.files.get(ref)?.deleted ?? true,
  };

  readonly directory: ChatDirectory = {
    userByEmail: async (_ws, email) => Object.entries(this.o.emails ?? {}).find(([, e]) => e === email)?.[0],
    isChannelMember: async (_ws, channelId, userId) => (this.o.members?.[channelId] ?? []).includes(userId),
    isAdmin: async (_ws, userId) => (this.o.admins ?? []).includes(userId),
  };
}
