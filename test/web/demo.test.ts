// `loupe serve` without Slack credentials: the demo's stand-in and /demo page,
// driving the real Slack adapter exactly as Slack would.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startDemo } from '../../src/demo/start-demo.js';
import { createLogger } from '../../src/logging.js';
import type { Loupe } from '../../src/main.js';
import { request } from '../support/http.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';
import { makePhotoFixtures } from '../support/photos.js';
import { until } from '../support/slack.js';

describe('demo mode', () => {
  let inst: InstanceEnv;
  let loupe: Loupe;
  let port: number;

  beforeAll(async () => {
    inst = await createInstanceEnv('pglite');
    const loaded = loadConfig(inst.env);
    expect(loaded.demo).toBe(true);
    loupe = await startDemo(loaded, createLogger('silent'));
    ({ port } = await loupe.listen());
  });
  afterAll(async () => {
    await loupe?.stop();
    await inst?.cleanup();
  });

  it('is off when Slack is configured or LOUPE_DEMO=off', () => {
    expect(loadConfig({ LOUPE_DEMO: 'off' }).demo).toBe(false);
    expect(loadConfig({ SLACK_SIGNING_SECRET: 'a'.repeat(32), SLACK_BOT_TOKEN: 'xoxb-1' }).demo).toBe(false);
  });

  it('serves the page under a strict Content Security Policy, with no inline script', async () => {
    const page = await request(port, '/demo');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await request(port, '/demo/demo.js')).status).toBe(200);
  });

  it('takes a dropped photo out of the demo channel and shows its card in the thread', async () => {
    const jpeg = await readFile((await makePhotoFixtures(inst.dataDir)).jpeg);
    const sent = await request(port, '/demo/api/upload?user=U0CLIN0001&channel=C0WOUNDS01&name=wound.jpg&text=MRN123456', { method: 'POST', body: jpeg });
    const { ts } = JSON.parse(sent.body) as { ts: string };
    const state = await until('the card', async () => {
      const s = JSON.parse((await request(port, '/demo/api/state?user=U0CLIN0001')).body) as { messages: { ts: string; threadTs?: string; deleted: boolean; text: string }[] };
      const card = s.messages.find((m) => m.threadTs === ts && m.text.includes('secured by Loupe'));
      const original = s.messages.find((m) => m.ts === ts);
      return card && original?.deleted ? s : undefined;
    });
    expect(state.messages.find((m) => m.threadTs === ts && m.ts !== ts)?.text).toBe('Clinical photo secured by Loupe');
    // The identifier in the text linked the patient with the demo's pattern, so the card is active.
    const asset = await loupe.services.storage.db.prisma.asset.findFirstOrThrow({ where: { sourceMessageId: ts } });
    expect(asset.patientId).not.toBeNull();
  });
});
