import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { TEAMS_DEMO_GROUP_CHAT, TEAMS_DEMO_TEAM, TEAMS_DEMO_TENANT_ID, TEAMS_DEMO_USERS, TeamsStandIn, type TeamsStandInOptions } from '../../src/demo/teams/index.js';

const APP_ID = '8d2b5c3a-1111-4e5f-9a00-00000000b07';
const SECRET = 'stand-in-client-secret';
const AMARA = TEAMS_DEMO_USERS.amara.aadObjectId;
const WOUND = { team: TEAMS_DEMO_TEAM.id, channel: TEAMS_DEMO_TEAM.channels.wound.id };
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);
const POLICY = { policyViolation: { dlpAction: 'BlockAccess', verdictDetails: 'None', policyTip: { generalText: 'Moved to Loupe.' } } };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function standIn(o: Partial<TeamsStandInOptions> = {}): Promise<TeamsStandIn> {
  const s = await TeamsStandIn.start({ appId: APP_ID, tenantId: TEAMS_DEMO_TENANT_ID, clientSecret: SECRET, ...o });
  cleanups.push(() => s.close());
  return s;
}

/** Loupe's /api/messages, reduced to the Bot Framework's token check against the published metadata. */
async function receiver(s: TeamsStandIn): Promise<Record<string, unknown>[]> {
  const received: Record<string, unknown>[] = [];
  const metadata = (await (await fetch(s.openIdMetadataUrl)).json()) as { jwks_uri: string; issuer: string };
  const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const activity = JSON.parse(body) as Record<string, unknown>;
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      jwtVerify(token, jwks, { issuer: metadata.issuer, audience: APP_ID, algorithms: ['RS256'] })
        .then(({ payload }) => {
          if (payload['serviceurl'] !== activity['serviceUrl']) throw new Error('serviceurl');
          received.push(activity);
          const answer = activity['type'] === 'invoke' ? { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'done' } : {};
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
        })
        .catch(() => res.writeHead(401).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  s.deliverTo(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`);
  return received;
}

async function token(s: TeamsStandIn, scope: string, secret = SECRET): Promise<Response> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: APP_ID, client_secret: secret, scope });
  return fetch(`${s.origins.login}/${TEAMS_DEMO_TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', body });
}

async function bearer(s: TeamsStandIn, scope: string): Promise<Record<string, string>> {
  const { access_token } = (await (await token(s, scope)).json()) as { access_token: string };
  return { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' };
}

const connectorScope = 'https://api.botframework.com/.default';
const graphScope = (s: TeamsStandIn): string => `${s.origins.graph}/.default`;
const conv = (s: TeamsStandIn, id: string, rest = ''): string => `${s.serviceUrl}v3/conversations/${encodeURIComponent(id)}${rest}`;

describe('Teams stand-in', () => {
  it('delivers a channel file signed as Teams does, and serves it through Graph /shares to a link that needs no token', async () => {
    const s = await standIn();
    const received = await receiver(s);
    const posted = await s.postFile({ user: AMARA, place: WOUND, name: 'wound.jpg', bytes: PHOTO, text: 'day 3' });
    expect(posted.delivery?.status).toBe(200);
    expect(received[0]).toMatchObject({ type: 'message', id: posted.messageId, channelId: 'msteams', conversation: { conversationType: 'channel', tenantId: TEAMS_DEMO_TENANT_ID } });
    expect(posted.conversationId).toBe(`${WOUND.channel};messageid=${posted.messageId}`);
    const attachment = (received[0]?.['attachments'] as { contentType: string; contentUrl: string }[])[0];
    expect(attachment?.contentType).toBe('reference');

    expect((await token(s, connectorScope, 'wrong')).status).toBe(401);
    const share = `u!${Buffer.from(attachment?.contentUrl ?? '').toString('base64url')}`;
    const redirect = await fetch(`${s.graphUrl}/shares/${share}/driveItem/content`, { headers: await bearer(s, graphScope(s)), redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const download = new URL(redirect.headers.get('location') ?? '');
    expect(Buffer.from(await (await fetch(download)).arrayBuffer())).toEqual(PHOTO);
    download.searchParams.set('tempauth', 'forged');
    expect((await fetch(download)).status).toBe(401);
    expect(s.calls.filter((c) => c.host === 'files').map((c) => c.auth)).toEqual(['none', 'none']);
  });

  it('signs tokens a bot must refuse: expired, another audience, an unknown key, alg none', async () => {
    const s = await standIn();
    await receiver(s);
    const { activity } = await s.postText({ user: AMARA, place: { personal: true }, text: 'status' }, { deliver: false });
    const forged = [
      await s.inboundToken(s.serviceUrl, { claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }),
      await s.inboundToken(s.serviceUrl, { claims: { aud: 'another-bot' } }),
      await s.inboundToken('https://elsewhere.example/teams/'),
      await s.inboundToken(s.serviceUrl, { unknownKey: true }),
      await s.inboundToken(s.serviceUrl, { algNone: true }),
    ];
    for (const t of forged) expect((await s.deliver(activity, { token: t })).status).toBe(401);
    expect(s.calls.filter((c) => c.host === 'delivery').map((c) => c.auth)).toEqual(Array(5).fill('invalid'));
    expect((await s.deliver(activity)).status).toBe(200);
  });

  it('lets each token only where it belongs, and records which kind came', async () => {
    const s = await standIn();
    const connector = await bearer(s, connectorScope);
    const graph = await bearer(s, graphScope(s));
    expect((await fetch(`${s.graphUrl}/users/${AMARA}`, { headers: connector })).status).toBe(401);
    expect((await fetch(conv(s, TEAMS_DEMO_GROUP_CHAT.id, '/members'), { headers: graph })).status).toBe(401);
    expect((await fetch(`${s.graphUrl}/users/${AMARA}`)).status).toBe(401);
    expect(await (await fetch(`${s.graphUrl}/users/amara.okafor@hospital.example`, { headers: graph })).json()).toMatchObject({ id: AMARA });
    const members = (await (await fetch(conv(s, TEAMS_DEMO_GROUP_CHAT.id, '/members'), { headers: connector })).json()) as { aadObjectId: string }[];
    expect(members.map((m) => m.aadObjectId)).toHaveLength(3);
    const team = (await (await fetch(`${s.graphUrl}/teams/${TEAMS_DEMO_TEAM.aadGroupId}/members`, { headers: graph })).json()) as { value: { userId: string; roles: string[] }[] };
    expect(team.value.filter((m) => m.roles.includes('owner')).map((m) => m.userId)).toEqual([TEAMS_DEMO_USERS.jordan.aadObjectId]);
    const kinds = s.calls.filter((c) => c.host !== 'login').map((c) => `${c.host}:${c.auth}:${c.status}`);
    expect(kinds).toEqual(['graph:bot_connector:401', 'connector:graph:401', 'graph:none:401', 'graph:graph:200', 'connector:bot_connector:200', 'graph:graph:200']);
  });

  it('hides a message by policyViolation only with the exact body and a DLP licence; shows a user deletion', async () => {
    const s = await standIn();
    const graph = await bearer(s, graphScope(s));
    const root = await s.postFile({ user: AMARA, place: WOUND, name: 'a.jpg', bytes: PHOTO });
    const reply = await s.postFile({ user: AMARA, place: { ...WOUND, threadRoot: root.messageId }, name: 'b.jpg', bytes: PHOTO, pasted: true });
    const base = `${s.graphUrl}/teams/${TEAMS_DEMO_TEAM.aadGroupId}/channels/${encodeURIComponent(WOUND.channel)}/messages/${root.messageId}`;
    const url = `${base}/replies/${reply.messageId}`;
    expect((await fetch(url, { method: 'PATCH', headers: graph, body: JSON.stringify({ ...POLICY, body: {} }) })).status).toBe(400);
    expect((await fetch(url, { method: 'PATCH', headers: graph, body: JSON.stringify(POLICY) })).status).toBe(204);
    expect(await (await fetch(url, { headers: graph })).json()).toMatchObject({ id: reply.messageId, policyViolation: POLICY.policyViolation, deletedDateTime: null });
    expect(s.messages.find((m) => m.id === reply.messageId)?.hiddenByPolicy).toBe(true);
    const html = String((reply.activity['attachments'] as { content: string }[])[0]?.content);
    const src = /src="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(Buffer.from(await (await fetch(src, { headers: graph })).arrayBuffer())).toEqual(PHOTO);
    s.deleteByUser(root.conversationId, root.messageId);
    expect(((await (await fetch(base, { headers: graph })).json()) as { deletedDateTime: string | null }).deletedDateTime).toEqual(expect.any(String));

    const noDlp = await standIn({ dlp: false });
    const chat = await noDlp.postText({ user: AMARA, place: { groupChat: TEAMS_DEMO_GROUP_CHAT.id }, text: 'status' });
    const chatUrl = `${noDlp.graphUrl}/chats/${TEAMS_DEMO_GROUP_CHAT.id}/messages/${chat.messageId}`;
    expect((await fetch(chatUrl, { method: 'PATCH', headers: await bearer(noDlp, graphScope(noDlp)), body: JSON.stringify(POLICY) })).status).toBe(403);
  });

  it('opens one personal chat per user, and lets the bot change only its own messages', async () => {
    const s = await standIn();
    const connector = await bearer(s, connectorScope);
    const create = { bot: { id: `28:${APP_ID}` }, members: [{ id: AMARA }], channelData: { tenant: { id: TEAMS_DEMO_TENANT_ID } }, isGroup: false };
    const open = async (member: string): Promise<{ id: string }> =>
      (await (await fetch(`${s.serviceUrl}v3/conversations`, { method: 'POST', headers: connector, body: JSON.stringify({ ...create, members: [{ id: member }] }) })).json()) as { id: string };
    const { id } = await open(AMARA);
    expect((await open(TEAMS_DEMO_USERS.amara.id)).id).toBe(id);
    const pasted = await s.postFile({ user: AMARA, place: { personal: true }, name: 'p.png', bytes: PHOTO, pasted: true });
    expect(pasted.conversationId).toBe(id);
    const image = (pasted.activity['attachments'] as { contentType: string; contentUrl: string }[])[0];
    expect(image?.contentType).toBe('image/png');
    expect((await fetch(image?.contentUrl ?? '')).status).toBe(401);
    expect(Buffer.from(await (await fetch(image?.contentUrl ?? '', { headers: connector })).arrayBuffer())).toEqual(PHOTO);

    const card = { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4', body: [] } };
    const sent = await fetch(conv(s, id, `/activities/${pasted.messageId}`), { method: 'POST', headers: connector, body: JSON.stringify({ type: 'message', attachments: [card] }) });
    const { id: cardId } = (await sent.json()) as { id: string };
    expect(s.personalMessages(AMARA).map((m) => m.attachments[0]?.['contentType'])).toEqual(['image/png', card.contentType]);
    expect((await fetch(conv(s, id, `/activities/${pasted.messageId}`), { method: 'PUT', headers: connector, body: JSON.stringify({ type: 'message', text: 'x' }) })).status).toBe(403);
    expect((await fetch(conv(s, id, `/activities/${cardId}`), { method: 'PUT', headers: connector, body: JSON.stringify({ type: 'message', text: 'updated' }) })).status).toBe(200);
    expect(s.personalMessages(AMARA).at(-1)?.text).toBe('updated');

    await receiver(s);
    const answer = await s.invoke({ user: AMARA, conversationId: id, replyToId: cardId, name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'ok', data: {} }, trigger: 'manual' } });
    expect(answer).toEqual({ status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'done' } });
  });
});
