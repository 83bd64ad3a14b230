// Cards in Teams, pressed by the people who see them: the sender asked to
// delete an original where Loupe may not hide it, expiry redrawing the card
// for everyone, each user's own drawing (refresh) with only what they may do,
// Link patient in the card and in the private prompt's dialog, Invite
// specialist, and the @Loupe commands. Every press is checked again by Loupe.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_DEMO_GROUP_CHAT, TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS, type TeamsMessage, type TeamsStandIn } from '../../src/demo/teams/index.js';
import type { Loupe } from '../../src/main.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';
import { until } from '../support/until.js';

const { amara: SENDER, liWei: COLLEAGUE, sam: SPECIALIST, jordan: OWNER } = TEAMS_DEMO_USERS;
const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;
const RADIOLOGY = TEAMS_DEMO_TEAM.channels.radiology.id;

const json = (v: unknown) => JSON.stringify(v ?? null);

describe('Teams cards, buttons and commands', () => {
  let env: TeamsLoupe;
  let loupe: Loupe;
  let teams: TeamsStandIn;
  let photo: Buffer;

  beforeAll(async () => {
    // A tenant without Communications DLP: Loupe cannot hide originals, so it asks their senders.
    // Sam administers Loupe by configuration (LOUPE_TEAMS_ADMINS); Jordan by owning the team.
    env = await startTeamsLoupe('pglite', { dlp: false, env: { LOUPE_CARD_SWEEP_SECONDS: '1', PUBLIC_URL: 'https://loupe.hospital.example', LOUPE_TEAMS_ADMINS: TEAMS_DEMO_USERS.sam.aadObjectId } });
    ({ loupe, teams } = env);
    photo = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    const { policies } = loupe.services.storage;
    await policies.change(env.workspaceId, WOUNDS, { interception: true }, { type: 'admin', id: 'test' });
    await policies.change(env.workspaceId, TEAMS_DEMO_GROUP_CHAT.id, { interception: true }, { type: 'admin', id: 'test' });
    // Radiology's cards live one second, so the sweep expires them during the test.
    await policies.change(env.workspaceId, RADIOLOGY, { interception: true, cardLifetimeSeconds: 1 }, { type: 'admin', id: 'test' });
  });
  afterAll(() => env?.close());

  const prisma = () => loupe.services.storage.db.prisma;
  async function post(channel: string, user: string = SENDER.aadObjectId) {
    const p = await teams.postFile({ user, place: { team: TEAMS_DEMO_TEAM.id, channel }, name: 'photo.jpg', bytes: photo });
    const thread = `${channel};messageid=${p.messageId}`;
    const message = await until('the card', () => teams.messages.find((m) => m.byBot && m.conversationId === thread));
    const card = await until('the card row', async () => (await prisma().card.findFirst({ where: { threadId: p.messageId, messageId: { not: null } } })) ?? undefined);
    return { posted: p, thread, message, card };
  }
  const execute = (user: string, thread: string, verb: string, data: Record<string, unknown>, replyToId?: string) =>
    teams.invoke({ user, conversationId: thread, ...(replyToId ? { replyToId } : {}), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });
  const toldPrivately = (user: string, words: string) => until(`"${words}" in a personal chat`, () => teams.personalMessages(user).find((m) => json(m).includes(words)));

  it('asks the sender privately to delete an original it may not hide, and believes the sender once it is gone', async () => {
    const { posted, card } = await post(WOUNDS);
    const ask = await toldPrivately(SENDER.aadObjectId, 'Please delete the original');
    expect(json(ask)).toContain('loupe.removal_done');
    expect(teams.messages.find((m) => m.id === posted.messageId)?.hiddenByPolicy).toBe(false);
    await until('removal requested', async () => (await prisma().asset.findUniqueOrThrow({ where: { id: card.assetId } })).removal === 'requested');
    const personal = ask.conversationId;
    // Someone else's press of the sender's button is not believed.
    expect(json((await execute(COLLEAGUE.aadObjectId, personal, 'loupe.removal_done', { value: card.assetId })).body)).toContain('Only the sender');
    // The sender's press while it is still there gets a reminder...
    await execute(SENDER.aadObjectId, personal, 'loupe.removal_done', { value: card.assetId });
    await toldPrivately(SENDER.aadObjectId, 'still in that conversation');
    // ...and once they deleted it, Loupe reads the deletion back through Graph and records it.
    teams.deleteByUser(posted.conversationId, posted.messageId);
    await execute(SENDER.aadObjectId, personal, 'loupe.removal_done', { value: card.assetId });
    await until('removed', async () => (await prisma().asset.findUniqueOrThrow({ where: { id: card.assetId } })).removal === 'removed');
  });

  it('redraws a card for everyone when it expires: no View, and its link stops working', async () => {
    const { message, card } = await post(RADIOLOGY);
    expect(json(message.attachments)).toContain('/view/');
    await until('the expiry redraw', () => json(teams.messages.find((m) => m.id === message.id)?.attachments).includes('Expired'));
    expect(json(teams.messages.find((m) => m.id === message.id)?.attachments)).not.toContain('/view/');
    expect(await prisma().linkToken.count({ where: { cardId: card.id, revokedAt: null } })).toBe(0);
  });

  it('draws the card for each user: Revoke and Link patient only for its sender and the team’s owners', async () => {
    const { thread, message, card } = await post(WOUNDS);
    const everyone = json(message.attachments);
    expect(everyone).toContain('Invite specialist');
    expect(everyone).not.toContain('loupe.revoke');
    // Teams asks Loupe for the sender's, the owners' and the configured admins' own drawings.
    expect(everyone).toContain(`"userIds":["${SENDER.id}","${OWNER.id}","${SPECIALIST.id}"]`);
    const own = json((await execute(SENDER.aadObjectId, thread, 'loupe.refresh', { cardId: card.id }, message.id)).body);
    expect(own).toContain('loupe.revoke');
    expect(own).toContain('loupe.link_patient');
    expect(json((await execute(OWNER.aadObjectId, thread, 'loupe.refresh', { cardId: card.id }, message.id)).body)).toContain('loupe.revoke');
    const theirs = json((await execute(COLLEAGUE.aadObjectId, thread, 'loupe.refresh', { cardId: card.id }, message.id)).body);
    expect(theirs).not.toContain('loupe.revoke');
    expect(theirs).toMatch(/\/view\/[A-Za-z0-9_-]{43}/);
    // A user's own drawing has a link of its own: everyone else's keeps working.
    expect(await prisma().linkToken.count({ where: { cardId: card.id, revokedAt: null } })).toBe(4);
    // A configured admin who is no owner may manage it too.
    expect(json((await execute(SPECIALIST.aadObjectId, thread, 'loupe.refresh', { cardId: card.id }, message.id)).body)).toContain('loupe.revoke');
  });

  it('links a patient from the card’s form, for its sender only, and activates the card for everyone', async () => {
    const { thread, message, card } = await post(WOUNDS);
    expect(json((await execute(COLLEAGUE.aadObjectId, thread, 'loupe.link_patient', { cardId: card.id }, message.id)).body)).toContain('Only the sender');
    const form = json((await execute(SENDER.aadObjectId, thread, 'loupe.link_patient', { cardId: card.id }, message.id)).body);
    expect(form).toContain('Patient identifier (MRN)');
    const missing = json((await execute(SENDER.aadObjectId, thread, 'loupe.link_patient.submit', { cardId: card.id, identifier: '', issuer: '' }, message.id)).body);
    expect(missing).toContain('Give the identifier');
    const linked = json((await execute(SENDER.aadObjectId, thread, 'loupe.link_patient.submit', { cardId: card.id, identifier: 'MRN90210X', issuer: 'HOSPITAL-A', note: 'left shin' }, message.id)).body);
    expect(linked).toContain('Available until');
    expect((await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state).toBe('active');
    await until('the card redrawn for everyone', () => json(teams.messages.find((m) => m.id === message.id)?.attachments).includes('Available until'));
    expect(teams.calls.filter((c) => c.host !== 'delivery').some((c) => c.body.includes('MRN90210X') || c.body.includes('left shin'))).toBe(false);
  });

  it('moves an image to the right patient from the card, for its sender only, with the reason audited', async () => {
    const { thread, message, card } = await post(WOUNDS);
    await execute(SENDER.aadObjectId, thread, 'loupe.link_patient.submit', { cardId: card.id, identifier: 'MRN11111A', issuer: 'HOSPITAL-A' }, message.id);
    const linked = (await prisma().asset.findUniqueOrThrow({ where: { id: card.assetId } })).patientId;
    expect(json((await execute(SENDER.aadObjectId, thread, 'loupe.refresh', { cardId: card.id }, message.id)).body)).toContain('loupe.correct_patient');
    expect(json((await execute(COLLEAGUE.aadObjectId, thread, 'loupe.correct_patient', { cardId: card.id }, message.id)).body)).toContain('Only the sender of this image or an admin can correct');
    expect(json((await execute(SENDER.aadObjectId, thread, 'loupe.correct_patient', { cardId: card.id }, message.id)).body)).toContain('wrong_patient_selected');
    const vague = json((await execute(SENDER.aadObjectId, thread, 'loupe.correct_patient.submit', { cardId: card.id, identifier: 'MRN22222B', issuer: 'HOSPITAL-A', reason: 'because', explanation: 'mixed up beds' }, message.id)).body);
    expect(vague).toContain('Nothing was changed');
    const moved = json((await execute(SENDER.aadObjectId, thread, 'loupe.correct_patient.submit', { cardId: card.id, identifier: 'MRN22222B', issuer: 'HOSPITAL-A', reason: 'wrong_patient_selected', explanation: 'mixed up beds 4 and 5' }, message.id)).body);
    expect(moved).toContain('Available until');
    const after = (await prisma().asset.findUniqueOrThrow({ where: { id: card.assetId } })).patientId;
    expect(after).not.toBeNull();
    expect(after).not.toBe(linked);
    expect(await prisma().auditEvent.count({ where: { assetId: card.assetId, action: 'patient.corrected', outcome: 'success' } })).toBe(1);
    expect(teams.calls.filter((c) => c.host !== 'delivery').some((c) => c.body.includes('MRN22222B') || c.body.includes('mixed up beds'))).toBe(false);
  });

  it('links a patient from the dialog of the sender’s private prompt', async () => {
    const { card } = await post(WOUNDS);
    const prompt = await until('the prompt', () => teams.personalMessages(SENDER.aadObjectId).find((m: TeamsMessage) => json(m).includes(card.id) && json(m).includes('task/fetch')));
    const dialog = (user: string, name: 'task/fetch' | 'task/submit', data: Record<string, unknown>) => teams.invoke({ user, conversationId: prompt.conversationId, name, value: { data } });
    // Someone else pressing in the sender's personal chat (a forged invoke) is not in the card's place.
    expect(json((await dialog(COLLEAGUE.aadObjectId, 'task/fetch', { cardId: card.id })).body)).toContain('does not belong');
    expect(json((await dialog(SENDER.aadObjectId, 'task/fetch', { cardId: card.id })).body)).toContain('"type":"continue"');
    const done = json((await dialog(SENDER.aadObjectId, 'task/submit', { cardId: card.id, identifier: 'MRN31337Z', issuer: 'HOSPITAL-A' })).body);
    expect(done).toContain('Linked to a patient');
    expect((await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state).toBe('active');
  });

  it('asks before it revokes: the first press only asks, the question’s own button revokes, for the sender or an admin only', async () => {
    const { thread, message, card } = await post(WOUNDS);
    const state = async () => (await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state;
    // The sender's own drawing's Revoke button asks; it does not act.
    const own = (await execute(SENDER.aadObjectId, thread, 'loupe.refresh', { cardId: card.id }, message.id)).body as { value: { actions: { title: string; verb?: string }[] } };
    expect(own.value.actions.find((a) => a.title === 'Revoke')?.verb).toBe('loupe.revoke.ask');
    const question = (await execute(SENDER.aadObjectId, thread, 'loupe.revoke.ask', { cardId: card.id }, message.id)).body as { type: string; value: { body: { text: string }[]; actions: { title: string; verb: string; style?: string }[] } };
    expect(question.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(question.value.body.map((b) => b.text)).toEqual(['Revoke for everyone?', 'Nobody, you included, will be able to open this image from its card or its links any more.']);
    expect(question.value.actions.map((a) => [a.title, a.verb, a.style])).toEqual([
      ['Revoke for everyone', 'loupe.revoke', 'destructive'],
      ['Cancel', 'loupe.refresh', undefined],
    ]);
    expect(await state()).toBe('waiting_for_patient');
    expect(await prisma().auditEvent.count({ where: { action: 'asset.revoked', assetId: card.assetId } })).toBe(0);
    // Cancel draws the presser's card again, untouched.
    expect(json((await execute(SENDER.aadObjectId, thread, 'loupe.refresh', { cardId: card.id }, message.id)).body)).toContain('/view/');
    // Someone who may not revoke is not asked, and their press of the second step is refused.
    expect(json((await execute(COLLEAGUE.aadObjectId, thread, 'loupe.revoke.ask', { cardId: card.id }, message.id)).body)).toContain('Only the sender of this image or an admin can revoke it.');
    expect(json((await execute(COLLEAGUE.aadObjectId, thread, 'loupe.revoke', { cardId: card.id }, message.id)).body)).toContain('Only the sender of this image or an admin can revoke it.');
    expect(await state()).toBe('waiting_for_patient');
    const revoked = json((await execute(SENDER.aadObjectId, thread, 'loupe.revoke', { cardId: card.id }, message.id)).body);
    expect(revoked).toContain('Revoked');
    expect(revoked).not.toContain('/view/');
    expect(await state()).toBe('revoked');
    await until('the card redrawn for everyone', () => json(teams.messages.find((m) => m.id === message.id)?.attachments).includes('Revoked'));
    // The same press again (stale, or replayed) revokes nothing more, and a stale Revoke button no longer asks.
    expect(json((await execute(SENDER.aadObjectId, thread, 'loupe.revoke', { cardId: card.id }, message.id)).body)).not.toContain('/view/');
    const stale = json((await execute(SENDER.aadObjectId, thread, 'loupe.revoke.ask', { cardId: card.id }, message.id)).body);
    expect(stale).toContain('Revoked: no longer available here.');
    expect(stale).not.toContain('Revoke for everyone');
    expect(await prisma().auditEvent.count({ where: { action: 'asset.revoked', outcome: 'success', assetId: card.assetId } })).toBe(1);
  });

  it('invites a specialist and announces it in the thread', async () => {
    const { thread, message, card } = await post(WOUNDS);
    expect(json((await execute(SENDER.aadObjectId, thread, 'loupe.invite', { cardId: card.id }, message.id)).body)).toContain('graph.microsoft.com/users');
    await execute(SENDER.aadObjectId, thread, 'loupe.invite.submit', { cardId: card.id, specialist: SPECIALIST.aadObjectId }, message.id);
    const said = await until('the announcement', () => teams.messages.find((m) => m.byBot && m.conversationId === thread && m.text.includes('was invited')));
    expect(said.text).toBe(`${SPECIALIST.name} was invited to this consult by ${SENDER.name}.`);
    expect(await prisma().grant.count({ where: { userId: SPECIALIST.aadObjectId, consultId: card.consultId, revokedAt: null } })).toBe(1);
  });

  it('does nothing for a press that names a card of another conversation, even from a team owner', async () => {
    const p = await teams.postFile({ user: SENDER.aadObjectId, place: { groupChat: TEAMS_DEMO_GROUP_CHAT.id }, name: 'photo.jpg', bytes: photo });
    const card = await until('the group chat card', async () => (await prisma().card.findFirst({ where: { threadId: p.messageId, messageId: { not: null } } })) ?? undefined);
    // Jordan owns the team, but the group chat is not the team's: from his own channel thread, the card's id gets him nothing.
    const { thread } = await post(WOUNDS, OWNER.aadObjectId);
    for (const [verb, data] of [
      ['loupe.refresh', { cardId: card.id }],
      ['loupe.revoke', { cardId: card.id }],
      ['loupe.revoke.ask', { cardId: card.id }],
      ['loupe.link_patient.submit', { cardId: card.id, identifier: 'WRONG-MRN-999', issuer: 'HOSPITAL-A' }],
      ['loupe.invite.submit', { cardId: card.id, specialist: OWNER.aadObjectId }],
    ] as const) {
      const answer = json((await execute(OWNER.aadObjectId, thread, verb, data)).body);
      expect(answer).toContain('does not belong to a card of this conversation');
      expect(answer).not.toContain('/view/');
    }
    const dialog = await teams.invoke({ user: COLLEAGUE.aadObjectId, conversationId: thread, name: 'task/submit', value: { data: { cardId: card.id, identifier: 'WRONG-MRN-999', issuer: 'HOSPITAL-A' } } });
    expect(json(dialog.body)).toContain('does not belong');
    const after = await prisma().card.findUniqueOrThrow({ where: { id: card.id }, include: { asset: true } });
    expect([after.state, after.asset.patientId]).toEqual(['waiting_for_patient', null]);
    expect(await prisma().grant.count({ where: { consultId: card.consultId, userId: OWNER.aadObjectId } })).toBe(0);
  });

  it('refuses to invite someone who is not a person of the organisation', async () => {
    const { thread, message, card } = await post(WOUNDS);
    const answer = json((await execute(SENDER.aadObjectId, thread, 'loupe.invite.submit', { cardId: card.id, specialist: 'not-a-member-or-anyone' }, message.id)).body);
    expect(answer).toContain('Choose a person of your organisation');
    expect(await prisma().grant.count({ where: { userId: 'not-a-member-or-anyone' } })).toBe(0);
  });

  it('answers @Loupe status and policy in the thread, lets only admins change the policy, and ignores messages not meant for it', async () => {
    const said = (root: string) => teams.messages.filter((m) => m.byBot && m.conversationId === `${WOUNDS};messageid=${root}`).map((m) => m.text);
    const status = await teams.postText({ user: COLLEAGUE.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'status' });
    expect((await until('the status', () => said(status.messageId)[0]))).toContain('Interception here is **on**');
    const refused = await teams.postText({ user: COLLEAGUE.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'policy set lifetime 2d' });
    expect(await until('the refusal', () => said(refused.messageId)[0])).toContain('Only workspace admins');
    const changed = await teams.postText({ user: OWNER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'policy set lifetime 2d' });
    expect(await until('the change', () => said(changed.messageId)[0])).toContain('updated');
    expect((await loupe.services.storage.policies.effective(env.workspaceId, WOUNDS)).cardLifetimeSeconds).toBe(2 * 86400);
    // No PACS is configured here: the owner who makes sending automatic is told nothing will be sent.
    const automatic = await teams.postText({ user: OWNER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'policy set pacs automatic' });
    expect(await until('the PACS change', () => said(automatic.messageId)[0])).toContain('no PACS is configured for this Loupe');
    const back = await teams.postText({ user: OWNER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'policy set pacs on_request' });
    expect(await until('the PACS change back', () => said(back.messageId)[0])).not.toContain('no PACS is configured');
    // The team's owner runs this team's channels, not the default every team follows, nor break-glass; the configured admin does.
    for (const text of ['policy workspace set retention 1d', 'policy set breakglass on']) {
      const tried = await teams.postText({ user: OWNER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text });
      expect(await until('the owner’s refusal', () => said(tried.messageId)[0])).toContain('Only workspace admins can change the workspace default and break-glass');
    }
    const everywhere = await loupe.services.storage.policies.resolved(env.workspaceId, 'C0ELSEWHERE');
    expect([everywhere.policy.retentionDays, everywhere.policy.breakGlass]).toEqual([365, false]);
    const configured = await teams.postText({ user: SPECIALIST.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'policy set breakglass on' });
    expect(await until('the configured admin’s change', () => said(configured.messageId)[0])).toContain('Workspace default');
    expect((await loupe.services.storage.policies.resolved(env.workspaceId, 'C0ELSEWHERE')).policy.breakGlass).toBe(true);
    const chatter = await teams.postText({ user: COLLEAGUE.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'status of bed 4?', mention: false });
    expect(chatter.delivery?.status).toBe(200);
    expect(said(chatter.messageId)).toEqual([]);
  });

  it('shows @Loupe policy as a list of settings and a list of the commands that change them', async () => {
    const said = (root: string) => teams.messages.filter((m) => m.byBot && m.conversationId === `${WOUNDS};messageid=${root}`).map((m) => m.text);
    const asked = await teams.postText({ user: OWNER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'policy' });
    const shown = await until('the policy', () => said(asked.messageId)[0]);
    const [heading, settings, changing, intro, commands] = shown.split('\n\n');
    expect(heading).toBe('**Policy of this channel**');
    expect(settings!.split('\n')[0]).toBe('- **Interception:** on');
    expect(settings!.split('\n').every((line) => /^- \*\*[^*]+:\*\* \S/.test(line))).toBe(true);
    expect(settings).toContain('- **Card lifetime:** ');
    expect(changing).toBe('**Changing the policy**');
    expect(intro).toContain('`@Loupe policy workspace` the workspace default');
    expect(commands!.split('\n')[0]).toBe('- `@Loupe policy set interception on|off`');
  });

  it('answers a command it does not have with its word and the help, in a channel and in the personal chat, never the rest of the text', async () => {
    const said = (root: string) => teams.messages.filter((m) => m.byBot && m.conversationId === `${WOUNDS};messageid=${root}`).map((m) => m.text);
    const asked = await teams.postText({ user: COLLEAGUE.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: 'frobnicate MRN-515151 Zebedee' });
    const answer = await until('the answer', () => said(asked.messageId)[0]);
    expect(answer).toMatch(/^Unknown command: frobnicate\n\n\*\*Loupe\*\* keeps clinical images out of the chat/);
    expect(answer).toContain('`@Loupe status`');
    expect(answer).not.toMatch(/515151|Zebedee/);
    await teams.postText({ user: COLLEAGUE.aadObjectId, place: { personal: true }, text: 'Frobnicate MRN-616161' });
    const personal = await until('the personal answer', () => teams.personalMessages(COLLEAGUE.aadObjectId).find((m) => m.byBot && m.text.startsWith('Unknown command')));
    expect(personal.text).toMatch(/^Unknown command: Frobnicate\n\n\*\*Loupe\*\* keeps/);
    expect(personal.text).not.toContain('616161');
  });
});
