// Socket Mode, for development behind a firewall: the same Bolt app and
// adapter, connected to the stand-in's WebSocket instead of serving
// /slack/events.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.js';
import { makePhotoFixtures } from '../support/photos.js';
import { SLACK_ADMIN, startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';

describe('Slack over Socket Mode', () => {
  let env: SlackLoupe;
  beforeAll(async () => {
    env = await startSlackLoupe('pglite', { giveAdminToken: true, socketMode: true });
    await env.loupe.services.storage.policies.change(env.workspaceId, 'C0WOUNDS01', { interception: true }, { type: 'admin', id: SLACK_ADMIN });
  });
  afterAll(() => env?.close());

  it('connects with the app token, takes uploads out and answers commands over the WebSocket, and serves no HTTP endpoint', async () => {
    await until('the connection', () => env.slack.socketConnected);
    expect(env.slack.calls.find((c) => c.method === 'apps.connections.open')?.token).toBe('xapp-loupe-test-app');
    const jpeg = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    const up = await env.slack.uploadFile({ user: 'U0CLIN0001', channel: 'C0WOUNDS01', name: 'w.jpg', bytes: jpeg });
    expect(up.responses.map((r) => r.status)).toEqual([200, 200]);
    await until('the card', () => env.slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts));
    await until('the original deleted', () => env.slack.file(up.fileId)?.deleted);
    expect((await env.slack.slashCommand({ user: 'U0CLIN0001', channel: 'C0WOUNDS01', command: '/loupe', text: 'status' })).status).toBe(200);
    await until('the answer', () => env.slack.calls.find((c) => c.method === 'response_url' && String(c.params.text).includes('Interception here is *on*')));
    const port = (env.loupe.server!.address() as { port: number }).port;
    expect((await request(port, '/slack/events', { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
