// Every request to /api/messages must carry a token Teams signed for this
// app and this activity's service URL. Anything else is refused with 401
// and leaves nothing behind: no asset, no conversation, no job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS, type Activity, type TeamsStandIn } from '../../src/demo/teams/index.js';
import type { Loupe } from '../../src/main.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../src/storage/workspaces.js';
import { startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';

const PHOTO = Buffer.from('ffd8ffe000104a46494600010101004800480000ffd9', 'hex');

describe('Teams requests that are not from Teams', () => {
  let env: TeamsLoupe;
  let loupe: Loupe;
  let teams: TeamsStandIn;
  let activity: Activity;

  beforeAll(async () => {
    env = await startTeamsLoupe('pglite');
    ({ loupe, teams } = env);
    await loupe.services.storage.policies.change(env.workspaceId, WORKSPACE_DEFAULT_CHANNEL, { interception: true }, { type: 'admin', id: 'test' });
    activity = (await teams.postFile({ user: TEAMS_DEMO_USERS.amara.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: TEAMS_DEMO_TEAM.channels.wound.id }, name: 'a.jpg', bytes: PHOTO }, { deliver: false })).activity;
  });
  afterAll(() => env?.close());

  const nothingStored = async () => {
    const { prisma } = loupe.services.storage.db;
    expect(await prisma.asset.count()).toBe(0);
    expect(await prisma.chatConversation.count()).toBe(0);
    expect(await prisma.job.count({ where: { type: 'upload.ingest' } })).toBe(0);
  };
  const serviceUrl = () => String(activity['serviceUrl']);
  const hour = 3600;
  const now = () => Math.floor(Date.now() / 1000);

  const forged: [string, () => Promise<string | undefined>][] = [
    ['no token at all', async () => undefined],
    ['a token signed with a key Teams did not publish', () => teams.inboundToken(serviceUrl(), { unknownKey: true })],
    ['an unsigned token (alg none)', () => teams.inboundToken(serviceUrl(), { algNone: true })],
    ['an expired token', () => teams.inboundToken(serviceUrl(), { claims: { iat: now() - 3 * hour, nbf: now() - 3 * hour, exp: now() - 2 * hour } })],
    ['a token for another app', () => teams.inboundToken(serviceUrl(), { claims: { aud: '11111111-2222-4333-8444-555555555555' } })],
    ['a token from another issuer', () => teams.inboundToken(serviceUrl(), { claims: { iss: 'https://sts.windows.net/evil/' } })],
    ['a token for another service URL', () => teams.inboundToken(serviceUrl(), { claims: { serviceurl: 'https://smba.trafficmanager.net/emea/' } })],
  ];

  it.each(forged)('refuses %s with 401 and stores nothing', async (_what, token) => {
    const t = await token();
    const delivery = await teams.deliver(activity, t === undefined ? { token: '' } : { token: t });
    expect(delivery.status).toBe(401);
    await nothingStored();
  });

  it('refuses an activity naming a service URL that is not an allowed host, even with a matching token', async () => {
    const elsewhere = 'https://bot-connector.attacker.example/teams/';
    const delivery = await teams.deliver({ ...activity, serviceUrl: elsewhere }, { token: await teams.inboundToken(elsewhere) });
    expect(delivery.status).toBe(401);
    await nothingStored();
  });

  it('refuses an activity that names another tenant in any of its tenant fields with 403', async () => {
    const mixed = { ...activity, channelData: { ...(activity['channelData'] as object), tenant: { id: '99999999-8888-4777-8666-555555555555' } } };
    expect((await teams.deliver(mixed)).status).toBe(403);
    await nothingStored();
  });

  it('refuses an activity from another tenant with 403', async () => {
    const other = { ...activity, conversation: { ...(activity['conversation'] as object), tenantId: '99999999-8888-4777-8666-555555555555' }, channelData: { ...(activity['channelData'] as object), tenant: { id: '99999999-8888-4777-8666-555555555555' } } };
    expect((await teams.deliver(other)).status).toBe(403);
    await nothingStored();
  });

  it('takes the same activity signed as Teams signs it', async () => {
    expect((await teams.deliver(activity)).status).toBe(200);
    expect(await loupe.services.storage.db.prisma.asset.count()).toBe(1);
  });
});

describe('Teams requests signed by a key not endorsed for Teams', () => {
  let env: TeamsLoupe | undefined;
  afterAll(() => env?.close());

  it('refuses them with 401, however well signed, and stores nothing', async () => {
    // The Bot Framework's keys list the channels they sign for; a key endorsed only for another channel must not speak for Teams.
    env = await startTeamsLoupe('pglite', { endorsements: ['skype'] });
    await env.loupe.services.storage.policies.change(env.workspaceId, WORKSPACE_DEFAULT_CHANNEL, { interception: true }, { type: 'admin', id: 'test' });
    const posted = await env.teams.postFile({ user: TEAMS_DEMO_USERS.amara.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: TEAMS_DEMO_TEAM.channels.wound.id }, name: 'a.jpg', bytes: PHOTO });
    expect(posted.delivery?.status).toBe(401);
    expect(await env.loupe.services.storage.db.prisma.asset.count()).toBe(0);
  });
});
