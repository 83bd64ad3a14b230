// Recording consent from Teams: a card's Record consent (Action.Execute,
// answered for the presser only) and `consent IDENTIFIER` in the personal
// chat open the same form, through the Teams stand-in. A version recorded
// there says who (the Entra object id) and how (chat_teams); a withdrawal
// supersedes it; a stranger is refused; the typed identifier appears in no
// message Loupe sent, nor in clear in the form.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS, type TeamsStandIn } from '../../src/demo/teams/index.js';
import type { Loupe } from '../../src/main.js';
import { testEngines } from '../support/engines.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';
import { until } from '../support/until.js';

const { amara: SENDER, liWei: COLLEAGUE } = TEAMS_DEMO_USERS;
const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;
const TYPED = 'MRN-OKAPI-9031';
const json = (v: unknown) => JSON.stringify(v ?? null);

describe.each(testEngines())('Teams consent forms on %s', (engine) => {
  let env: TeamsLoupe;
  let loupe: Loupe;
  let teams: TeamsStandIn;
  let photo: Buffer;

  beforeAll(async () => {
    env = await startTeamsLoupe(engine, { dlp: false, env: { PUBLIC_URL: 'https://loupe.hospital.example' } });
    ({ loupe, teams } = env);
    photo = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    await loupe.services.storage.policies.change(env.workspaceId, WOUNDS, { interception: true, identifierIssuer: 'HOSPITAL-A' }, { type: 'admin', id: 'test' });
  });
  afterAll(() => env?.close());

  const prisma = () => loupe.services.storage.db.prisma;
  const execute = async (user: string, conversationId: string, verb: string, data: Record<string, unknown>, replyToId?: string) =>
    json((await teams.invoke({ user, conversationId, ...(replyToId ? { replyToId } : {}), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } })).body);

  async function linkedCard() {
    const p = await teams.postFile({ user: SENDER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, name: 'photo.jpg', bytes: photo });
    const thread = `${WOUNDS};messageid=${p.messageId}`;
    const message = await until('the card', () => teams.messages.find((m) => m.byBot && m.conversationId === thread));
    const card = await until('the card row', async () => (await prisma().card.findFirst({ where: { threadId: p.messageId, messageId: { not: null } } })) ?? undefined);
    await execute(SENDER.aadObjectId, thread, 'loupe.link_patient.submit', { cardId: card.id, identifier: 'MRN-5150', issuer: 'HOSPITAL-A' }, message.id);
    // The photo can be evidence once cleaned (its card comes before its clean-up).
    const asset = await until('the photo cleaned', async () => (await prisma().asset.findFirst({ where: { id: card.assetId, status: 'stored' } })) ?? undefined);
    return { thread, message, card, patientId: asset.patientId! };
  }

  it('records a consent from the card with its photo as evidence, and withdraws it from the form', async () => {
    const { thread, message, card, patientId } = await linkedCard();
    expect(json(await execute(SENDER.aadObjectId, thread, 'loupe.refresh', { cardId: card.id }, message.id))).toContain('loupe.record_consent');
    const form = await execute(SENDER.aadObjectId, thread, 'loupe.record_consent', { cardId: card.id }, message.id);
    expect(form).toContain('loupe.consent.submit');
    expect(form).toContain('This image is the signed consent form');
    expect(form).not.toContain('MRN-5150');

    const fields = { decision: 'permit', purposes: 'research,care', parties: 'care_team', dataKinds: 'photo,dicom', from: '2026-12-01', until: '', evidence: 'true' };
    const recorded = await execute(SENDER.aadObjectId, thread, 'loupe.consent.submit', { cardId: card.id, ...fields }, message.id);
    expect(recorded).toContain('Consent recorded.');
    const [v1] = await prisma().consent.findMany({ where: { patientId } });
    expect(v1).toMatchObject({
      version: 1,
      decision: 'permit',
      purposes: ['care', 'research'],
      parties: ['care_team'],
      dataKinds: ['photo', 'dicom'],
      validUntil: null,
      recordedBy: SENDER.aadObjectId.toLowerCase(),
      recordedByKind: 'chat_user',
      recordedVia: 'chat_teams',
      evidenceAssetId: card.assetId,
    });
    // The redrawn form lists it, terms only, with its Withdraw buttons.
    expect(recorded).toContain(v1!.id);
    expect(recorded).toContain('Permit · Treatment, Research · The care team · Photos, DICOM images · from 2026-12-01');

    const invalid = await execute(SENDER.aadObjectId, thread, 'loupe.consent.submit', { cardId: card.id, ...fields, purposes: '' }, message.id);
    expect(invalid).toContain('Nothing was recorded: purposes');
    expect(await prisma().consent.count({ where: { patientId } })).toBe(1);

    const withdrawn = await execute(SENDER.aadObjectId, thread, 'loupe.consent.withdraw', { cardId: card.id, consentId: v1!.id, reason: 'recorded_in_error' }, message.id);
    expect(withdrawn).toContain('Consent withdrawn.');
    const chain = await prisma().consent.findMany({ where: { chainId: v1!.chainId }, orderBy: { version: 'asc' } });
    expect(chain).toHaveLength(2);
    expect(chain[0]).toMatchObject({ supersededReason: 'recorded_in_error', supersededByKind: 'chat_user', supersededBy: SENDER.aadObjectId.toLowerCase() });
    expect(chain[1]).toMatchObject({ version: 2, kind: 'withdrawal', recordedVia: 'chat_teams' });
    // Withdrawn again (a stale button): refused, nothing added.
    expect(await execute(SENDER.aadObjectId, thread, 'loupe.consent.withdraw', { cardId: card.id, consentId: v1!.id, reason: 'recorded_in_error' }, message.id)).toContain('changed or withdrawn meanwhile');
    expect(await prisma().consent.count({ where: { chainId: v1!.chainId } })).toBe(2);
  });

  it('refuses a colleague without standing on the consult, and a revoked card', async () => {
    const { thread, message, card, patientId } = await linkedCard();
    const before = await prisma().consent.count({ where: { patientId } });
    expect(await execute(COLLEAGUE.aadObjectId, thread, 'loupe.record_consent', { cardId: card.id }, message.id)).toContain('Only a participant of this consult');
    const crafted = await execute(COLLEAGUE.aadObjectId, thread, 'loupe.consent.submit', { cardId: card.id, decision: 'permit', purposes: 'care', parties: 'care_team', dataKinds: 'photo', from: '', until: '' }, message.id);
    expect(crafted).toContain('Only a participant of this consult');
    await execute(SENDER.aadObjectId, thread, 'loupe.revoke', { cardId: card.id }, message.id);
    expect(await execute(SENDER.aadObjectId, thread, 'loupe.record_consent', { cardId: card.id }, message.id)).toContain('This card was revoked');
    expect(await prisma().consent.count({ where: { patientId } })).toBe(before);
  });

  it('opens the form for a typed identifier in the personal chat only, without the identifier in any message Loupe sends', async () => {
    await linkedCard(); // The sender takes part in a consult.
    const inChannel = await teams.postText({ user: SENDER.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: WOUNDS }, text: `consent ${TYPED}` });
    const told = await until('the pointer to the personal chat', () => teams.messages.find((m) => m.byBot && m.conversationId === `${WOUNDS};messageid=${inChannel.messageId}`));
    expect(told.text).toContain('personal chat');

    const asked = await teams.postText({ user: SENDER.aadObjectId, place: { personal: true }, text: `consent ${TYPED} HOSPITAL-A` });
    const formMessage = await until('the form', () => teams.personalMessages(SENDER.aadObjectId).find((m) => m.byBot && json(m.attachments).includes('loupe.consent.submit')));
    expect(formMessage.conversationId).toBe(asked.conversationId);
    const content = formMessage.attachments[0]!.content as { actions: { data: { consentForm: string } }[] };
    const sealed = content.actions[0]!.data.consentForm;
    expect(typeof sealed).toBe('string');
    expect(json(formMessage)).not.toContain(TYPED);

    // Another person pressing it is refused: the seal is the typist's.
    expect(await execute(COLLEAGUE.aadObjectId, asked.conversationId, 'loupe.consent.submit', { consentForm: sealed, decision: 'deny', purposes: 'research', parties: 'external', dataKinds: 'photo', from: '', until: '' })).toContain('expired');
    const recorded = await execute(SENDER.aadObjectId, asked.conversationId, 'loupe.consent.submit', { consentForm: sealed, decision: 'deny', purposes: 'research', parties: 'external', dataKinds: 'photo', from: '', until: '' });
    expect(recorded).toContain('Consent recorded.');
    expect(recorded).not.toContain(TYPED);
    const patientId = await loupe.services.storage.patients.find(env.workspaceId, 'HOSPITAL-A', TYPED);
    expect(patientId).toBeDefined();
    const [v] = await prisma().consent.findMany({ where: { patientId: patientId! } });
    expect(v).toMatchObject({ decision: 'deny', parties: ['external'], recordedVia: 'chat_teams', recordedByKind: 'chat_user', evidenceAssetId: null });

    // Someone taking part in no consult is refused.
    await teams.postText({ user: COLLEAGUE.aadObjectId, place: { personal: true }, text: `consent ${TYPED}` });
    await until('the refusal', () => teams.personalMessages(COLLEAGUE.aadObjectId).find((m) => m.byBot && m.text.includes('Only people taking part in a consult')));

    expect(teams.messages.filter((m) => m.byBot).some((m) => json(m).includes(TYPED))).toBe(false);
    expect(teams.calls.filter((c) => c.host !== 'delivery').some((c) => c.body.includes(TYPED))).toBe(false);
  });
});
