// The stand-in itself: one HTTP server speaking Slack's wire protocol in both
// directions. Loupe's WebClient calls it (slackApiUrl = apiUrl) and downloads
// files from it; it posts signed events, commands and interactions to Loupe's
// /slack/events. Demo mode and the test suite both run Loupe against it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { deliverSigned, sendRaw, type Delivery, type DeliveryOptions } from './delivery.js';
import { envelope, fileSharedEvent, fileShareMessageEvent, isEnvelope } from './events.js';
import { fileTypes } from './file-types.js';
import { filesRouter } from './files-route.js';
import { interactionBody, slashCommandBody, type SlashCommand } from './interactions.js';
import { responseUrlRouter } from './response-url.js';
import { ChatChanges, SavedChat } from '../saved-chat.js';
import { savableSlackChat } from './persistence.js';
import { SocketModeServer } from './socket-mode.js';
import { StandInState, type StoredFile } from './state.js';
import type { RecordedCall, SlackStandInOptions, StandInFile, StandInMessage, StandInUser } from './types.js';
import { webApiRouter } from './web-api.js';

export interface Upload {
  user: string;
  channel: string;
  name: string;
  bytes: Buffer;
  mimetype?: string;
  text?: string;
  threadTs?: string;
}

export interface FilesUpload {
  user: string;
  channel: string;
  files: { name: string; bytes: Buffer; mimetype?: string }[];
  text?: string;
  threadTs?: string;
}

export interface DeliverOptions {
  retryNum?: number;
  retryReason?: string;
  badSignature?: boolean;
  /** Seconds for X-Slack-Request-Timestamp. */
  timestamp?: number;
  /** Reuse an event id, as Slack does when it retries. */
  eventId?: string;
}

export class SlackStandIn {
  /** Ends in '/', as WebClient's slackApiUrl expects. */
  readonly apiUrl: string;
  readonly origin: string;
  /** Every Web API call, file download and response_url post, in order. */
  readonly calls: RecordedCall[];
  readonly messages: StandInMessage[];
  private saved: SavedChat<unknown> | undefined;

  private constructor(
    private readonly state: StandInState,
    private readonly server: Server,
    private readonly changes: ChatChanges,
  ) {
    this.origin = state.origin;
    this.apiUrl = `${state.origin}/api/`;
    this.calls = state.calls;
    this.messages = state.messages;
  }

  static async start(o: SlackStandInOptions): Promise<SlackStandIn> {
    const state = new StandInState(o);
    const changes = new ChatChanges();
    const app = express();
    app.disable('x-powered-by');
    app.use(webApiRouter(state, changes));
    app.use(responseUrlRouter(state, changes));
    app.use(filesRouter(state));
    // Express would print the stack of a malformed request; the stand-in logs nothing.
    app.use((err: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(err.status ?? 500).json({ ok: false, error: 'invalid_request' });
    });
    const server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    state.origin = originOf(server.address() as AddressInfo);
    if (o.appToken) state.socketMode = new SocketModeServer(state, server, o.ackTimeoutMs);
    return new SlackStandIn(state, server, changes);
  }

  /** The directory: who is in the workspace, the bot user's id, and which channels exist (for the demo page). */
  directory(): { users: StandInUser[]; botUserId: string; channels: { id: string; name: string; members: string[] }[] } {
    return {
      users: [...this.state.users.values()],
      botUserId: this.state.botUserId,
      channels: [...this.state.channels.values()].map((c) => ({ id: c.id, name: c.name, members: [...c.members] })),
    };
  }

  setEventsUrl(url: string): void {
    this.state.eventsUrl = url;
  }

  /** What Loupe said to a user in its direct messages with them. */
  directMessages(userId: string): StandInMessage[] {
    const dm = this.state.directChannelOf(userId);
    return this.messages.filter((m) => m.channel === dm && !m.deleted);
  }

  file(id: string): StandInFile | undefined {
    const f = this.state.files.get(id);
    return f && { id: f.id, name: f.name, deleted: f.deleted, bytes: f.bytes, user: f.user, mimetype: f.mimetype };
  }

  /**
   * A user drops a file into a channel: Slack then sends Loupe two events, in
   * this order here. `deliver: false` is an upload while Loupe was down and
   * Slack gave up retrying: it is only in the channel's history.
   */
  async uploadFile(u: Upload, o: { deliver?: boolean } = {}): Promise<{ fileId: string; ts: string; responses: Delivery[] }> {
    const r = await this.uploadFiles({ ...u, files: [{ name: u.name, bytes: u.bytes, ...(u.mimetype ? { mimetype: u.mimetype } : {}) }] }, o);
    return { fileId: r.fileIds[0]!, ts: r.ts, responses: r.responses };
  }

