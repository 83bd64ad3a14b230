// A whole Loupe against the local Slack stand-in, for the benchmarks that
// go through chat: configured as an operator would, listening, with
// interception on in one channel.
import { SlackStandIn } from '../src/demo/slack/index.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/logging.js';
import { createLoupe, type Loupe } from '../src/main.js';

export interface BenchLoupe {
  loupe: Loupe;
  slack: SlackStandIn;
  config: Config;
  port: number;
  workspaceId: string;
  stop(): Promise<void>;
}

export async function startBenchLoupe(env: NodeJS.ProcessEnv, channel: string, policy: { identifierPattern?: string } = {}): Promise<BenchLoupe> {
  const signingSecret = 'bench-signing-secret-0123456789abcdef';
  const slack = await SlackStandIn.start({ signingSecret, botToken: 'xoxb-bench', adminUserToken: 'xoxp-bench' });
  const config = loadConfig({
    // Loupe's defaults (jobs enqueued in the process wake its workers; the poll is for the rest).
    ...env,
    LOG_LEVEL: 'silent',
    PORT: '0',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_ADMIN_USER_TOKEN: 'xoxp-bench',
    SLACK_API_URL: slack.apiUrl,
  });
  const loupe = await createLoupe(config, createLogger('silent'));
  const { port } = await loupe.listen();
  slack.setEventsUrl(`http://127.0.0.1:${port}/slack/events`);
  const workspace = await configureBenchWorkspace(loupe, channel, policy);
  return {
    loupe,
    slack,
    config,
    port,
    workspaceId: workspace.id,
    stop: async () => {
      await loupe.stop();
      await slack.close();
    },
  };
}

/** The stand-in's workspace, with interception on in `channel`, as an admin would set it. */
export async function configureBenchWorkspace(loupe: Loupe, channel: string, policy: { identifierPattern?: string } = {}): Promise<{ id: string }> {
  const { storage } = loupe.services;
  const workspace = await storage.workspaces.ensure('slack', 'T0LOUPE', 'T0LOUPE', { type: 'admin', id: 'bench' });
  await storage.policies.change(workspace.id, channel, { interception: true, ...policy }, { type: 'admin', id: 'bench' });
  return workspace;
}
