// A whole Loupe instance wired to the local Slack stand-in, as an operator
// would configure it against Slack (only SLACK_API_URL differs).
import { SlackStandIn } from '../../src/demo/slack/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { createLoupe, type Loupe } from '../../src/main.js';
import type { Engine } from '../../src/storage/database.js';
import { createInstanceEnv, type InstanceEnv } from './instance.js';

export const SLACK_TEAM = 'T0LOUPE';
export const SLACK_ADMIN = 'U0ADMIN001';

export { until } from './until.js';

export interface SlackLoupe {
  inst: InstanceEnv;
  loupe: Loupe;
  slack: SlackStandIn;
  workspaceId: string;
  close(): Promise<void>;
}

export async function startSlackLoupe(engine: Engine, o: { giveAdminToken: boolean; env?: NodeJS.ProcessEnv; socketMode?: boolean }): Promise<SlackLoupe> {
  const signingSecret = `stand-in-signing-secret-${engine}-0123456789`;
  const botToken = 'xoxb-loupe-test-bot';
  const adminUserToken = 'xoxp-loupe-test-admin';
  const appToken = 'xapp-loupe-test-app';
  // Slack's 3 s for a Socket Mode acknowledgement is about Slack's patience, not Loupe's behaviour: a loaded test machine may take longer.
  const slack = await SlackStandIn.start({ signingSecret, botToken, adminUserToken, ...(o.socketMode ? { appToken, ackTimeoutMs: 30_000 } : {}) });
  const inst = await createInstanceEnv(engine, {
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: botToken,
    ...(o.giveAdminToken ? { SLACK_ADMIN_USER_TOKEN: adminUserToken } : {}),
    SLACK_API_URL: slack.apiUrl,
    ...(o.socketMode ? { SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: appToken } : {}),
    ...o.env,
  });
  const loupe = await createLoupe(loadConfig(inst.env), createLogger('silent'));
  const { port } = await loupe.listen();
  slack.setEventsUrl(`http://127.0.0.1:${port}/slack/events`);
  const workspace = await loupe.services.storage.workspaces.ensure('slack', SLACK_TEAM, SLACK_TEAM, { type: 'admin', id: SLACK_ADMIN });
  return {
    inst,
    loupe,
    slack,
    workspaceId: workspace.id,
    close: async () => {
      await loupe.stop();
      await slack.close();
      await inst.cleanup();
    },
  };
}
