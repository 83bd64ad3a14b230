// The manifest admins paste into Slack must ask for what the adapter uses and
// no more, and point every request at the one endpoint Bolt serves.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_EVENTS_PATH } from '../../src/chat/slack/adapter.js';
import { SECURE_SHORTCUT } from '../../src/chat/slack/listeners.js';
import { SLASH_COMMAND } from '../../src/chat/slack/commands.js';

describe('the Slack app manifest', () => {
  it('asks for least-privilege scopes, the events Loupe handles, and sends everything to /slack/events', async () => {
    const m = parse(await readFile('manifests/slack/manifest.yaml', 'utf8'));
    expect(m.oauth_config.scopes.bot.sort()).toEqual(['channels:history', 'channels:read', 'chat:write', 'commands', 'files:read', 'files:write', 'groups:history', 'groups:read', 'users:read', 'users:read.email']);
    // The admin's user token is used only to remove uploads.
    expect(m.oauth_config.scopes.user.sort()).toEqual(['chat:write', 'files:write']);
    expect(m.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'file_shared', 'message.channels', 'message.groups']);
    const urls = [m.settings.event_subscriptions.request_url, m.settings.interactivity.request_url, ...m.features.slash_commands.map((c: { url: string }) => c.url)];
    for (const url of urls) expect(new URL(url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(m.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([SLASH_COMMAND]);
    expect(m.features.shortcuts).toEqual([expect.objectContaining({ type: 'message', callback_id: SECURE_SHORTCUT })]);
    expect(m.features.app_home.home_tab_enabled).toBe(true);
  });

  it('names the app and its bot user "Loupe", as people see it in Slack', async () => {
    const m = parse(await readFile('manifests/slack/manifest.yaml', 'utf8'));
    expect([m.display_information.name, m.features.bot_user.display_name]).toEqual(['Loupe', 'Loupe']);
  });
});
