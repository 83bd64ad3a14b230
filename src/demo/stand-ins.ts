// The demo's stand-ins: the local Slack and Teams stand-ins and a local
// OpenID Provider with the demo clinicians, and the ordinary configuration (SLACK_API_URL,
// Teams endpoints, OIDC issuer, generated secrets) that points Loupe's real
// Slack and Teams adapters and viewer at them, so the demo exercises the same code as production. It says
// so loudly: it is not for patient data.
import { randomBytes } from 'node:crypto';
import { DEFAULT_TEAM_ID, SlackStandIn } from './slack/index.js';
import type { Config } from '../config.js';
import { ACR_MFA, createIdentityProvider, DEMO_PEOPLE, DEMO_PRIVACY_OFFICERS, type IdentityProvider } from './identity-provider/index.js';
import type { Logger } from '../logging.js';
import type { TeamsStandIn } from './teams/index.js';
import { startTeamsStandIn } from './teams-stand-in.js';

/** Where the demo's sign-in (a local OpenID Provider) is mounted on Loupe's server. */
export const DEMO_IDP_PATH = '/demo/idp';

export interface Demo {
  slack: SlackStandIn;
  teams: TeamsStandIn;
  identityProvider: IdentityProvider;
  /** Slack's demo channels where interception starts on. */
  interceptedChannels: string[];
  adminUserId: string;
  teamId: string;
}

export async function startStandIns(config: Config, logger: Logger): Promise<{ config: Config; demo: Demo }> {
  const signingSecret = randomBytes(24).toString('hex');
  const botToken = `xoxb-demo-${randomBytes(12).toString('hex')}`;
  const adminUserToken = `xoxp-demo-${randomBytes(12).toString('hex')}`;
  const slack = await SlackStandIn.start({ signingSecret, botToken, adminUserToken });
  const teams = await startTeamsStandIn().catch(async (error: unknown) => {
    await slack.close();
    throw error;
  });
  const apiUrl = new URL(slack.apiUrl);
  logger.warn(
    { demo: `${config.publicUrl.origin}/demo`, slackStandIn: slack.origin, teamsStandIn: teams.teams.serviceUrl },
    'DEMO MODE: no chat credentials are configured, so local Slack and Teams stand-ins with invented users are running. Try it at /demo. Never use demo mode with real patient data.',
  );
  const admin = slack.directory().users.find((u) => u.isAdmin && !u.external);
  // The demo hospital's sign-in, with the demo clinicians as its people (password "demo", code 123456).
  const clientId = 'loupe-demo';
  const clientSecret = randomBytes(24).toString('hex');
  const issuer = new URL(DEMO_IDP_PATH, config.publicUrl).href;
  const identityProvider = createIdentityProvider({
    issuer,
    clients: [{ clientId, clientSecret, redirectUris: [new URL('/auth/callback', config.publicUrl).href], postLogoutRedirectUris: [new URL('/auth/signed-out', config.publicUrl).href] }],
    people: DEMO_PEOPLE,
  });
  return {
    config: {
      ...config,
      oidc: config.oidc ?? {
        issuer: new URL(identityProvider.issuer),
        clientId,
        clientSecret,
        redirectUri: new URL('/auth/callback', config.publicUrl),
        postLogoutRedirectUri: new URL('/auth/signed-out', config.publicUrl),
        identityClaim: 'email',
        mfaAcr: ACR_MFA,
        groupsClaim: 'groups',
      },
      // The demo hospital's privacy officers (Noor Haddad) may use the console, unless the deployment names its own group.
      console: { ...config.console, privacyOfficerGroups: config.console.privacyOfficerGroups.length ? config.console.privacyOfficerGroups : [DEMO_PRIVACY_OFFICERS] },
      slack: {
        signingSecret,
        botToken,
        adminUserToken,
        apiUrl,
        fileHosts: [apiUrl.host],
        socketMode: undefined,
        adminUsers: [],
      },
      teams: teams.config,
    },
    demo: { slack, teams: teams.teams, identityProvider, interceptedChannels: slack.directory().channels.filter((c) => c.name !== 'partner-referrals').map((c) => c.id), adminUserId: admin?.id ?? '', teamId: DEFAULT_TEAM_ID },
  };
}

/** Stops both stand-ins (the provider lives in Loupe's server). */
export async function closeStandIns(demo: Demo): Promise<void> {
  await Promise.all([demo.slack.close(), demo.teams.close()]);
}
