import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, verifySlackRequest, webApi } from '@slack/bolt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { SlackStandIn, type SlackStandInOptions } from '../../src/demo/slack/index.js';
import { until } from '../support/until.js';

const NOW = 1_732_270_000_000;
const SECRET = 'stand-in-signing-secret';
const BOT = 'xoxb-stand-in-bot';
const ADMIN = 'xoxp-stand-in-admin';
const WOUNDS = 'C0WOUNDS01';
const PARTNER = 'C0PARTNER1';
const CLINICIAN = 'U0CLIN0001';
const EXTERNAL = 'U0EXTERN01';
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function standIn(o: Partial<SlackStandInOptions> = {}): Promise<SlackStandIn> {
  const s = await SlackStandIn.start({ signingSecret: SECRET, botToken: BOT, adminUserToken: ADMIN, now: () => NOW, ...o });
  cleanups.push(() => s.close());
  return s;
}

function client(s: SlackStandIn, token: string): webApi.WebClient {
  return new webApi.WebClient(token, { slackApiUrl: s.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
}

/** Slack's error code from a failed WebClient call. */
async function slackError(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (e) {
    return (e as { data?: { error?: string } }).data?.error;
  }
  return undefined;
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
}

/** Loupe's side of the wire, reduced to what matters here: Bolt's own signature check. */
async function receiver(s: SlackStandIn): Promise<Received[]> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      let verified = true;
      try {
        verifySlackRequest({
          signingSecret: SECRET,
          body,
          headers: {
            'x-slack-signature': String(req.headers['x-slack-signature']),
            'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
          },
          nowMilliseconds: NOW,
        });
      } catch {
        verified = false;
      }
      received.push({ headers: req.headers, body, verified });
      res.writeHead(verified ? 200 : 401).end(verified ? '' : 'unverified');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  s.setEventsUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
  return received;
}

function envelopeOf(r: Received | undefined): { event_id: string; event: Record<string, unknown> } & Record<string, unknown> {
  return JSON.parse(r?.body ?? 'null') as { event_id: string; event: Record<string, unknown> };
}

describe('Slack stand-in: Web API through a real WebClient', () => {
  it('posts, updates and deletes the bot’s own messages, recording each call', async () => {
    const s = await standIn();
    const bot = client(s, BOT);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Card' } }];

    const first = await bot.chat.postMessage({ channel: WOUNDS, text: 'Card', blocks });
    const second = await bot.chat.postMessage({ channel: WOUNDS, text: 'Reply', thread_ts: first.ts! });
    expect(first).toMatchObject({ ok: true, channel: WOUNDS, message: { text: 'Card', user: 'U0LOUPEBOT', bot_id: expect.any(String) } });
    expect(first.ts).toMatch(/^1732270000\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));

    const updated = await bot.chat.update({ channel: WOUNDS, ts: first.ts!, text: 'Card (expired)' });
    expect(updated).toMatchObject({ ok: true, ts: first.ts, text: 'Card (expired)' });
    expect(await bot.chat.delete({ channel: WOUNDS, ts: second.ts! })).toMatchObject({ ok: true, ts: second.ts });

    expect(s.messages).toEqual([
      { channel: WOUNDS, ts: first.ts, user: 'U0LOUPEBOT', text: 'Card (expired)', blocks, files: [], deleted: false, edits: 1 },
      { channel: WOUNDS, ts: second.ts, threadTs: first.ts, user: 'U0LOUPEBOT', text: 'Reply', files: [], deleted: true, edits: 0 },
    ]);
    expect(s.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.postMessage', 'chat.update', 'chat.delete']);
    const post = s.calls[0]!;
    expect(post).toMatchObject({ token: BOT, contentType: 'application/x-www-form-urlencoded', at: NOW, params: { channel: WOUNDS } });
    // The raw body is what went over the wire: blocks as form-encoded JSON text.
    expect(new URLSearchParams(post.rawBody).get('blocks')).toBe(JSON.stringify(blocks));
  });

  it('refuses what Slack refuses, with Slack’s error codes', async () => {
    const s = await standIn();
    await receiver(s);
    const bot = client(s, BOT);
    const admin = client(s, ADMIN);
    const upload = await s.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'wound.jpg', bytes: PHOTO });
    const external = await s.uploadFile({ user: EXTERNAL, channel: PARTNER, name: 'referral.jpg', bytes: PHOTO });

    expect(await slackError(bot.chat.update({ channel: WOUNDS, ts: upload.ts, text: 'x' }))).toBe('cant_update_message');
    expect(await slackError(bot.chat.delete({ channel: WOUNDS, ts: upload.ts }))).toBe('cant_delete_message');
    expect(await slackError(admin.chat.delete({ channel: PARTNER, ts: external.ts }))).toBe('cant_delete_message');
    expect(await slackError(bot.chat.update({ channel: WOUNDS, ts: '1.000100', text: 'x' }))).toBe('message_not_found');
    expect(await slackError(bot.chat.postMessage({ channel: 'C0NOWHERE', text: 'x' }))).toBe('channel_not_found');
    expect(await slackError(bot.chat.postMessage({ channel: WOUNDS, text: '' }))).toBe('no_text');
    expect(await slackError(bot.apiCall('chat.postMessage', { channel: WOUNDS, blocks: '{not json' }))).toBe('invalid_blocks');
    expect(await slackError(client(s, 'xoxb-someone-else').auth.test())).toBe('invalid_auth');
    expect(await slackError(bot.apiCall('chat.frobnicate', {}))).toBe('unknown_method');

    // An admin's user token may remove a clinician's upload message; the bot's may not.
    expect(await admin.chat.delete({ channel: WOUNDS, ts: upload.ts })).toMatchObject({ ok: true });
    expect(s.messages.find((m) => m.ts === upload.ts)).toMatchObject({ deleted: true, user: CLINICIAN });
    expect(s.messages.find((m) => m.ts === external.ts)).toMatchObject({ deleted: false });
  });

  it('answers without a token as Slack does (HTTP 200, not_authed), and accepts JSON bodies with a bearer token', async () => {
    const s = await standIn();
    const anonymous = await fetch(`${s.apiUrl}auth.test`, { method: 'POST' });
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ ok: false, error: 'not_authed' });

    const json = await fetch(`${s.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${BOT}`, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: WOUNDS, text: 'hi', blocks: [{ type: 'divider' }] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, channel: WOUNDS });
    expect(s.messages[0]).toMatchObject({ text: 'hi', blocks: [{ type: 'divider' }] });

    // A form post may carry the token as a field; a JSON body may not.
    const form = await fetch(`${s.apiUrl}auth.test`, { method: 'POST', body: new URLSearchParams({ token: BOT }) });
    expect(await form.json()).toMatchObject({ ok: true, user_id: 'U0LOUPEBOT', bot_id: 'B0LOUPEBOT', team_id: 'T0LOUPE' });
    const tokenInJson = await fetch(`${s.apiUrl}auth.test`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: BOT }) });
    expect(await tokenInJson.json()).toEqual({ ok: false, error: 'not_authed' });
    expect(s.calls.map((c) => c.method)).toEqual(['auth.test', 'chat.postMessage', 'auth.test', 'auth.test']);
  });

  it('posts ephemeral messages only to members of the channel', async () => {
    const s = await standIn();
    const bot = client(s, BOT);
    const sent = await bot.chat.postEphemeral({ channel: WOUNDS, user: CLINICIAN, text: 'Only you can see this' });
    expect(sent.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(s.messages).toEqual([
      { channel: WOUNDS, ts: sent.message_ts, user: 'U0LOUPEBOT', text: 'Only you can see this', files: [], ephemeralTo: CLINICIAN, deleted: false, edits: 0 },
    ]);
    expect(await slackError(bot.chat.postEphemeral({ channel: WOUNDS, user: EXTERNAL, text: 'x' }))).toBe('user_not_in_channel');
    expect(await slackError(bot.chat.postEphemeral({ channel: WOUNDS, user: 'U0NOBODY', text: 'x' }))).toBe('user_not_found');
    // Ephemeral messages cannot be edited or linked.
    expect(await slackError(bot.chat.update({ channel: WOUNDS, ts: sent.message_ts!, text: 'x' }))).toBe('message_not_found');
  });

  it('describes people, channels and the workspace', async () => {
    const s = await standIn();
    const bot = client(s, BOT);
    const admin = (await bot.users.info({ user: 'U0ADMIN001' })).user!;
    expect(admin).toMatchObject({ is_admin: true, is_owner: true, team_id: 'T0LOUPE', tz: 'Europe/London', tz_offset: 0, profile: { email: 'jordan.ellis@hospital.example' } });
    const external = (await bot.users.info({ user: EXTERNAL })).user! as Record<string, unknown>;
    expect(external).toMatchObject({ is_stranger: true, is_admin: false, tz: 'Europe/Paris', tz_offset: 3600 });
    expect(external['team_id']).not.toBe('T0LOUPE');
    expect(await slackError(bot.users.info({ user: 'U0NOBODY' }))).toBe('user_not_found');

    expect((await bot.conversations.info({ channel: PARTNER })).channel).toMatchObject({ id: PARTNER, is_ext_shared: true, is_member: true });
    expect((await bot.conversations.info({ channel: WOUNDS })).channel).toMatchObject({ name: 'wound-consult', is_ext_shared: false });
    const members = await bot.conversations.members({ channel: WOUNDS });
    expect(members.members).toContain('U0LOUPEBOT');
    expect(members.members).not.toContain(EXTERNAL);
    expect((await bot.team.info()).team).toMatchObject({ id: 'T0LOUPE' });
    expect(await client(s, ADMIN).auth.test()).toMatchObject({ ok: true, user_id: 'U0ADMIN001', team_id: 'T0LOUPE' });

    const posted = await bot.chat.postMessage({ channel: WOUNDS, text: 'Card' });
    const link = await bot.chat.getPermalink({ channel: WOUNDS, message_ts: posted.ts! });
    expect(link.permalink).toBe(`${s.origin}/archives/${WOUNDS}/p${posted.ts!.replace('.', '')}`);
  });
});

