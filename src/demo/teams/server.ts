// The stand-in: four loopback hosts in place of Microsoft's (Entra ID and the
// Bot Framework's metadata, the Bot Connector, Graph, SharePoint downloads),
// and Teams' side of the bot's /api/messages. Loupe reaches it through
// configuration alone; tests drive it as users would.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { connectorRoutes } from './connector.js';
import { deliver } from './delivery.js';
import { filesRoutes } from './files.js';
import { graphRoutes } from './graph.js';
import { hostListener, listen, type Route } from './http.js';
import { BOT_FRAMEWORK_ISSUER, TeamsKeys } from './keys.js';
import { graphResources, loginRoutes } from './login.js';
import { SavedChat } from '../saved-chat.js';
import { savableTeamsChat } from './persistence.js';
import { conversationOf, invoke, postFile, postFiles, postText, userOf } from './posts.js';
import { siteDrive, TeamsState, type Origins } from './state.js';
import type { Activity, AuthKind, Delivery, Invoke, Posted, PostFile, PostFiles, PostText, RecordedCall, TeamsDirectory, TeamsMessage, TeamsStandInOptions } from './types.js';

const HOSTS = ['login', 'connector', 'graph', 'files'] as const;

export class TeamsStandIn {
  readonly origins: Origins;
  readonly serviceUrl: string;
  readonly graphUrl: string;
  readonly openIdMetadataUrl: string;
  readonly issuer = BOT_FRAMEWORK_ISSUER;
  readonly calls: RecordedCall[];
  readonly messages: TeamsMessage[];
  private saved: SavedChat<unknown> | undefined;

  private constructor(
    private readonly state: TeamsState,
    private readonly servers: Server[],
  ) {
    this.origins = state.origins;
    this.serviceUrl = state.serviceUrl;
    this.graphUrl = `${state.origins.graph}/v1.0`;
    this.openIdMetadataUrl = `${state.origins.login}/v1/.well-known/openidconfiguration`;
    this.calls = state.calls;
    this.messages = state.messages;
  }

  static async start(o: TeamsStandInOptions): Promise<TeamsStandIn> {
    const keys = await TeamsKeys.create(o.appId, o.tenantId, o.endorsements);
    const hosts = await Promise.all(HOSTS.map(() => listen()));
    const origin = (i: number): string => hosts[i]?.origin ?? '';
    const state = new TeamsState(o, keys, { login: origin(0), connector: origin(1), graph: origin(2), files: origin(3) });
    const specs: Record<(typeof HOSTS)[number], { routes: Route[]; requires?: AuthKind }> = {
      login: { routes: loginRoutes(state) },
      connector: { routes: connectorRoutes(state), requires: 'bot_connector' },
      graph: { routes: graphRoutes(state), requires: 'graph' },
      files: { routes: filesRoutes(state) },
    };
    const classify = (authorization: string | undefined): Promise<AuthKind> => keys.classify(authorization, graphResources(state));
    HOSTS.forEach((host, i) => hosts[i]?.server.on('request', hostListener({ host, ...specs[host], calls: state.calls, classify })));
    return new TeamsStandIn(state, hosts.map((h) => h.server));
  }

  directory(): TeamsDirectory {
    return this.state.dir;
  }

  /** Where to deliver activities: Loupe's `${publicUrl}/api/messages`. */
  deliverTo(url: string): void {
    this.state.deliverTo = url;
  }

  postFile(p: PostFile, o?: { deliver?: boolean }): Promise<Posted> {
    return postFile(this.state, p, o);
  }

  /** Several files in one message (one activity with a file attachment each). */
  postFiles(p: PostFiles, o?: { deliver?: boolean }): Promise<Posted> {
    return postFiles(this.state, p, o);
  }

  postText(p: PostText, o?: { deliver?: boolean }): Promise<Posted> {
    return postText(this.state, p, o);
  }

  invoke(p: Invoke): Promise<Delivery> {
    return invoke(this.state, p);
  }

  deliver(activity: Activity, o?: { token?: string }): Promise<Delivery> {
    return deliver(this.state, activity, o);
  }

  inboundToken(serviceUrl: string, o?: { claims?: Record<string, unknown>; unknownKey?: boolean; algNone?: boolean }): Promise<string> {
    return this.state.keys.inboundToken(serviceUrl, o);
  }

  /**
   * Loupe's ordinary Teams settings for this stand-in, as an operator would
   * give them for a sovereign cloud: only the endpoints point here.
   */
  loupeEnv(): NodeJS.ProcessEnv {
    return {
      LOUPE_TEAMS_APP_ID: this.state.o.appId,
      LOUPE_TEAMS_TENANT_ID: this.state.o.tenantId,
      LOUPE_TEAMS_CLIENT_SECRET: this.state.o.clientSecret,
      LOUPE_TEAMS_LOGIN_URL: this.origins.login,
      LOUPE_TEAMS_OPENID_METADATA_URL: this.openIdMetadataUrl,
      LOUPE_TEAMS_GRAPH_URL: this.graphUrl,
      LOUPE_TEAMS_SERVICE_URL_HOSTS: new URL(this.serviceUrl).host,
      LOUPE_TEAMS_FILE_HOSTS: new URL(this.origins.files).host,
    };
  }

  /** A file in another SharePoint site of the tenant (not in any conversation): its address, for tests of a message naming it. */
  addSiteFile(site: string, name: string, bytes: Buffer): string {
    const id = randomUUID();
    const driveId = siteDrive(site);
    const webUrl = `${this.origins.files}/sites/${encodeURIComponent(site)}/Shared%20Documents/${encodeURIComponent(name)}`;
    this.state.files.set(id, { id, name, bytes, contentType: 'application/octet-stream', webUrl, driveId, folderPath: `/drives/${driveId}/root:` });
    this.state.changes.mark();
    return webUrl;
  }

  /** The user deletes their own message (Graph then shows deletedDateTime). */
  deleteByUser(conversationId: string, messageId: string): void {
    const m = this.state.message(conversationOf(this.state, conversationId), messageId);
    if (!m || m.byBot) throw new LoupeError(ErrorCode.InvalidInput, 'the Teams stand-in knows no such user message');
    m.deletedDateTime = new Date().toISOString();
    this.state.changes.mark();
  }

  /** What a personal chat (1:1 with the bot) of this user holds. */
  personalMessages(userAadObjectId: string): TeamsMessage[] {
    const chat = this.state.personalChat(userOf(this.state, userAadObjectId), false);
    return chat === undefined ? [] : this.messages.filter((m) => m.conversationId === chat);
  }

  /** Keeps the chat (messages, cards, files) in `dir` across restarts: loads what is there, then saves as it changes. */
  async persistIn(dir: string): Promise<void> {
    const saved = new SavedChat(savableTeamsChat(this.state), dir);
    await saved.start();
    this.saved = saved;
  }

  async close(): Promise<void> {
    await this.saved?.stop();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }
}
