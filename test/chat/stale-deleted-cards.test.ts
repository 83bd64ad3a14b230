// Old copies of a card whose image was crypto-shredded under retention: a
// message in a client that has not refreshed, a replayed interaction, a saved
// View link. Every button such a card may still show is pressed, on Slack and
// Teams, by its sender, an admin and a stranger, some twice: the card stays
// deleted, the link answers 410 with no image, nothing is linked, revoked,
// corrected or invited, and the audit trail records no success for any of it.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shredAsset } from '../../src/app/shred-asset.js';
import { AuditAction } from '../../src/core/audit/event.js';
import type { RunningIdentityProvider } from '../../src/demo/identity-provider/index.js';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS, type TeamsStandIn } from '../../src/demo/teams/index.js';
import type { Loupe } from '../../src/main.js';
import { consoleIdentityProvider } from '../support/console.js';
import { drained } from '../support/drain.js';
import { freePort } from '../support/free-port.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';
import { FormBrowser, formAction } from '../web/form-browser.js';

const DELETED_WORDS = 'Deleted under retention: this image no longer exists.';
/** The audit actions a press on a live card would record as a success. */
const SUCCESSES: string[] = [AuditAction.AssetRevoked, AuditAction.PatientLinked, AuditAction.PatientCorrected, AuditAction.ParticipantInvited, AuditAction.ParticipantAdded, AuditAction.PatientCreated];
const json = (v: unknown) => JSON.stringify(v ?? null);

/** Crypto-shreds a card's asset as the retention sweep does, and waits for its redraw job to run. */
async function shred(loupe: Loupe, assetId: string): Promise<void> {
  const { storage, clock, queue } = loupe.services;
  expect(await shredAsset({ blobs: storage.blobs, audit: storage.audit, queue, clock }, { assetId, actor: { type: 'system', id: 'retention' }, reason: 'retention' })).toBe(true);
  await drained(loupe);
}

/** What a press must leave as it was: the card, its asset, the consult's people and grants, the patients, the audit trail's successes. */
async function snapshot(loupe: Loupe, cardId: string) {
  const prisma = loupe.services.storage.db.prisma;
  const card = await prisma.card.findUniqueOrThrow({ where: { id: cardId }, include: { asset: true, consult: true } });
  return {
    card: card.state,
    asset: [card.asset.status, card.asset.patientId, card.asset.revokedAt],
    consultPatient: card.consult.patientId,
    patients: await prisma.patient.count(),
    participants: await prisma.consultParticipant.findMany({ where: { consultId: card.consultId }, orderBy: { userId: 'asc' } }),
    grants: await prisma.grant.findMany({ where: { consultId: card.consultId }, orderBy: { id: 'asc' } }),
    liveLinks: await prisma.linkToken.count({ where: { cardId, revokedAt: null } }),
    successes: await prisma.auditEvent.count({ where: { action: { in: SUCCESSES }, outcome: 'success', OR: [{ assetId: card.assetId }, { consultId: card.consultId }] } }),
  };
}