describe('Slack stand-in: files', () => {
  it('describes an upload as files.info does, and lets only the admin token delete it', async () => {
    const s = await standIn();
    await receiver(s);
    const bot = client(s, BOT);
    const up = await s.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'wound 1.jpg', bytes: PHOTO, text: 'left heel' });

    const info = (await bot.files.info({ file: up.fileId })).file!;
    expect(info).toMatchObject({
      id: up.fileId,
      name: 'wound 1.jpg',
      title: 'wound 1.jpg',
      mimetype: 'image/jpeg',
      filetype: 'jpg',
      size: PHOTO.length,
      user: CLINICIAN,
      created: NOW / 1000,
      url_private: `${s.origin}/files-pri/T0LOUPE-${up.fileId}/wound%201.jpg`,
      url_private_download: `${s.origin}/files-pri/T0LOUPE-${up.fileId}/download/wound%201.jpg`,
      channels: [WOUNDS],
      is_external: false,
    });

    expect(await slackError(bot.files.delete({ file: up.fileId }))).toBe('cant_delete_file');
    expect(s.file(up.fileId)?.deleted).toBe(false);
    expect(await client(s, ADMIN).files.delete({ file: up.fileId })).toMatchObject({ ok: true });
    expect(s.file(up.fileId)).toMatchObject({ id: up.fileId, deleted: true });
    expect(await slackError(bot.files.info({ file: up.fileId }))).toBe('file_deleted');
    expect(await slackError(client(s, ADMIN).files.delete({ file: up.fileId }))).toBe('file_deleted');
    expect(await slackError(bot.files.info({ file: 'F0NOWHERE' }))).toBe('file_not_found');

    const external = await s.uploadFile({ user: EXTERNAL, channel: PARTNER, name: 'referral.png', bytes: PHOTO });
    expect(await slackError(client(s, ADMIN).files.delete({ file: external.fileId }))).toBe('cant_delete_file');
  });

  it('serves the bytes only with a token, otherwise redirects to a sign-in page', async () => {
    const s = await standIn();
    await receiver(s);
    const up = await s.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'wound.jpg', bytes: PHOTO });
    const url = ((await client(s, BOT).files.info({ file: up.fileId })).file as { url_private_download: string }).url_private_download;

    const ok = await fetch(url, { headers: { Authorization: `Bearer ${BOT}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await ok.arrayBuffer())).toEqual(PHOTO);

    const anonymous = await fetch(url, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    const followed = await fetch(url, { headers: { Authorization: 'Bearer xoxb-wrong' } });
    expect(followed.status).toBe(200);
    expect(followed.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await followed.text()).toContain('Sign in');

    await client(s, ADMIN).files.delete({ file: up.fileId });
    expect((await fetch(url, { headers: { Authorization: `Bearer ${BOT}` } })).status).toBe(404);

    const downloads = s.calls.filter((c) => c.method === 'files.download');
    expect(downloads.map((c) => c.token)).toEqual([BOT, undefined, 'xoxb-wrong', BOT]);
    expect(downloads[0]).toMatchObject({ params: { file: up.fileId }, url: new URL(url).pathname });
  });
});

describe('Slack stand-in: signed requests to Loupe', () => {
  it('sends both events for an upload, signed so that Bolt accepts them', async () => {
    const s = await standIn();
    const received = await receiver(s);
    const up = await s.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'wound.jpg', bytes: PHOTO, text: 'day 3', threadTs: '1732269000.000100' });

    expect(up.responses).toMatchObject([
      { status: 200, body: '' },
      { status: 200, body: '' },
    ]);
    expect(received.map((r) => r.verified)).toEqual([true, true]);
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(received[0]?.headers['x-slack-request-timestamp']).toBe(String(NOW / 1000));

    const message = envelopeOf(received[0]);
    expect(message).toMatchObject({ type: 'event_callback', team_id: 'T0LOUPE', api_app_id: 'A0LOUPEAPP', event_time: NOW / 1000, is_ext_shared_channel: false });
    expect(message.event).toMatchObject({
      type: 'message',
      subtype: 'file_share',
      channel: WOUNDS,
      user: CLINICIAN,
      text: 'day 3',
      ts: up.ts,
      thread_ts: '1732269000.000100',
      files: [{ id: up.fileId, name: 'wound.jpg', url_private_download: expect.stringContaining(`/files-pri/T0LOUPE-${up.fileId}/download/`) }],
    });
    const shared = envelopeOf(received[1]);
    expect(shared.event).toMatchObject({ type: 'file_shared', file_id: up.fileId, channel_id: WOUNDS, user_id: CLINICIAN, file: { id: up.fileId } });
    expect(shared.event_id).not.toBe(message.event_id);
    expect(s.messages).toEqual([{ channel: WOUNDS, ts: up.ts, threadTs: '1732269000.000100', user: CLINICIAN, text: 'day 3', files: [up.fileId], deleted: false, edits: 0 }]);
    expect(s.file(up.fileId)?.bytes).toEqual(PHOTO);
  });

  it('can send retries, wrong signatures and stale timestamps, which Bolt’s check rejects', async () => {
    const s = await standIn();
    const received = await receiver(s);
    const event = { type: 'app_mention', user: CLINICIAN, text: 'hi', channel: WOUNDS };

    expect(await s.deliver(event)).toMatchObject({ status: 200, body: '' });
    const first = envelopeOf(received[0]);
    expect(await s.deliver(event, { retryNum: 1, retryReason: 'http_timeout', eventId: first.event_id })).toMatchObject({ status: 200 });
    expect(received[1]?.headers).toMatchObject({ 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(envelopeOf(received[1]).event_id).toBe(first.event_id);

    expect(await s.deliver(event, { badSignature: true })).toMatchObject({ status: 401, body: 'unverified' });
    expect(await s.deliver(event, { timestamp: NOW / 1000 - 6 * 60 })).toMatchObject({ status: 401, body: 'unverified' });
    expect(received.map((r) => r.verified)).toEqual([true, true, false, false]);

    // A full envelope goes out as given.
    await s.deliver({ type: 'event_callback', event_id: 'Ev0GIVEN', team_id: 'T0LOUPE', event: { type: 'app_home_opened', user: CLINICIAN } });
    expect(envelopeOf(received[4])).toEqual({ type: 'event_callback', event_id: 'Ev0GIVEN', team_id: 'T0LOUPE', event: { type: 'app_home_opened', user: CLINICIAN } });
  });

  it('sends slash commands as signed forms whose trigger id opens one modal, and serves their response_url', async () => {
    const s = await standIn();
    const received = await receiver(s);
    expect(await s.slashCommand({ user: CLINICIAN, channel: WOUNDS, command: '/loupe', text: 'help' })).toMatchObject({ status: 200 });
    const r = received[0]!;
    expect(r.verified).toBe(true);
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(r.body);
    expect(Object.fromEntries(form)).toMatchObject({ command: '/loupe', text: 'help', user_id: CLINICIAN, channel_id: WOUNDS, team_id: 'T0LOUPE' });

    const bot = client(s, BOT);
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Loupe' }, blocks: [] };
    const opened = await bot.views.open({ trigger_id: form.get('trigger_id')!, view });
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), type: 'modal', hash: expect.any(String) });
    expect(await slackError(bot.views.open({ trigger_id: form.get('trigger_id')!, view }))).toBe('exchanged_trigger_id');
    expect(await slackError(bot.views.open({ trigger_id: 'made-up', view }))).toBe('invalid_trigger_id');
    const updated = await bot.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view });
    expect(updated.view?.hash).not.toBe(opened.view?.hash);
    expect(await slackError(bot.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view }))).toBe('hash_conflict');

    const respond = await fetch(form.get('response_url')!, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'How to use Loupe' }) });
    expect(respond.status).toBe(200);
    expect(s.messages).toEqual([expect.objectContaining({ channel: WOUNDS, user: 'U0LOUPEBOT', text: 'How to use Loupe', ephemeralTo: CLINICIAN })]);
    expect(s.calls.map((c) => c.method)).toContain('response_url');
  });

  it('sends interactions as a signed payload field, with a response_url for message actions', async () => {
    const s = await standIn();
    const received = await receiver(s);
    const card = await client(s, BOT).chat.postMessage({ channel: WOUNDS, text: 'Card' });
    const payload = {
      type: 'block_actions',
      user: { id: CLINICIAN },
      channel: { id: WOUNDS },
      message: { ts: card.ts, text: 'Card' },
      container: { type: 'message', message_ts: card.ts, channel_id: WOUNDS },
      actions: [{ action_id: 'open_viewer', value: 'asset-1' }],
    };
    expect(await s.interaction(payload)).toMatchObject({ status: 200 });
    expect(received[0]?.verified).toBe(true);
    const sent = JSON.parse(new URLSearchParams(received[0]!.body).get('payload')!) as Record<string, unknown>;
    expect(sent).toMatchObject({ ...payload, team: { id: 'T0LOUPE' }, api_app_id: 'A0LOUPEAPP', trigger_id: expect.any(String), response_url: expect.stringContaining(s.origin) });

    await fetch(String(sent['response_url']), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ replace_original: true, text: 'Card (opened)' }) });
    expect(s.messages).toEqual([expect.objectContaining({ ts: card.ts, text: 'Card (opened)', edits: 1 })]);
  });
});

describe('Slack stand-in with a real Bolt app', () => {
  it('drives Bolt’s HTTP receiver, WebClient and respond() end to end', async () => {
    // Bolt checks signatures against the real clock, so this stand-in keeps real time.
    const s = await standIn({ now: Date.now });
    const app = new App({ token: BOT, signingSecret: SECRET, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: s.apiUrl, retryConfig: { retries: 0 } } });
    const seen: string[] = [];
    app.event('file_shared', async ({ event, client: web }) => {
      const info = await web.files.info({ file: event.file_id });
      seen.push(`file_shared:${String(info.file?.mimetype)}`);
      await web.chat.postMessage({ channel: event.channel_id, text: 'Loupe took this image out of the chat.' });
    });
    app.message(async ({ message }) => {
      seen.push(`message:${'subtype' in message ? String(message.subtype) : ''}`);
    });
    app.command('/loupe', async ({ ack, respond }) => {
      await ack();
      await respond({ text: 'Loupe help' });
    });
    const server = (await app.start(0)) as Server;
    cleanups.push(() => app.stop().then(() => undefined));
    s.setEventsUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);

    const up = await s.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'wound.jpg', bytes: PHOTO });
    expect(up.responses.map((r) => r.status)).toEqual([200, 200]);
    expect(await s.slashCommand({ user: CLINICIAN, channel: WOUNDS, command: '/loupe', text: '' })).toMatchObject({ status: 200 });
    expect(await s.deliver({ type: 'app_mention', user: CLINICIAN, text: 'hi', channel: WOUNDS }, { badSignature: true })).toMatchObject({ status: 401 });

    // Bolt acknowledges first and runs listeners after.
    await vi.waitFor(() => expect(s.messages.filter((m) => m.user === 'U0LOUPEBOT')).toHaveLength(2));
    expect(seen.sort()).toEqual(['file_shared:image/jpeg', 'message:file_share']);
    expect(s.messages.filter((m) => m.user === 'U0LOUPEBOT').map((m) => [m.text, m.ephemeralTo])).toEqual(
      expect.arrayContaining([
        ['Loupe took this image out of the chat.', undefined],
        ['Loupe help', CLINICIAN],
      ]),
    );
    expect(s.calls.map((c) => c.method)).toEqual(expect.arrayContaining(['auth.test', 'files.info', 'chat.postMessage', 'response_url']));
  });
});

describe('Slack stand-in: channel history', () => {
  it('lists the bot\'s channels and pages history newest first and a thread parent first, as Slack does', async () => {
    const s = await standIn();
    const bot = client(s, BOT);
    const mine = await bot.users.conversations({ limit: 1 });
    expect(mine.channels).toHaveLength(1);
    expect(mine.response_metadata?.next_cursor).not.toBe('');
    // Loupe is down: nothing is delivered, the uploads are only in the history.
    const a = await s.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'a.jpg', bytes: PHOTO }, { deliver: false });
    const b = await s.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'b.jpg', bytes: PHOTO }, { deliver: false });
    const r = await s.uploadFile({ user: CLINICIAN, channel: WOUNDS, name: 'r.jpg', bytes: PHOTO, threadTs: a.ts }, { deliver: false });
    const page1 = await bot.conversations.history({ channel: WOUNDS, limit: 1 });
    expect(page1.messages?.map((m) => m.ts)).toEqual([b.ts]);
    const page2 = await bot.conversations.history({ channel: WOUNDS, limit: 1, cursor: page1.response_metadata!.next_cursor! });
    expect(page2.messages?.[0]).toMatchObject({ ts: a.ts, reply_count: 1, latest_reply: r.ts, files: [{ id: a.fileId }] });
    expect(page2.response_metadata?.next_cursor).toBe('');
    expect((await bot.conversations.history({ channel: WOUNDS, oldest: a.ts })).messages?.map((m) => m.ts)).toEqual([b.ts]);
    const thread = await bot.conversations.replies({ channel: WOUNDS, ts: a.ts });
    expect(thread.messages?.map((m) => m.ts)).toEqual([a.ts, r.ts]);
    expect(await slackError(bot.conversations.history({ channel: 'C0NOSUCH01' }))).toBe('channel_not_found');
  });
});

describe('Slack stand-in: Socket Mode', () => {
  it('sends an envelope the app went away without acknowledging again on its next connection', async () => {
    const s = await standIn({ appToken: 'xapp-stand-in-app' });
    const connect = async () => {
      const { url } = await client(s, 'xapp-stand-in-app').apps.connections.open();
      const ws = new WebSocket(url!);
      cleanups.push(async () => void ws.terminate());
      const frames: { type?: string; envelope_id?: string }[] = [];
      ws.on('message', (data) => frames.push(JSON.parse(String(data)) as (typeof frames)[number]));
      await until('hello', () => frames.some((f) => f.type === 'hello'));
      return { ws, frames };
    };
    const first = await connect();
    const delivered = s.deliver({ type: 'app_mention', user: CLINICIAN, channel: WOUNDS, text: 'hi', ts: '1732270000.000100' });
    const sent = await until('the envelope', () => first.frames.find((f) => f.envelope_id));
    first.ws.close();
    await until('the app gone', () => !s.socketConnected);
    const second = await connect();
    const again = await until('the envelope again', () => second.frames.find((f) => f.envelope_id));
    expect(again.envelope_id).toBe(sent.envelope_id);
    second.ws.send(JSON.stringify({ envelope_id: again.envelope_id }));
    expect((await delivered).status).toBe(200);
  });
});
