// Everything the stand-in knows: the directory, the messages of every
// conversation, uploaded files and pasted images, and the calls it saw.
// Conversation ids are parsed here, in the three shapes Teams uses.
import { randomBytes } from 'node:crypto';
import { ChatChanges } from '../saved-chat.js';
import { teamsDemoDirectory } from './directory.js';
import type { TeamsKeys } from './keys.js';
import type { RecordedCall, TeamsChannel, TeamsDirectory, TeamsGroupChat, TeamsMessage, TeamsStandInOptions, TeamsTeam, TeamsUser } from './types.js';

export interface Origins {
  login: string;
  connector: string;
  graph: string;
  files: string;
}

export type Conversation =
  | { type: 'channel'; team: TeamsTeam; channel: TeamsChannel; rootId?: string }
  | { type: 'groupChat'; chat: TeamsGroupChat }
  | { type: 'personal'; id: string; user: TeamsUser };

export interface StoredFile {
  id: string;
  name: string;
  bytes: Buffer;
  contentType: string;
  /** Where Teams says the file lives (SharePoint or OneDrive); Graph /shares resolves it. */
  webUrl: string;
  /** Graph's drive (a team's document library, a user's OneDrive, another site's library) and the folder in it. */
  driveId: string;
  folderPath: string;
}

/** Graph's drive ids are opaque; these say whose drive it is, for the stand-in's own bookkeeping. */
export const teamDrive = (aadGroupId: string) => `b!team-${aadGroupId}`;
export const userDrive = (aadObjectId: string) => `b!user-${aadObjectId}`;
export const siteDrive = (site: string) => `b!site-${site}`;

/** A pasted image: Graph hosted content, or a Bot Connector attachment in personal chats. */
export interface Hosted {
  bytes: Buffer;
  contentType: string;
  messageId: string;
  conversation: string;
}

// Pre-authenticated download links are short-lived, as SharePoint's are.
const TEMPAUTH_MS = 60 * 60 * 1000;

export class TeamsState {
  readonly calls: RecordedCall[] = [];
  readonly messages: TeamsMessage[] = [];
  readonly files = new Map<string, StoredFile>();
  readonly hosted = new Map<string, Hosted>();
  readonly dlp: boolean;
  readonly dir: TeamsDirectory;
  /** Counted for the demo's saved chat (../saved-chat.ts). */
  readonly changes = new ChatChanges();
  deliverTo: string | undefined;
  private readonly tempauths = new Map<string, { fileId: string; expiresAt: number }>();
  /** Each user's personal chat with the bot, by aadObjectId. */
  readonly personalChats = new Map<string, string>();
  private lastId = 1_764_500_000_000;

  constructor(
    readonly o: TeamsStandInOptions,
    readonly keys: TeamsKeys,
    readonly origins: Origins,
  ) {
    this.dlp = o.dlp ?? true;
    this.dir = o.directory ?? teamsDemoDirectory();
  }

  get serviceUrl(): string {
    return `${this.origins.connector}/teams/`;
  }

  get botId(): string {
    return `28:${this.o.appId}`;
  }

  /** Numeric ids like Teams' message ids, increasing even within one millisecond. */
  nextId(): string {
    this.lastId = Math.max(this.lastId + 1, Date.now());
    return String(this.lastId);
  }

  /** Continues after a saved message's id, so a restarted stand-in's ids still follow it. */
  resumeIds(id: string): void {
    const n = Number(id);
    if (Number.isSafeInteger(n)) this.lastId = Math.max(this.lastId, n);
  }

  /** By aadObjectId, '29:' id or email. */
  user(key: string): TeamsUser | undefined {
    const k = key.toLowerCase();
    return this.dir.users.find((u) => u.aadObjectId.toLowerCase() === k || u.id.toLowerCase() === k || u.email.toLowerCase() === k);
  }

  /** The user's 1:1 chat with the bot: one per user, made on first use. */
  personalChat(user: TeamsUser): string;
  personalChat(user: TeamsUser, create: false): string | undefined;
  personalChat(user: TeamsUser, create = true): string | undefined {
    let id = this.personalChats.get(user.aadObjectId);
    if (!id && create) {
      id = `a:1${randomBytes(24).toString('base64url')}`;
      this.personalChats.set(user.aadObjectId, id);
      this.changes.mark();
    }
    return id;
  }

  conversation(id: string): Conversation | undefined {
    const [base = '', root] = id.split(';messageid=');
    for (const team of this.dir.teams) {
      // The team's id is its General channel's, which TeamsInfo uses for team rosters.
      const channel = team.channels.find((c) => c.id === base) ?? (team.id === base ? { id: team.id, name: 'General' } : undefined);
      if (channel) return { type: 'channel', team, channel, ...(root ? { rootId: root } : {}) };
    }
    const chat = this.dir.groupChats.find((c) => c.id === base);
    if (chat) return { type: 'groupChat', chat };
    for (const [aad, chatId] of this.personalChats) {
      const user = this.user(aad);
      if (chatId === base && user) return { type: 'personal', id: chatId, user };
    }
    return undefined;
  }

  members(c: Conversation): TeamsUser[] {
    const ids = c.type === 'channel' ? c.team.members : c.type === 'groupChat' ? c.chat.members : [c.user.aadObjectId];
    return ids.flatMap((id) => this.user(id) ?? []);
  }

  /** A message of the conversation (channel: of the channel, any thread), deleted or not. */
  message(c: Conversation, id: string): TeamsMessage | undefined {
    const base = baseId(c);
    return this.messages.find((m) => m.id === id && m.conversationId.split(';messageid=')[0] === base);
  }

  issueTempauth(fileId: string): string {
    const token = randomBytes(24).toString('base64url');
    this.tempauths.set(token, { fileId, expiresAt: Date.now() + TEMPAUTH_MS });
    return token;
  }

  downloadUrl(fileId: string): string {
    return `${this.origins.files}/download/${fileId}?tempauth=${this.issueTempauth(fileId)}`;
  }

  tempauthValid(fileId: string, token: string | null): boolean {
    const t = token ? this.tempauths.get(token) : undefined;
    return t !== undefined && t.fileId === fileId && t.expiresAt > Date.now();
  }
}

export function baseId(c: Conversation): string {
  return c.type === 'channel' ? c.channel.id : c.type === 'groupChat' ? c.chat.id : c.id;
}