describe('stale cards of a shredded image, in Slack', () => {
  const WOUNDS = 'C0WOUNDS01';
  const SENDER = { id: 'U0CLIN0001', email: 'amara.okafor@hospital.example' };
  const STRANGER = 'U0CLIN0002';
  const NURSE = 'U0NURSE001';
  const ADMIN = 'U0ADMIN001';
  let env: SlackLoupe;
  let idp: RunningIdentityProvider;
  let loupe: Loupe;
  let jpeg: Buffer;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    const provider = await consoleIdentityProvider(port, `http://127.0.0.1:${port}`);
    idp = provider.idp;
    env = await startSlackLoupe('pglite', { giveAdminToken: true, env: provider.env });
    loupe = env.loupe;
    jpeg = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    await loupe.services.storage.policies.change(env.workspaceId, WOUNDS, { interception: true }, { type: 'admin', id: ADMIN });
  }, 120_000);
  afterAll(async () => {
    await env?.close();
    await idp?.close();
  });

  const prisma = () => loupe.services.storage.db.prisma;
  const slack = () => env.slack;
  async function posted() {
    const upload = await slack().uploadFile({ user: SENDER.id, channel: WOUNDS, name: 'photo.jpg', bytes: jpeg });
    const call = await until('the card', () => slack().calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === upload.ts));
    const card = await until('the card row', async () => (await prisma().card.findFirst({ where: { workspaceId: env.workspaceId, threadId: upload.ts, messageId: { not: null } } })) ?? undefined);
    const viewUrl = /"url":"([^"]+\/view\/[^"]+)"/.exec(String(call.params.blocks))![1]!;
    await drained(loupe);
    return { upload, call, card, viewUrl };
  }
  const updatesOf = (ts: string) => slack().calls.filter((c) => c.method === 'chat.update' && c.params.ts === ts);
  const block = (user: string, messageTs: string, action_id: string, value: string) => ({
    type: 'block_actions',
    user: { id: user },
    channel: { id: WOUNDS },
    message: { ts: messageTs },
    container: { type: 'message', message_ts: messageTs, channel_id: WOUNDS },
    actions: [{ type: 'button', action_id, block_id: 'b', value, action_ts: '1' }],
  });
  const linkModal = (user: string, cardId: string, identifier: string) => ({
    type: 'view_submission',
    user: { id: user },
    view: {
      id: 'V1',
      callback_id: 'loupe_link_patient_modal',
      private_metadata: JSON.stringify({ cardId }),
      state: { values: { identifier: { value: { type: 'plain_text_input', value: identifier } }, issuer: { value: { type: 'plain_text_input', value: 'ST-MARY' } }, note: { value: { type: 'plain_text_input', value: 'STALE-NOTE' } } } },
    },
  });
  const inviteModal = (user: string, cardId: string, specialist: string) => ({
    type: 'view_submission',
    user: { id: user },
    view: { id: 'V2', callback_id: 'loupe_invite_modal', private_metadata: cardId, state: { values: { specialist: { specialist_select: { type: 'users_select', selected_user: specialist } } } } },
  });
  const correctModal = (user: string, cardId: string) => ({
    type: 'view_submission',
    user: { id: user },
    view: {
      id: 'V3',
      callback_id: 'loupe_correct_patient_modal',
      private_metadata: JSON.stringify({ cardId }),
      state: {
        values: {
          identifier: { value: { type: 'plain_text_input', value: 'MRN-STALE-2' } },
          issuer: { value: { type: 'plain_text_input', value: 'ST-MARY' } },
          reason: { value: { type: 'static_select', selected_option: { value: 'wrong_patient_selected' } } },
          explanation: { value: { type: 'plain_text_input', value: 'beds mixed up' } },
        },
      },
    },
  });
  /** Sends a payload, twice (a replay), and returns both answers. */
  const twice = async (payload: Record<string, unknown>) => [await slack().interaction(payload), await slack().interaction(payload)];
  const ephemeralsTo = (user: string, since: number) => slack().calls.slice(since).filter((c) => c.method === 'chat.postEphemeral' && c.params.user === user).map((c) => String(c.params.text));

  it('answers the card’s old View link with 410 "Deleted under the retention policy", and serves no image bytes', async () => {
    const { card, viewUrl } = await posted();
    const browser = new FormBrowser();
    const form = await browser.follow(await browser.request(viewUrl), viewUrl);
    if (!('page' in form)) throw new Error('expected the provider’s form');
    const action = formAction(await form.page.text(), form.url);
    const done = await browser.follow(await browser.request(action, { form: { email: SENDER.email, password: 'demo' } }), action);
    if (!('page' in done)) throw new Error('expected the viewer page');
    expect(done.page.status).toBe(200);
    const token = viewUrl.split('/view/')[1]!;
    const photo = () => browser.request(`http://127.0.0.1:${port}/viewer/api/${token}/photo`);
    const before = await photo();
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toMatch(/^image\//);
    await before.arrayBuffer();

    await shred(loupe, card.assetId);

    // The signed-in sender, from the old card: the page says why, and no image leaves, straight away or later.
    const page = await browser.request(viewUrl);
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain('Deleted under the retention policy');
    expect(html).not.toContain('/viewer/client/');
    for (const path of ['/photo', '/info', '/series', '/details']) {
      const res = await browser.request(`http://127.0.0.1:${port}/viewer/api/${token}${path}`);
      expect(res.status, path).toBe(410);
      expect(res.headers.get('content-type'), path).not.toMatch(/^image\//);
      expect(await res.json(), path).toEqual({ error: 'asset_shredded' });
    }
    const refusals = await prisma().auditEvent.findMany({ where: { assetId: card.assetId, action: AuditAction.AssetViewed, outcome: 'denied' } });
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((e) => e.reason === 'asset_shredded')).toBe(true);
  });

  it('a stale card’s Revoke, Invite specialist, Link patient and Correct patient, pressed (twice) by its sender, an admin and a stranger, change nothing', async () => {
    const { card, upload } = await posted();
    await shred(loupe, card.assetId);
    const redraw = await until('the deleted redraw', () => updatesOf(card.messageId!)[0]);
    expect(String(redraw.params.blocks)).toContain(DELETED_WORDS);
    expect(String(redraw.params.blocks)).not.toContain('"button"');
    const before = await snapshot(loupe, card.id);
    expect(before.card).toBe('deleted');
    const since = slack().calls.length;

    for (const user of [SENDER.id, ADMIN, STRANGER]) {
      for (const r of await twice(block(user, card.messageId!, 'loupe_revoke', card.id))) expect(r.status).toBe(200);
      for (const r of await twice(block(user, card.messageId!, 'loupe_link_patient', card.id))) expect(r.status).toBe(200);
      for (const r of await twice(linkModal(user, card.id, 'MRN-STALE-1'))) expect(JSON.parse(r.body)).toMatchObject({ response_action: 'errors' });
      for (const r of await twice(block(user, card.messageId!, 'loupe_invite', card.id))) expect(r.status).toBe(200);
      for (const r of await twice(inviteModal(user, card.id, NURSE))) expect(JSON.parse(r.body)).toMatchObject({ response_action: 'errors' });
      for (const r of await twice(block(user, card.messageId!, 'loupe_correct_patient', card.id))) expect(r.status).toBe(200);
      for (const r of await twice(correctModal(user, card.id))) expect(JSON.parse(r.body)).toMatchObject({ response_action: 'errors' });
    }
    await drained(loupe);

    expect(await snapshot(loupe, card.id)).toEqual(before);
    // The chat's card was not redrawn as anything else, and nobody was announced in the thread.
    expect(updatesOf(card.messageId!)).toHaveLength(1);
    const after = slack().calls.slice(since);
    expect(after.some((c) => json(c.params).includes('Revoked'))).toBe(false);
    expect(after.some((c) => c.method === 'chat.postMessage' && c.params.thread_ts === upload.ts)).toBe(false);
    // No form opens on a deleted card's image.
    expect(after.some((c) => c.method === 'views.open' && String(c.params.view).includes('loupe_link_patient_modal'))).toBe(false);
    expect(after.some((c) => c.method === 'views.open' && String(c.params.view).includes('loupe_correct_patient_modal'))).toBe(false);
    // The stranger is told they may not correct it (their Revoke finds the card deleted, and is audited as refused);
    // the sender and the admin are told nothing was done.
    expect(ephemeralsTo(STRANGER, since)).toContain('Only the sender of this image or an admin can correct its patient.');
    for (const user of [SENDER.id, ADMIN]) expect(ephemeralsTo(user, since)).toContain('This image was shredded: there is nothing to correct.');
    const events = await prisma().auditEvent.findMany({ where: { OR: [{ assetId: card.assetId }, { consultId: card.consultId }], outcome: 'denied' } });
    const answered = after.filter((c) => c.method === 'response_url').map((c) => json(c.params));
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.every((t) => t.includes('deleted under retention: nothing was linked') || t.includes('Only the sender of this image or an admin can link it.'))).toBe(true);
    expect(answered.filter((t) => t.includes('deleted under retention: nothing was linked'))).toHaveLength(4);
    // The sender's and the admin's invitations through the deleted card are refused because the image is gone, and recorded.
    expect(events.filter((e) => e.action === AuditAction.ParticipantInvited && e.reason === 'asset_shredded').map((e) => e.actorId).sort()).toEqual([ADMIN, ADMIN, SENDER.id, SENDER.id].sort());
    expect(events.filter((e) => e.action === AuditAction.AssetRevoked && e.actorId === STRANGER).length).toBeGreaterThan(0);
    expect(events.filter((e) => e.action === AuditAction.PatientLinked).length).toBeGreaterThan(0);
    expect(events.filter((e) => e.action === AuditAction.PatientCorrected).length).toBeGreaterThan(0);
    expect((await loupe.services.storage.audit.verify()).fault).toBeNull();
  });
});

