// The real botbuilder CloudAdapter over HTTP, fed activities signed by the
// local Teams stand-in: uploads in channels, group chats and personal chats
// leave the conversation, are stored encrypted and linked to their patient,
// and one card appears in the right thread; nothing Loupe sends to the Bot
// Connector or Graph carries PHI, and each token goes only to its own host.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_DEMO_GROUP_CHAT, TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS, type TeamsMessage, type TeamsStandIn } from '../../src/demo/teams/index.js';
import type { Loupe } from '../../src/main.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../src/storage/workspaces.js';
import { drained } from '../support/drain.js';
import { plantedDicom } from '../support/planted-dicom.js';
import { testEngines } from '../support/engines.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';
import { until } from '../support/until.js';

const PATIENT = { name: 'ABERNATHY^CORDELIA', identifier: 'MRN55831K', birthDate: '19520711' };
const AMARA = TEAMS_DEMO_USERS.amara.aadObjectId;
const LI_WEI = TEAMS_DEMO_USERS.liWei.aadObjectId;
const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;
const RADIOLOGY = TEAMS_DEMO_TEAM.channels.radiology.id;

/** The Adaptive Card a bot message carries, as JSON text. */
const cardOf = (m: TeamsMessage | undefined) => JSON.stringify(m?.attachments ?? []);

