// Who is a Loupe admin on Slack: the workspace's own admins and owners, and
// those the configuration names. A partner organisation's admin in a Slack
// Connect channel is reported by users.info with is_admin of their own
// organisation (their team_id, is_stranger): never an admin here.
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackAdmins } from '../../src/chat/slack/admins.js';
import { DEMO_USERS, SlackStandIn } from '../../src/demo/slack/index.js';

const BOT = 'xoxb-admins-bot';

describe('Slack admins', () => {
  let slack: SlackStandIn;
  let isAdmin: (userId: string) => Promise<boolean>;

  beforeAll(async () => {
    // The demo's people, with the partner clinic's doctor an admin and owner of the partner organisation.
    const users = DEMO_USERS.map((u) => (u.external ? { ...u, isAdmin: true, isOwner: true } : u));
    slack = await SlackStandIn.start({ signingSecret: 'admins-secret', botToken: BOT, adminUserToken: 'xoxp-admins', users });
    const bot = new webApi.WebClient(BOT, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
    isAdmin = slackAdmins(bot, ['U0CLIN0002']);
  });
  afterAll(() => slack?.close());

  it('counts the workspace’s own admins and the configured users, and nobody else', async () => {
    expect(await isAdmin('U0ADMIN001')).toBe(true);
    expect(await isAdmin('U0CLIN0002')).toBe(true);
    expect(await isAdmin('U0CLIN0001')).toBe(false);
  });

  it('does not count an admin of a partner organisation met in a Slack Connect channel', async () => {
    const external = DEMO_USERS.find((u) => u.external)!;
    expect(await isAdmin(external.id)).toBe(false);
  });
});