describe('stale cards of a shredded image, in Teams', () => {
  const { amara: SENDER, liWei: STRANGER, sam: SPECIALIST, jordan: OWNER } = TEAMS_DEMO_USERS;
  const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;
  let env: TeamsLoupe;
  let loupe: Loupe;
  let teams: TeamsStandIn;
  let photo: Buffer;

  beforeAll(async () => {
    env = await startTeamsLoupe('pglite', { env: { PUBLIC_URL: 'https://loupe.hospital.example' } });
    ({ loupe, teams } = env);
    photo = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    await loupe.services.storage.policies.change(env.workspaceId, WOUNDS, { interception: true }, { type: 'admin', id: 'test' });
  }, 120_000);
  afterAll(() => env?.close());

  const prisma = () => loupe.services.storage.db.prisma;
  async function post() {
    const p = await teams.postFile({ user: SENDER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'photo.jpg', bytes: photo });
    const thread = `${WOUNDS};messageid=${p.messageId}`;
    const message = await until('the card', () => teams.messages.find((m) => m.byBot && m.conversationId === thread));
    const card = await until('the card row', async () => (await prisma().card.findFirst({ where: { threadId: p.messageId, messageId: { not: null } } })) ?? undefined);
    await drained(loupe);
    return { thread, message, card };
  }
  const execute = (user: string, thread: string, verb: string, data: Record<string, unknown>, replyToId?: string) =>
    teams.invoke({ user, conversationId: thread, ...(replyToId ? { replyToId } : {}), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });

  it('every verb of a stale card, pressed (twice) by its sender, the team’s owner and a stranger, changes nothing', async () => {
    const { thread, message, card } = await post();
    // The sender's own drawing, kept by a client that has not refreshed: it has every button.
    const own = json((await execute(SENDER.aadObjectId, thread, 'loupe.refresh', { cardId: card.id }, message.id)).body);
    expect(own).toContain('loupe.revoke');
    expect(own).toContain('loupe.link_patient');
    expect(own).toContain('loupe.invite');
    await shred(loupe, card.assetId);
    await until('the deleted redraw', () => json(teams.messages.find((m) => m.id === message.id)?.attachments).includes(DELETED_WORDS));
    const drawn = json(teams.messages.find((m) => m.id === message.id)?.attachments);
    expect(drawn).not.toContain('/view/');
    expect(drawn).not.toContain('Action.Execute"');
    const before = await snapshot(loupe, card.id);
    const deliveredBefore = teams.messages.filter((m) => m.conversationId === thread).length;

    const presses: [string, Record<string, unknown>][] = [
      ['loupe.refresh', { cardId: card.id }],
      ['loupe.revoke.ask', { cardId: card.id }],
      ['loupe.revoke', { cardId: card.id }],
      ['loupe.link_patient', { cardId: card.id }],
      ['loupe.link_patient.submit', { cardId: card.id, identifier: 'MRN-STALE-T1', issuer: 'HOSPITAL-A' }],
      ['loupe.invite', { cardId: card.id }],
      ['loupe.invite.submit', { cardId: card.id, specialist: SPECIALIST.aadObjectId }],
      ['loupe.correct_patient', { cardId: card.id }],
      ['loupe.correct_patient.submit', { cardId: card.id, identifier: 'MRN-STALE-T2', issuer: 'HOSPITAL-A', reason: 'wrong_patient_selected', explanation: 'beds mixed up' }],
    ];
    const answers: Record<string, string[]> = {};
    for (const user of [SENDER, OWNER, STRANGER]) {
      for (const [verb, data] of presses) {
        for (let i = 0; i < 2; i++) {
          const r = await execute(user.aadObjectId, thread, verb, data, message.id);
          expect(r.status, `${user.name} ${verb}`).toBe(200);
          const body = json(r.body);
          // No answer offers the image again, nor draws the card as revoked.
          expect(body, `${user.name} ${verb}`).not.toMatch(/\/view\/[A-Za-z0-9_-]{43}/);
          expect(body, `${user.name} ${verb}`).not.toContain('Revoked:');
          (answers[`${user.name} ${verb}`] ??= []).push(body);
        }
      }
      // The Link patient dialog of the sender's private prompt (a stranger's press of it is a forged invoke).
      for (const name of ['task/fetch', 'task/submit'] as const) {
        const r = await teams.invoke({ user: user.aadObjectId, conversationId: thread, name, value: { data: { cardId: card.id, identifier: 'MRN-STALE-T3', issuer: 'HOSPITAL-A' } } });
        expect(json(r.body)).not.toContain('"type":"continue"');
        expect(json(r.body)).not.toContain('Linked to a patient');
      }
    }
    await drained(loupe);

    expect(await snapshot(loupe, card.id)).toEqual(before);
    expect(json(teams.messages.find((m) => m.id === message.id)?.attachments)).toContain(DELETED_WORDS);
    expect(teams.messages.filter((m) => m.conversationId === thread).length).toBe(deliveredBefore);
    // What each user is shown: the deleted card again, or why nothing was done.
    expect(answers[`${SENDER.name} loupe.revoke`]![0]).toContain(DELETED_WORDS);
    // A stale Revoke button does not ask whether to revoke a deleted image.
    for (const user of [SENDER, OWNER, STRANGER]) expect(answers[`${user.name} loupe.revoke.ask`]![0]).toContain(DELETED_WORDS);
    expect(answers[`${SENDER.name} loupe.refresh`]![0]).toContain(DELETED_WORDS);
    // The stranger's Revoke (audited as refused) is answered with the card as it stands: deleted.
    expect(answers[`${STRANGER.name} loupe.revoke`]![0]).toContain(DELETED_WORDS);
    expect(await prisma().auditEvent.count({ where: { assetId: card.assetId, action: AuditAction.AssetRevoked, outcome: 'denied', actorId: STRANGER.aadObjectId } })).toBe(2);
    expect(answers[`${SENDER.name} loupe.correct_patient`]![0]).toContain('This image was shredded');
    expect(answers[`${OWNER.name} loupe.correct_patient`]![0]).toContain('This image was shredded');
    for (const user of [SENDER, OWNER]) expect(answers[`${user.name} loupe.invite.submit`]!.join()).toContain('This image was deleted under retention: nobody was invited.');
    for (const user of [SENDER, OWNER]) expect(answers[`${user.name} loupe.link_patient.submit`]!.join()).toContain('deleted under retention: nothing was linked');
    expect((await loupe.services.storage.audit.verify()).fault).toBeNull();
  });
});
