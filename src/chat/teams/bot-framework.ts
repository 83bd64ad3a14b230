// The one module that speaks to the Bot Framework SDK (botbuilder 4.23, out
// of Microsoft's support since 2025-12-31). Everything else in the Teams
// adapter sees plain activity JSON (activity.ts) and the small connector
// below, so moving to the Microsoft 365 Agents SDK touches only this file:
// its CloudAdapter, its request authentication and its ConnectorClient take
// the same settings and speak the same REST paths.
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import { AuthenticationConfiguration, ClaimsIdentity, ServiceClientCredentialsFactory, type AuthenticateRequestResult, type ConnectorClient } from 'botframework-connector';
import type { Request, Response } from 'express';
import type { TeamsConfig } from '../../config.js';
import { ErrorCode, LoupeError, describeError } from '../../core/errors.js';
import type { Logger } from '../../logging.js';
import type { MessageActivity, OutgoingActivity, TeamsActivity, TeamsMember } from './activity.js';
import type { EntraTokens } from './entra-token.js';
import { isServiceUrlAllowed, unverifiedIssuer } from './inbound-checks.js';

export interface TeamsConnector {
  send(conversationId: string, activity: OutgoingActivity): Promise<string>;
  update(conversationId: string, activityId: string, activity: OutgoingActivity): Promise<void>;
  remove(conversationId: string, activityId: string): Promise<void>;
  /** A member by 29: id or Entra object id; undefined when not in the conversation. */
  member(conversationId: string, userId: string): Promise<TeamsMember | undefined>;
  members(conversationId: string): Promise<TeamsMember[]>;
  /** The user's personal chat with Loupe (Teams answers the same one each time). */
  personalChat(userId: string, tenantId: string): Promise<string>;
}

/** What the adapter answers an activity with: an invoke's response body, or nothing. */
export type ActivityHandler = (activity: TeamsActivity) => Promise<unknown>;

export interface BotFramework {
  /** Express handler for /api/messages: authenticates, then hands the activity over. */
  handle(req: Request, res: Response, onActivity: ActivityHandler): Promise<void>;
  connector(serviceUrl: string): TeamsConnector;
}

/** Signs Bot Connector requests with the app token, and only those to an allowed service URL host. */
class ConnectorCredentials extends ServiceClientCredentialsFactory {
  constructor(
    private readonly teams: TeamsConfig,
    private readonly tokens: EntraTokens,
  ) {
    super();
  }
  override async isValidAppId(appId: string) {
    return appId.toLowerCase() === this.teams.appId;
  }
  override async isAuthenticationDisabled() {
    return false;
  }
  override async createCredentials() {
    return {
      signRequest: async <T extends { url: string; headers: { set(name: string, value: string): void } }>(request: T): Promise<T> => {
        if (!isServiceUrlAllowed(request.url, this.teams.serviceUrlHosts)) throw new LoupeError(ErrorCode.InvalidInput, 'a Bot Connector call to a host that is not an allowed service URL host: refused');
        request.headers.set('authorization', `Bearer ${await this.tokens.token(this.teams.botScope)}`);
        return request;
      },
    };
  }
}

/** CloudAdapter with authentication done first, by Loupe, so every refusal is a 401. */
class LoupeCloudAdapter extends CloudAdapter {
  run(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(auth, activity, logic);
  }
}

const statusOf = (error: unknown) => (error as { statusCode?: unknown }).statusCode;