  /** Several files in one message, as Slack allows: one message event naming them all, then one file_shared for each. */
  async uploadFiles(u: FilesUpload, o: { deliver?: boolean } = {}): Promise<{ fileIds: string[]; ts: string; responses: Delivery[] }> {
    const s = this.state;
    const channel = s.channels.get(u.channel);
    if (!s.users.has(u.user) || !channel) throw new LoupeError(ErrorCode.InvalidInput, 'the Slack stand-in knows no such user or channel');
    if (!channel.members.includes(u.user)) throw new LoupeError(ErrorCode.InvalidInput, 'the uploader is not in the channel');
    if (u.files.length === 0) throw new LoupeError(ErrorCode.InvalidInput, 'an upload needs a file');
    const ts = s.ts.next();
    const files = u.files.map((f): StoredFile => ({
      id: s.ids.next('F'),
      name: f.name,
      title: f.name,
      ...fileTypes(f.name, f.mimetype),
      user: u.user,
      created: Math.floor(s.now() / 1000),
      bytes: Buffer.from(f.bytes),
      shares: [{ channel: channel.id, ts, ...(u.threadTs ? { threadTs: u.threadTs } : {}) }],
      deleted: false,
    }));
    for (const file of files) s.files.set(file.id, file);
    const message: StandInMessage = {
      channel: channel.id,
      ts,
      ...(u.threadTs ? { threadTs: u.threadTs } : {}),
      user: u.user,
      text: u.text ?? '',
      files: files.map((f) => f.id),
      deleted: false,
      edits: 0,
    };
    s.messages.push(message);
    this.changes.mark();
    const fileIds = files.map((f) => f.id);
    if (o.deliver === false) return { fileIds, ts, responses: [] };
    const responses = [await this.deliver(fileShareMessageEvent(s, message))];
    for (const file of files) responses.push(await this.deliver(fileSharedEvent(s, file, message)));
    return { fileIds, ts, responses };
  }

  /** Another integration in the workspace posts a message (no event is delivered): what a card must not be mistaken for. */
  postAsOtherApp(m: { channel: string; threadTs?: string; botId: string; text: string; blocks?: unknown[] }): string {
    const ts = this.state.ts.next();
    this.state.messages.push({ channel: m.channel, ts, ...(m.threadTs ? { threadTs: m.threadTs } : {}), user: 'U0OTHERAPP', botId: m.botId, text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}), files: [], deleted: false, edits: 0 });
    this.changes.mark();
    return ts;
  }

  deliver(eventOrEnvelope: Record<string, unknown>, o: DeliverOptions = {}): Promise<Delivery> {
    const body = isEnvelope(eventOrEnvelope)
      ? { ...eventOrEnvelope, ...(o.eventId ? { event_id: o.eventId } : {}) }
      : envelope(this.state, eventOrEnvelope, o.eventId);
    if (this.state.socketMode) {
      return this.state.socketMode.send('events_api', body, o.retryNum === undefined ? undefined : { num: o.retryNum, reason: o.retryReason ?? 'timeout' });
    }
    const headers: Record<string, string> =
      o.retryNum === undefined ? {} : { 'X-Slack-Retry-Num': String(o.retryNum), 'X-Slack-Retry-Reason': o.retryReason ?? 'http_timeout' };
    return deliverSigned(this.state, JSON.stringify(body), 'application/json', {
      headers,
      ...(o.badSignature ? { badSignature: true } : {}),
      ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}),
    });
  }

  slashCommand(c: SlashCommand, o: Pick<DeliveryOptions, 'timestamp'> = {}): Promise<Delivery> {
    const body = slashCommandBody(this.state, c);
    if (this.state.socketMode) return this.state.socketMode.send('slash_commands', Object.fromEntries(new URLSearchParams(body)));
    return deliverSigned(this.state, body, 'application/x-www-form-urlencoded', o);
  }

  interaction(payload: Record<string, unknown>, o: Pick<DeliveryOptions, 'timestamp'> = {}): Promise<Delivery> {
    const body = interactionBody(this.state, payload);
    if (this.state.socketMode) return this.state.socketMode.send('interactive', JSON.parse(new URLSearchParams(body).get('payload') ?? '{}'));
    return deliverSigned(this.state, body, 'application/x-www-form-urlencoded', o);
  }

  /** Sends a captured request again, same bytes and signature: a replay, as an attacker on the path could. */
  replay(delivery: Delivery): Promise<Delivery> {
    if (!this.state.eventsUrl || !delivery.request) throw new LoupeError(ErrorCode.ConfigInvalid, 'only a request sent over HTTP can be replayed');
    return sendRaw(this.state.eventsUrl, delivery.request);
  }

  /** Whether an app is connected over Socket Mode. */
  get socketConnected(): boolean {
    return this.state.socketMode?.connected ?? false;
  }

  /** Keeps the chat (messages, files) in `dir` across restarts: loads what is there, then saves as it changes. */
  async persistIn(dir: string): Promise<void> {
    const saved = new SavedChat(savableSlackChat(this.state, this.changes), dir);
    await saved.start();
    this.saved = saved;
  }

  async close(): Promise<void> {
    await this.saved?.stop();
    this.state.socketMode?.close();
    return new Promise<void>((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      // WebClient keeps connections alive; without this close() waits for them to time out.
      this.server.closeAllConnections();
    });
  }
}

// Listening on every interface still needs a concrete address in the URLs handed out.
function originOf(a: AddressInfo): string {
  const unspecified = a.address === '0.0.0.0' || a.address === '::';
  const host = unspecified ? '127.0.0.1' : a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}
