// A captured Slack request sent again, and requests dated far from now: the
// attacks that found issue 9's point 11. Signed requests are taken once,
// across instances (the memory is in the database), and Slack's own retries,
// which are signed anew, still reach Bolt and are answered idempotently.
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSlackRequest } from '../../src/chat/slack/request-check.js';
import { rememberRequest } from '../../src/storage/seen-requests.js';
import type { SlackStandIn } from '../../src/demo/slack/index.js';
import type { Loupe } from '../../src/main.js';
import { testEngines } from '../support/engines.js';
import { request } from '../support/http.js';
import { makePhotoFixtures } from '../support/photos.js';
import { SLACK_ADMIN, startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { AppJob } from '../../src/app/job-names.js';

const WOUNDS = 'C0WOUNDS01';
const SENDER = 'U0CLIN0001';

describe('the Slack request check', () => {
  const secret = 'secret-0123456789';
  const now = new Date('2026-11-30T12:00:00Z');
  const seconds = now.getTime() / 1000;
  const signed = (ts: number, body = 'payload=x') => ({
    timestamp: String(ts),
    signature: `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
    rawBody: Buffer.from(body),
  });

  it('accepts a request signed now and remembers it until it leaves the window', () => {
    const r = checkSlackRequest(secret, signed(seconds), now);
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.expiresAt.getTime()).toBe((seconds + 301) * 1000);
  });

  it('refuses a request older than five minutes, or dated more than five minutes ahead', () => {
    expect(checkSlackRequest(secret, signed(seconds - 301), now)).toEqual({ ok: false, reason: 'stale' });
    expect(checkSlackRequest(secret, signed(seconds + 301), now)).toEqual({ ok: false, reason: 'future' });
    expect(checkSlackRequest(secret, signed(seconds + 365 * 86400), now)).toEqual({ ok: false, reason: 'future' });
    expect(checkSlackRequest(secret, signed(seconds + 299), now)).toMatchObject({ ok: true });
  });

  it('refuses a wrong signature, a changed body and missing headers', () => {
    const good = signed(seconds);
    expect(checkSlackRequest(`${secret}x`, good, now)).toEqual({ ok: false, reason: 'signature' });
    expect(checkSlackRequest(secret, { ...good, rawBody: Buffer.from('payload=y') }, now)).toEqual({ ok: false, reason: 'signature' });
    expect(checkSlackRequest(secret, { ...good, timestamp: undefined }, now)).toEqual({ ok: false, reason: 'missing' });
    expect(checkSlackRequest(secret, { ...good, timestamp: '1e9' }, now)).toEqual({ ok: false, reason: 'missing' });
  });
});

describe.each(testEngines())('Slack replays and clocks on %s', (engine) => {
  let env: SlackLoupe;
  let loupe: Loupe;
  let slack: SlackStandIn;
  let workspaceId: string;

  beforeAll(async () => {
    env = await startSlackLoupe(engine, { giveAdminToken: true });
    ({ loupe, slack, workspaceId } = env);
    await loupe.services.storage.policies.change(workspaceId, WOUNDS, { interception: true }, { type: 'admin', id: SLACK_ADMIN });
  });
  afterAll(() => env?.close());

  const prisma = () => loupe.services.storage.db.prisma;
  const calls = (method: string) => slack.calls.filter((c) => c.method === method);

  it('refuses a slash command replayed within five minutes: 401, and the command ran once', async () => {
    const changes = () => prisma().auditEvent.count({ where: { action: 'policy.changed', actorId: SLACK_ADMIN } });
    const before = await changes();
    const first = await slack.slashCommand({ user: SLACK_ADMIN, channel: WOUNDS, command: '/loupe', text: 'policy set lifetime 3d' });
    expect(first.status).toBe(200);
    await until('the answer', () => calls('response_url').find((c) => String(c.params.text).includes('*Card lifetime:* 72 h')));
    expect(await changes()).toBe(before + 1);
    const answers = calls('response_url').length;

    expect((await slack.replay(first)).status).toBe(401);
    // Refused before Bolt saw it: nothing was answered or changed.
    expect(calls('response_url')).toHaveLength(answers);
    expect(await changes()).toBe(before + 1);
  });

  it('refuses a button click replayed within five minutes: 401, and the modal opened once', async () => {
    const bytes = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    const upload = await slack.uploadFile({ user: SENDER, channel: WOUNDS, name: 'w.jpg', bytes });
    const card = await until('the card', async () => (await prisma().card.findFirst({ where: { workspaceId, threadId: upload.ts, messageId: { not: null } } })) ?? undefined);
    const click = await slack.interaction({
      type: 'block_actions',
      user: { id: SENDER },
      channel: { id: WOUNDS },
      message: { ts: card.messageId },
      container: { type: 'message', message_ts: card.messageId, channel_id: WOUNDS },
      actions: [{ type: 'button', action_id: 'loupe_invite', block_id: 'b', value: card.id, action_ts: '1' }],
    });
    expect(click.status).toBe(200);
    const modals = () => calls('views.open').filter((c) => String(c.params.view).includes(card.id));
    await until('the modal', () => modals()[0]);
    expect((await slack.replay(click)).status).toBe(401);
    expect(modals()).toHaveLength(1);
  });

  it('refuses a request dated a year ahead, and one just past the skew, and stores nothing', async () => {
    const before = await prisma().asset.count();
    const event = { type: 'message', subtype: 'file_share', channel: WOUNDS, user: SENDER, ts: '1700000000.000200', files: [{ id: 'F0FUTURE01' }] };
    const now = Math.floor(Date.now() / 1000);
    expect((await slack.deliver(event, { timestamp: now + 365 * 86400 })).status).toBe(401);
    expect((await slack.deliver(event, { timestamp: now + 6 * 60 })).status).toBe(401);
    expect((await slack.slashCommand({ user: SLACK_ADMIN, channel: WOUNDS, command: '/loupe', text: 'policy set lifetime 1d' }, { timestamp: now + 365 * 86400 })).status).toBe(401);
    expect(await prisma().asset.count()).toBe(before);
    expect((await loupe.services.storage.policies.effective(workspaceId, WOUNDS)).cardLifetimeSeconds).not.toBe(86400);
  });

  it('still answers Slack\'s own retry (signed anew) with 200, idempotently: one asset, one card', async () => {
    const bytes = await readFile((await makePhotoFixtures(env.inst.dataDir)).png);
    const upload = await slack.uploadFile({ user: SENDER, channel: WOUNDS, name: 'r.png', bytes });
    const event = { type: 'message', subtype: 'file_share', channel: WOUNDS, user: SENDER, ts: upload.ts, event_ts: upload.ts, files: [{ id: upload.fileId }] };
    const sent = Math.floor(Date.now() / 1000);
    // Slack retries after its 3-second timeout, with the same event id and a new timestamp and signature.
    const retry = await slack.deliver(event, { eventId: 'Ev0RETRY01', retryNum: 1, retryReason: 'http_timeout', timestamp: sent + 3 });
    expect(retry.status).toBe(200);
    expect((await slack.deliver(event, { eventId: 'Ev0RETRY01', retryNum: 2, retryReason: 'http_timeout', timestamp: sent + 60 })).status).toBe(200);
    // The retry itself, captured and sent again, is a replay.
    expect((await slack.replay(retry)).status).toBe(401);
    await until('the card', () => calls('chat.postMessage').find((c) => c.params.thread_ts === upload.ts));
    await until('the ingest finished', async () => (await prisma().job.count({ where: { type: AppJob.Ingest, status: { in: ['queued', 'running'] } } })) === 0);
    expect(await prisma().asset.count({ where: { workspaceId, sourceRef: upload.fileId } })).toBe(1);
    expect(calls('chat.postMessage').filter((c) => c.params.thread_ts === upload.ts)).toHaveLength(1);
  });

  it('answers an unsigned, an oversized and an unreadable body as Bolt would: 401, 413, 400', async () => {
    const port = (loupe.server!.address() as { port: number }).port;
    const post = (body: string | Buffer, headers: Record<string, string> = {}) => request(port, '/slack/events', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    expect((await post('{}')).status).toBe(401);
    expect((await post(Buffer.alloc(5 * 1024 * 1024, 0x20))).status).toBe(413);
    expect((await post('{}', { 'Content-Encoding': 'x-unknown' })).status).toBe(400);
  });

  it('remembers a signature in the database, so a second instance refuses it too, and prunes what has expired', async () => {
    const db = loupe.services.storage.db;
    const now = new Date();
    expect(await rememberRequest(db, 'v0=feedface', new Date(now.getTime() + 60_000), now)).toBe(true);
    expect(await rememberRequest(db, 'v0=feedface', new Date(now.getTime() + 60_000), now)).toBe(false);
    await rememberRequest(db, 'v0=old', new Date(now.getTime() - 1), new Date(now.getTime() - 2));
    await rememberRequest(db, 'v0=new', new Date(now.getTime() + 60_000), now);
    expect(await db.prisma.seenRequest.count({ where: { expiresAt: { lt: now } } })).toBe(0);
  });
});