export function createBotFramework(teams: TeamsConfig, tokens: EntraTokens, logger: Logger): BotFramework {
  const credentials = new ConnectorCredentials(teams, tokens);
  const auth = new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: teams.appId,
      MicrosoftAppTenantId: teams.tenantId,
      ToBotFromChannelOpenIdMetadataUrl: teams.openIdMetadataUrl.href,
      ToBotFromChannelTokenIssuer: teams.tokenIssuer,
      ToChannelFromBotOAuthScope: teams.botScope,
      ToChannelFromBotLoginUrl: new URL(teams.tenantId, `${teams.loginUrl.href.replace(/\/$/, '')}/`).href,
      ValidateAuthority: true,
    },
    credentials,
    // Keys must carry Teams' endorsement, whatever channel id an activity claims.
    new AuthenticationConfiguration(['msteams']),
  );
  const adapter = new LoupeCloudAdapter(auth);
  const claims = new ClaimsIdentity([{ type: 'aud', value: teams.appId }], true);
  const clients = new Map<string, Promise<ConnectorClient>>();
  const clientFor = (serviceUrl: string) => {
    if (!isServiceUrlAllowed(serviceUrl, teams.serviceUrlHosts)) throw new LoupeError(ErrorCode.InvalidInput, 'the service URL is not on an allowed host: refused');
    let client = clients.get(serviceUrl);
    if (!client) clients.set(serviceUrl, (client = auth.createConnectorFactory(claims).create(serviceUrl, teams.botScope)));
    return client;
  };
  const refuse = (res: Response, reason: string) => {
    logger.warn({ reason }, 'refused a request to /api/messages');
    res.status(401).json({ error: 'unauthorized' });
  };

  return {
    async handle(req, res, onActivity) {
      const header = req.headers.authorization ?? '';
      const activity = req.body as MessageActivity | undefined;
      // Only Teams' own channel tokens: the SDK would also try emulator and skill tokens, which Loupe never takes.
      if (!/^Bearer \S+$/.test(header) || typeof activity !== 'object' || activity === null) return refuse(res, 'no bearer token or no activity');
      if (activity.channelId !== 'msteams' || typeof activity.serviceUrl !== 'string' || !isServiceUrlAllowed(activity.serviceUrl, teams.serviceUrlHosts)) return refuse(res, 'not a Teams activity from an allowed service URL');
      if (unverifiedIssuer(header) !== teams.tokenIssuer) return refuse(res, 'not a Bot Framework channel token');
      let authenticated: AuthenticateRequestResult;
      try {
        authenticated = await auth.authenticateRequest(activity as unknown as Activity, header);
      } catch (error) {
        // botbuilder passes some JWT library errors through as 500s: every failure here is a refusal.
        return refuse(res, describeError(error).message);
      }
      // Every tenant the activity names must be this one, and it must name one.
      const tenants = [activity.conversation?.tenantId, activity.channelData?.tenant?.id].filter((t): t is string => typeof t === 'string');
      if (!tenants.length || tenants.some((t) => t.toLowerCase() !== teams.tenantId)) {
        logger.warn('refused an activity from another tenant');
        return void res.status(403).json({ error: 'forbidden' });
      }
      const invoke = await adapter.run(authenticated, activity as unknown as Activity, async (context) => {
        const answer = await onActivity(activity as TeamsActivity);
        if (activity.type === 'invoke') await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body: answer ?? {} } });
      });
      if (invoke) return void res.status(invoke.status).json(invoke.body ?? {});
      res.status(200).end();
    },

    connector(serviceUrl) {
      return {
        async send(conversationId, activity) {
          const sent = await (await clientFor(serviceUrl)).conversations.sendToConversation(conversationId, activity as Partial<Activity>);
          return sent.id;
        },
        async update(conversationId, activityId, activity) {
          await (await clientFor(serviceUrl)).conversations.updateActivity(conversationId, activityId, { ...activity, id: activityId } as Partial<Activity>);
        },
        async remove(conversationId, activityId) {
          await (await clientFor(serviceUrl)).conversations.deleteActivity(conversationId, activityId);
        },
        async member(conversationId, userId) {
          try {
            return (await (await clientFor(serviceUrl)).conversations.getConversationMember(conversationId, userId)) as unknown as TeamsMember;
          } catch (error) {
            if (statusOf(error) === 404) return undefined;
            throw error;
          }
        },
        async members(conversationId) {
          return (await (await clientFor(serviceUrl)).conversations.getConversationMembers(conversationId)) as unknown as TeamsMember[];
        },
        async personalChat(userId, tenantId) {
          const created = await (await clientFor(serviceUrl)).conversations.createConversation({
            isGroup: false,
            bot: { id: `28:${teams.appId}`, name: 'Loupe' },
            members: [{ id: userId, name: '' }],
            tenantId,
            channelData: { tenant: { id: tenantId } },
          } as Parameters<ConnectorClient['conversations']['createConversation']>[0]);
          return created.id;
        },
      };
    },
  };
}