describe.each(testEngines())('Teams intake on %s', (engine) => {
  let env: TeamsLoupe;
  let loupe: Loupe;
  let teams: TeamsStandIn;
  let workspaceId: string;
  let photo: Buffer;

  beforeAll(async () => {
    env = await startTeamsLoupe(engine, { env: { PUBLIC_URL: 'https://loupe.hospital.example' } });
    ({ loupe, teams, workspaceId } = env);
    photo = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    await loupe.services.storage.policies.change(workspaceId, WORKSPACE_DEFAULT_CHANNEL, { interception: true, identifierPattern: '\\b(MRN\\d{5}[A-Z])\\b' }, { type: 'admin', id: 'test' });
  });
  afterAll(() => env?.close());

  const botMessagesIn = (conversationId: string) => teams.messages.filter((m) => m.byBot && m.conversationId === conversationId && !m.deletedDateTime);
  const assetOf = (sourceRefStart: string) =>
    until('the asset settled', async () => {
      const a = await loupe.services.storage.db.prisma.asset.findFirst({ where: { workspaceId, sourceRef: { startsWith: sourceRefStart } }, include: { blobs: true } });
      return a && a.removal !== 'pending' && a.status !== 'received' && a.status !== 'processing' ? a : undefined;
    });

  it('takes a file out of a channel (hidden by policy violation), stores it encrypted, and posts one card in its thread', async () => {
    const posted = await teams.postFile({ user: AMARA, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'wound.jpg', bytes: photo });
    expect(posted.delivery?.status).toBe(200);
    const thread = `${WOUNDS};messageid=${posted.messageId}`;
    const card = await until('the card', () => botMessagesIn(thread)[0]);
    expect(cardOf(card)).toContain('Clinical photo');
    expect(cardOf(card)).toMatch(/https:\/\/loupe\.hospital\.example\/view\/[A-Za-z0-9_-]{43}/);
    expect(cardOf(card)).toContain('Dr Amara Okafor');
    const asset = await assetOf(`${thread}|${posted.messageId}|`);
    expect(asset.status).toBe('stored');
    expect(asset.removal).toBe('removed');
    expect(asset.blobs.map((b) => b.kind).sort()).toEqual(['derivative', 'original', 'preview']);
    expect(teams.messages.find((m) => m.id === posted.messageId)?.hiddenByPolicy).toBe(true);
    // Where the file lives (its SharePoint address names it) is kept only sealed.
    expect(asset.sourceLocator).not.toBeNull();
    expect(Buffer.from(asset.sourceLocator!).includes(Buffer.from('wound.jpg'))).toBe(false);
    // The same activity again (Teams retries), and again as an edit of the message: still one asset and one card.
    expect((await teams.deliver(posted.activity)).status).toBe(200);
    expect((await teams.deliver({ ...posted.activity, type: 'messageUpdate' })).status).toBe(200);
    await drained(loupe);
    expect(botMessagesIn(thread)).toHaveLength(1);
    expect(await loupe.services.storage.db.prisma.asset.count({ where: { workspaceId, sourceRef: { startsWith: `${thread}|${posted.messageId}|` } } })).toBe(1);
  });

  it('takes images pasted in a channel reply and in a group chat, and a file sent in a personal chat', async () => {
    const root = await teams.postText({ user: LI_WEI, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'Dressing change tomorrow', mention: false });
    const reply = await teams.postFile({ user: AMARA, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS, threadRoot: root.messageId }, name: 'image.png', bytes: photo, pasted: true });
    const thread = `${WOUNDS};messageid=${root.messageId}`;
    expect(cardOf(await until('the reply’s card', () => botMessagesIn(thread)[0]))).toContain('Clinical photo');
    expect(teams.calls.some((c) => c.host === 'graph' && c.path.includes(`/messages/${root.messageId}/replies/${reply.messageId}/hostedContents/`))).toBe(true);

    const chat = await teams.postFile({ user: AMARA, place: { groupChat: TEAMS_DEMO_GROUP_CHAT.id }, name: 'image.png', bytes: photo, pasted: true });
    expect(cardOf(await until('the group chat’s card', () => botMessagesIn(TEAMS_DEMO_GROUP_CHAT.id)[0]))).toContain('Clinical photo');
    expect((await assetOf(`${TEAMS_DEMO_GROUP_CHAT.id}|${chat.messageId}|`)).removal).toBe('removed');

    const personal = await teams.postFile({ user: LI_WEI, place: { personal: true }, name: 'leg.jpg', bytes: photo });
    expect(cardOf(await until('the personal chat’s card', () => botMessagesIn(personal.conversationId).find((m) => cardOf(m).includes('Clinical photo'))))).toContain('View');
    // Graph knows personal chats by other ids: the sender is asked to delete it instead.
    expect((await assetOf(`${personal.conversationId}|${personal.messageId}|`)).status).toBe('stored');
    await until('the sender asked', () => teams.personalMessages(LI_WEI).find((m) => cardOf(m).includes('Please delete the original')));
  });

  it('links a DICOM file to the patient its header names, and sends Teams no PHI at all', async () => {
    const posted = await teams.postFile({ user: AMARA, place: { team: TEAMS_DEMO_TEAM.id, channel: RADIOLOGY }, name: 'ct.dcm', bytes: await plantedDicom(PATIENT), text: `Second opinion please, ${PATIENT.identifier}` });
    const thread = `${RADIOLOGY};messageid=${posted.messageId}`;
    expect(cardOf(await until('the card', () => botMessagesIn(thread)[0]))).toContain('DICOM image · CT');
    const asset = await assetOf(`${thread}|${posted.messageId}|`);
    expect(asset.patientId).not.toBeNull();
    expect(asset.removal).toBe('removed');
    await drained(loupe);
    const sent = teams.calls.filter((c) => c.host === 'connector' || c.host === 'graph').map((c) => `${c.path} ${c.body}`);
    expect(sent.length).toBeGreaterThan(3);
    for (const needle of [PATIENT.identifier, 'ABERNATHY', 'CORDELIA', PATIENT.birthDate, '1952-07-11']) expect(sent.filter((s) => s.includes(needle))).toEqual([]);
  });

  it('links a photo to the patient its message names (the identifier pattern), and leaves a file that is no image in the chat', async () => {
    const named = await teams.postFile({ user: AMARA, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'heel.jpg', bytes: photo, text: 'Pressure sore, MRN60606P' });
    const asset = await assetOf(`${WOUNDS};messageid=${named.messageId}|${named.messageId}|`);
    expect(asset.patientId).not.toBeNull();
    const card = await until('the card', () => botMessagesIn(`${WOUNDS};messageid=${named.messageId}`)[0]);
    expect(cardOf(card)).not.toContain('MRN60606P');
    const notes = await teams.postFile({ user: AMARA, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'handover.txt', bytes: Buffer.from('Handover notes for the night shift\n') });
    const left = await assetOf(`${WOUNDS};messageid=${notes.messageId}|${notes.messageId}|`);
    expect(left.errorCode).toBe('LOUPE_NOT_AN_IMAGE');
    await drained(loupe);
    expect(teams.messages.find((m) => m.id === notes.messageId)?.hiddenByPolicy).toBe(false);
    expect(botMessagesIn(`${WOUNDS};messageid=${notes.messageId}`)).toHaveLength(0);
  });

  it('tells only the sender, privately and without naming anything, when a channel that takes photos only gets a DICOM file, and leaves it there with no card', async () => {
    const admin = { type: 'admin' as const, id: 'test' };
    await loupe.services.storage.policies.change(workspaceId, WOUNDS, { acceptedKinds: ['photo'] }, admin);
    try {
      await drained(loupe);
      const from = teams.messages.length;
      const posted = await teams.postFile({ user: AMARA, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'ABERNATHY-ct.dcm', bytes: await plantedDicom(PATIENT), text: `CT for ${PATIENT.identifier}` });
      const note = await until('the sender told', () => teams.personalMessages(AMARA).find((m) => m.text.includes('accepts photos only')));
      expect(note.text).toContain('The conversation where it was posted accepts photos only');
      expect(note.text).toContain('left your DICOM file in that conversation as it is');
      expect(note.text).toContain('ask an admin, or use a channel that accepts DICOM files');
      const left = await assetOf(`${WOUNDS};messageid=${posted.messageId}|${posted.messageId}|`);
      expect([left.status, left.errorCode, left.blobs]).toEqual(['failed', 'LOUPE_KIND_NOT_ACCEPTED', []]);
      await drained(loupe);
      // Nobody else hears of it, nothing is said in the channel, and the file stays.
      expect(teams.messages.slice(from).filter((m) => m.byBot)).toEqual([note]);
      expect(teams.messages.find((m) => m.id === posted.messageId)?.hiddenByPolicy).toBe(false);
      for (const value of [PATIENT.identifier, 'ABERNATHY', 'CORDELIA', PATIENT.birthDate, '.dcm', left.id]) expect(JSON.stringify(note)).not.toContain(value);
    } finally {
      await loupe.services.storage.policies.change(workspaceId, WOUNDS, { acceptedKinds: ['photo', 'dicom'] }, admin);
    }
  });

  it('reads no file the message names outside the conversation’s own files (another site of the tenant)', async () => {
    await drained(loupe);
    const downloadsBefore = teams.calls.filter((c) => c.host === 'files').length;
    const elsewhere = teams.addSiteFile('HR', 'staff-photo.jpg', photo);
    const posted = await teams.postFile({ user: AMARA, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'x.jpg', bytes: photo }, { deliver: false });
    const attachments = (posted.activity['attachments'] as Record<string, unknown>[]).map((a) => (a['contentType'] === 'reference' ? { ...a, contentUrl: elsewhere } : a));
    expect((await teams.deliver({ ...posted.activity, attachments })).status).toBe(200);
    const asset = await assetOf(`${WOUNDS};messageid=${posted.messageId}|${posted.messageId}|`);
    expect([asset.status, asset.errorCode]).toEqual(['failed', 'LOUPE_INVALID_INPUT']);
    const share = `u!${Buffer.from(elsewhere).toString('base64url')}`;
    expect(teams.calls.some((c) => c.path.includes(`${share}/driveItem/content`))).toBe(false);
    await drained(loupe);
    // Nothing was downloaded at all for it: the file host saw no request since the message came.
    expect(teams.calls.filter((c) => c.host === 'files').length).toBe(downloadsBefore);
    expect(botMessagesIn(`${WOUNDS};messageid=${posted.messageId}`)).toHaveLength(0);
  });

  it('sends each token only to its own host: the Bot Connector token to the service URL, the Graph token to Graph, none to file downloads', async () => {
    await drained(loupe);
    const byHost = (host: string) => new Set(teams.calls.filter((c) => c.host === host).map((c) => c.auth));
    expect(byHost('connector')).toEqual(new Set(['bot_connector']));
    expect(byHost('graph')).toEqual(new Set(['graph']));
    expect(byHost('files')).toEqual(new Set(['none']));
  });

  it('redraws the card for everyone when it is revoked, and refuses a revoke from anyone but its sender or an admin', async () => {
    const posted = await teams.postFile({ user: AMARA, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'x.jpg', bytes: photo });
    const thread = `${WOUNDS};messageid=${posted.messageId}`;
    const card = await until('the card', () => botMessagesIn(thread)[0]);
    const cardId = /"cardId":"([^"]+)"/.exec(cardOf(card))![1]!;
    // Li Wei is a member but not the sender: a revoke she forges is refused.
    const stranger = await teams.invoke({ user: LI_WEI, conversationId: thread, replyToId: card.id, name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'loupe.revoke', data: { cardId } }, trigger: 'manual' } });
    expect(JSON.stringify(stranger.body)).toContain('Only the sender');
    expect((await loupe.services.storage.db.prisma.card.findUniqueOrThrow({ where: { id: cardId } })).state).not.toBe('revoked');
    const own = await teams.invoke({ user: AMARA, conversationId: thread, replyToId: card.id, name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'loupe.revoke', data: { cardId } }, trigger: 'manual' } });
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body)).toContain('Revoked');
    await until('the card redrawn for everyone', () => cardOf(teams.messages.find((m) => m.id === card.id)).includes('Revoked: no longer available here.'));
    expect(cardOf(teams.messages.find((m) => m.id === card.id))).not.toContain('/view/');
  });

  it('tells the sender privately when a file is damaged, and its card, posted once the original was secured, loses its buttons', async () => {
    const broken = Buffer.concat([photo.subarray(0, 600)]);
    const posted = await teams.postFile({ user: AMARA, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'broken.jpg', bytes: broken });
    await until('the sender told', () => teams.personalMessages(AMARA).find((m) => m.text.includes('could not secure your upload')));
    const thread = `${WOUNDS};messageid=${posted.messageId}`;
    await until('the card redrawn', () => botMessagesIn(thread).find((m) => cardOf(m).includes('Could not be prepared for viewing')));
    await drained(loupe);
    const cards = botMessagesIn(thread);
    expect(cards).toHaveLength(1);
    expect(cardOf(cards[0])).not.toMatch(/"title":"(View|Invite specialist|Revoke)"/);
  });
});
