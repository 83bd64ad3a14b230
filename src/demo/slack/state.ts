// Everything the stand-in knows, in memory: the directory, what was posted and
// uploaded, open views, and which short-lived handles (trigger ids, response
// URLs) it has handed out.
import type { SocketModeServer } from './socket-mode.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { APP_ID, BOT_ID, DEFAULT_BOT_USER_ID, DEFAULT_TEAM_ID, DEMO_USERS, demoChannels } from './defaults.js';
import { IdSource, TsSource } from './ids.js';
import type { RecordedCall, SlackStandInOptions, StandInMessage, StandInUser } from './types.js';

export interface StoredFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  user: string;
  /** Seconds, as Slack's `created`. */
  created: number;
  bytes: Buffer;
  /** Where the file was shared: Slack lists these under `shares` and `channels`. */
  shares: { channel: string; ts: string; threadTs?: string }[];
  deleted: boolean;
}

/** A file announced by files.getUploadURLExternal: its bytes arrive at its upload URL, and it exists once completed. */
export interface PendingUpload {
  id: string;
  name: string;
  length: number;
  altText: string | undefined;
  user: string;
  bytes: Buffer | undefined;
}

export interface StoredChannel {
  id: string;
  name: string;
  members: string[];
  created: number;
}

/** Who is calling, as the token says. Slack decides every permission from this. */
export interface Caller {
  kind: 'bot' | 'user';
  userId: string;
}

export interface StoredView {
  id: string;
  externalId: string | undefined;
  hash: string;
  rootViewId: string;
  previousViewId: string | null;
  view: Record<string, unknown>;
}

/** Where a response_url answers to: the user who acted, and the message acted on, if any. */
export interface ResponseTarget {
  channel: string;
  user: string;
  messageTs: string | undefined;
  threadTs: string | undefined;
  expiresAt: number;
  usesLeft: number;
}

// Slack's own limits: a trigger id is good for 3 seconds and one use; a
// response_url for 30 minutes and 5 uses.
export const TRIGGER_TTL_MS = 3_000;
export const RESPONSE_URL_TTL_MS = 30 * 60_000;
export const RESPONSE_URL_USES = 5;

export class StandInState {
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId = BOT_ID;
  readonly appId = APP_ID;
  readonly signingSecret: string;
  readonly appToken: string | undefined;
  readonly now: () => number;
  /** Set once the server listens; every URL handed out is built on it. */
  origin = '';
  eventsUrl: string | undefined;
  /** Set when the stand-in runs with an app token: deliveries go over its WebSocket instead of HTTP. */
  socketMode: SocketModeServer | undefined;

  readonly users = new Map<string, StandInUser>();
  readonly channels = new Map<string, StoredChannel>();
  readonly files = new Map<string, StoredFile>();
  readonly pendingUploads = new Map<string, PendingUpload>();
  readonly messages: StandInMessage[] = [];
  readonly calls: RecordedCall[] = [];
  readonly views = new Map<string, StoredView>();
  readonly triggers = new Map<string, { expiresAt: number; used: boolean }>();
  readonly responseTargets = new Map<string, ResponseTarget>();
  readonly ids = new IdSource();
  readonly ts: TsSource;

  private readonly tokens = new Map<string, Caller>();

  constructor(o: SlackStandInOptions) {
    this.teamId = o.teamId ?? DEFAULT_TEAM_ID;
    this.botUserId = o.botUserId ?? DEFAULT_BOT_USER_ID;
    this.signingSecret = o.signingSecret;
    this.appToken = o.appToken;
    this.now = o.now ?? Date.now;
    this.eventsUrl = o.eventsUrl;
    this.ts = new TsSource(this.now);
    if (!o.signingSecret || !o.botToken) throw new LoupeError(ErrorCode.ConfigInvalid, 'the Slack stand-in needs a signing secret and a bot token');

    for (const u of o.users ?? DEMO_USERS) {
      assertTimeZone(u.tz);
      this.users.set(u.id, u);
    }
    const created = Math.floor(this.now() / 1000);
    const everyone = [...this.users.keys(), this.botUserId];
    for (const c of o.channels ?? demoChannels(this.botUserId)) {
      this.channels.set(c.id, { id: c.id, name: c.name, members: c.members ? [...c.members] : everyone, created });
    }

    this.tokens.set(o.botToken, { kind: 'bot', userId: this.botUserId });
    if (o.adminUserToken) {
      const admin = [...this.users.values()].find((u) => (u.isAdmin || u.isOwner) && !u.external);
      if (!admin) throw new LoupeError(ErrorCode.ConfigInvalid, 'the Slack stand-in has an admin token but no admin user');
      this.tokens.set(o.adminUserToken, { kind: 'user', userId: admin.id });
    }
  }

  callerFor(token: string | undefined): Caller | undefined {
    return token === undefined ? undefined : this.tokens.get(token);
  }

  isExternal(userId: string): boolean {
    return this.users.get(userId)?.external === true;
  }

  /** A Slack Connect channel: someone from another organisation is in it. */
  isShared(channel: StoredChannel): boolean {
    return channel.members.some((m) => this.isExternal(m));
  }

  /** The id of the bot's direct messages with a user of this organisation (Slack opens one on the first message); undefined for anyone else. */
  directChannelOf(userId: string): string | undefined {
    const user = this.users.get(userId);
    return user && !user.external ? `D${userId.replace(/^U/, '')}` : undefined;
  }

  /** A message everyone in the channel sees (ephemeral ones cannot be updated, deleted or linked). */
  findMessage(channel: string, ts: string): StandInMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts && m.ephemeralTo === undefined && !m.deleted);
  }

  issueTrigger(triggerId?: string): string {
    const id = triggerId ?? `${Math.floor(this.now() / 1000)}.${this.teamId}.${this.ids.next('tr').toLowerCase()}`;
    this.triggers.set(id, { expiresAt: this.now() + TRIGGER_TTL_MS, used: false });
    return id;
  }

  issueResponseUrl(target: Omit<ResponseTarget, 'expiresAt' | 'usesLeft'>, kind: 'commands' | 'actions'): string {
    const id = this.ids.next('R');
    this.responseTargets.set(id, { ...target, expiresAt: this.now() + RESPONSE_URL_TTL_MS, usesLeft: RESPONSE_URL_USES });
    return `${this.origin}/hooks/${kind}/${this.teamId}/${id}`;
  }
}

function assertTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new LoupeError(ErrorCode.ConfigInvalid, 'a Slack stand-in user has an unknown time zone');
  }
}
