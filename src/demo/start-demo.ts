// Demo mode: with no Slack credentials, `loupe serve` starts the local Slack
// stand-in and points the real Slack adapter at it through the ordinary
// configuration (SLACK_API_URL and generated secrets), so the demo exercises
// the same code as production. It says so loudly: it is not for patient data.
import { randomBytes } from 'node:crypto';
import { DEFAULT_TEAM_ID } from '../chat/slack/stand-in/defaults.js';
import { SlackStandIn } from '../chat/slack/stand-in/index.js';
import type { Config } from '../config.js';
import type { Logger } from '../logging.js';

export interface Demo {
  slack: SlackStandIn;
  /** Slack's demo channels where interception starts on. */
  interceptedChannels: string[];
  adminUserId: string;
  teamId: string;
}

export async function startDemo(config: Config, logger: Logger): Promise<{ config: Config; demo: Demo }> {
  const signingSecret = randomBytes(24).toString('hex');
  const botToken = `xoxb-demo-${randomBytes(12).toString('hex')}`;
  const adminUserToken = `xoxp-demo-${randomBytes(12).toString('hex')}`;
  const slack = await SlackStandIn.start({ signingSecret, botToken, adminUserToken });
  const apiUrl = new URL(slack.apiUrl);
  logger.warn(
    { demo: `${config.publicUrl.origin}/demo`, slackStandIn: slack.origin },
    'DEMO MODE: no Slack credentials are configured, so a local Slack stand-in with invented users is running. Try it at /demo. Never use demo mode with real patient data.',
  );
  const admin = slack.directory().users.find((u) => u.isAdmin && !u.external);
  return {
    config: {
      ...config,
      slack: {
        signingSecret,
        botToken,
        adminUserToken,
        apiUrl,
        fileHosts: [apiUrl.host],
        socketMode: undefined,
        adminUsers: [],
      },
    },
    demo: { slack, interceptedChannels: slack.directory().channels.filter((c) => c.name !== 'partner-referrals').map((c) => c.id), adminUserId: admin?.id ?? '', teamId: DEFAULT_TEAM_ID },
  };
}
