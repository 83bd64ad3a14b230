// Linking an image to its patient happens once, from a live card, and a
// wrong patient is corrected deliberately: the user actions that found issue
// 9's point 1 (a stale link form, a link from a dead card, a stranger's
// correction), through the real Bolt app and the Slack stand-in.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackStandIn } from '../../src/demo/slack/index.js';
import type { Loupe } from '../../src/main.js';
import { testEngines } from '../support/engines.js';
import { makePhotoFixtures } from '../support/photos.js';
import { SLACK_ADMIN, startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { asJson } from '../support/json.js';

const WOUNDS = 'C0WOUNDS01';
const RADIOLOGY = 'C0RADIOL01';
const SENDER = 'U0CLIN0001';
const COLLEAGUE = 'U0CLIN0002';
const SECRET_REASON = 'picked the bed-4 patient ZORROBIANCA by mistake';

describe.each(testEngines())('Slack patient links on %s', (engine) => {
  const t = {} as { env: SlackLoupe; jpeg: Buffer };
  beforeAll(async () => {
    t.env = await startSlackLoupe(engine, { giveAdminToken: true, env: { LOUPE_CARD_SWEEP_SECONDS: '1' } });
    t.jpeg = await readFile((await makePhotoFixtures(t.env.inst.dataDir)).jpeg);
    const { policies } = t.env.loupe.services.storage;
    await policies.change(t.env.workspaceId, WOUNDS, { interception: true, identifierIssuer: 'ST-MARY' }, { type: 'admin', id: SLACK_ADMIN });
    await policies.change(t.env.workspaceId, RADIOLOGY, { interception: true, cardLifetimeSeconds: 1 }, { type: 'admin', id: SLACK_ADMIN });
  });
  afterAll(() => t.env?.close());
  const loupe = (): Loupe => t.env.loupe;
  const slack = (): SlackStandIn => t.env.slack;

  const prisma = () => loupe().services.storage.db.prisma;
  const assetOf = (card: { assetId: string }) => prisma().asset.findUniqueOrThrow({ where: { id: card.assetId } });

  async function posted(channel: string, threadTs?: string) {
    const upload = await slack().uploadFile({ user: SENDER, channel, name: 'photo.jpg', bytes: t.jpeg, ...(threadTs ? { threadTs } : {}) });
    const card = await until('the card row', async () => (await prisma().card.findFirst({ where: { asset: { workspaceId: t.env.workspaceId, sourceRef: upload.fileId }, messageId: { not: null } } })) ?? undefined);
    return { upload, card };
  }
  const promptFor = (threadTs: string) =>
    until('the prompt', () => slack().messages.find((m) => m.ephemeralTo === SENDER && m.threadTs === threadTs && JSON.stringify(m.blocks ?? []).includes('loupe_link_patient')));
  const clickEphemeral = (user: string, channel: string, ts: string, action_id: string, value: string) =>
    slack().interaction({
      type: 'block_actions',
      user: { id: user },
      channel: { id: channel },
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: true },
      actions: [{ type: 'button', action_id, block_id: 'b', value, action_ts: '1' }],
    });
  const clickCard = (user: string, channel: string, ts: string, action_id: string, value: string) =>
    slack().interaction({
      type: 'block_actions',
      user: { id: user },
      channel: { id: channel },
      message: { ts },
      container: { type: 'message', message_ts: ts, channel_id: channel },
      actions: [{ type: 'button', action_id, block_id: 'b', value, action_ts: '1' }],
    });
  const modalMetadata = async (callback: string, cardId: string) => {
    const call = await until('the modal', () => slack().calls.filter((c) => c.method === 'views.open' && String(c.params.view).includes(callback) && String(c.params.view).includes(cardId)).at(-1));
    return (JSON.parse(String(call.params.view)) as { private_metadata: string }).private_metadata;
  };
  const text = (v: string) => ({ value: { type: 'plain_text_input', value: v } });
  const submitLink = async (user: string, metadata: string, identifier: string) =>
    slack().interaction({
      type: 'view_submission',
      user: { id: user },
      view: { id: 'V1', callback_id: 'loupe_link_patient_modal', private_metadata: metadata, state: { values: { identifier: text(identifier), issuer: text('ST-MARY'), note: text('') } } },
    });
  const submitCorrection = (user: string, metadata: string, identifier: string) =>
    slack().interaction({
      type: 'view_submission',
      user: { id: user },
      view: {
        id: 'V2',
        callback_id: 'loupe_correct_patient_modal',
        private_metadata: metadata,
        state: {
          values: {
            identifier: text(identifier),
            issuer: text('ST-MARY'),
            reason: { value: { type: 'static_select', selected_option: { value: 'wrong_patient_selected', text: { type: 'plain_text', text: 'x' } } } },
            explanation: text(SECRET_REASON),
          },
        },
      },
    });
  async function linked(identifier: string, threadTs?: string) {
    const { upload, card } = await posted(WOUNDS, threadTs);
    const prompt = await promptFor(threadTs ?? upload.ts);
    await clickEphemeral(SENDER, WOUNDS, prompt.ts, 'loupe_link_patient', card.id);
    const metadata = await modalMetadata('loupe_link_patient_modal', card.id);
    expect((await submitLink(SENDER, metadata, identifier)).status).toBe(200);
    return { upload, card, prompt, metadata };
  }

  it('links once: the prompt stops asking, and the stale form submitted again changes nothing and says so', async () => {
    const { card, prompt, metadata } = await linked('MRN-1001');
    const first = await assetOf(card);
    expect(first.patientId).not.toBeNull();
    // The private prompt was replaced: no button any more.
    expect(prompt.text).toContain('Linked to a patient');
    expect(JSON.stringify(prompt.blocks ?? [])).not.toContain('loupe_link_patient');
    const patientsBefore = await prisma().patient.count();

    const again = await submitLink(SENDER, metadata, 'MRN-2002');
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ response_action: 'errors' });
    expect(again.body).toContain('already linked');
    expect((await assetOf(card)).patientId).toBe(first.patientId);
    expect((await prisma().consult.findUniqueOrThrow({ where: { id: card.consultId } })).patientId).toBe(first.patientId);
    expect(await prisma().patient.count()).toBe(patientsBefore);
    const refusal = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'patient.linked', outcome: 'denied', assetId: card.assetId } });
    expect([refusal.reason, refusal.patientId]).toEqual(['already_linked', first.patientId]);

    // The old prompt's button, if clicked again, says so in place and opens no form.
    const opened = slack().calls.filter((c) => c.method === 'views.open').length;
    const click = await clickEphemeral(SENDER, WOUNDS, prompt.ts, 'loupe_link_patient', card.id);
    expect(click.status).toBe(200);
    expect(prompt.text).toContain('already linked');
    expect(slack().calls.filter((c) => c.method === 'views.open')).toHaveLength(opened);
  });

  it('refuses a link from an expired card and from a revoked card, and changes nothing', async () => {
    const expiring = await posted(RADIOLOGY);
    await until('the card expired', async () => (await prisma().card.findUniqueOrThrow({ where: { id: expiring.card.id } })).state === 'expired');
    const late = await submitLink(SENDER, JSON.stringify({ cardId: expiring.card.id }), 'MRN-3003');
    expect(JSON.parse(late.body)).toMatchObject({ response_action: 'errors' });
    expect(late.body).toContain('expired');
    expect((await assetOf(expiring.card)).patientId).toBeNull();

    const revoking = await posted(WOUNDS);
    await clickCard(SENDER, WOUNDS, revoking.card.messageId!, 'loupe_revoke', revoking.card.id);
    await until('the card revoked', async () => (await prisma().card.findUniqueOrThrow({ where: { id: revoking.card.id } })).state === 'revoked');
    const revoked = await submitLink(SENDER, JSON.stringify({ cardId: revoking.card.id }), 'MRN-3003');
    expect(revoked.body).toContain('revoked');
    expect((await assetOf(revoking.card)).patientId).toBeNull();
    expect((await prisma().card.findUniqueOrThrow({ where: { id: revoking.card.id } })).state).toBe('revoked');
    expect(await prisma().auditEvent.count({ where: { action: 'patient.linked', outcome: 'denied', assetId: { in: [expiring.card.assetId, revoking.card.assetId] } } })).toBe(2);
  });

  it('lets the sender correct a wrong patient with a reason: image moved, consult and card kept consistent, old links dead, audited before and after', async () => {
    const { card } = await linked('MRN-4004');
    const wrong = (await assetOf(card)).patientId!;
    const active = await until('the active card with Correct patient', () =>
      slack().calls.find((c) => c.method === 'chat.update' && c.params.ts === card.messageId && String(c.params.blocks).includes('loupe_correct_patient')),
    );
    const oldLink = /\/view\/([A-Za-z0-9_-]{43})/.exec(String(active.params.blocks))?.[1];
    expect(oldLink).toBeDefined();

    await clickCard(SENDER, WOUNDS, card.messageId!, 'loupe_correct_patient', card.id);
    const metadata = await modalMetadata('loupe_correct_patient_modal', card.id);
    const updatesBefore = slack().calls.filter((c) => c.method === 'chat.update' && c.params.ts === card.messageId).length;
    const correctedAt = new Date();
    expect((await submitCorrection(SENDER, metadata, 'MRN-4005')).body).toBe('');

    const asset = await assetOf(card);
    expect(asset.patientId).not.toBe(wrong);
    const right = await loupe().services.storage.patients.read(asset.patientId!, { type: 'system', id: 'test' }, 'test');
    expect(right).toMatchObject({ identifier: 'MRN-4005', issuer: 'ST-MARY' });
    // The consult's patient came from this image: it follows.
    expect((await prisma().consult.findUniqueOrThrow({ where: { id: card.consultId } })).patientId).toBe(asset.patientId);
    // Every link issued while the image stood on the wrong patient is dead; the redrawn card carries a new one.
    expect(await prisma().linkToken.count({ where: { cardId: card.id, createdAt: { lt: correctedAt }, revokedAt: null } })).toBe(0);
    const redrawn = await until('the redrawn card', () => slack().calls.filter((c) => c.method === 'chat.update' && c.params.ts === card.messageId)[updatesBefore]);
    const newLink = /\/view\/([A-Za-z0-9_-]{43})/.exec(String(redrawn.params.blocks))?.[1];
    expect(newLink).toBeDefined();
    expect(newLink).not.toBe(oldLink);
    expect((await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state).toBe('active');

    const event = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'patient.corrected', outcome: 'success', assetId: card.assetId } });
    expect(event.patientId).toBe(asset.patientId);
    expect(event.reason).toBe('wrong_patient_selected');
    expect(event.details).toMatchObject({ previousPatientId: wrong, consultPatient: 'moved' });
    // The free-text reason may name a patient: nowhere in the audit trail, and sealed with the image.
    const trail = asJson(await prisma().auditEvent.findMany());
    expect(trail).not.toContain('ZORROBIANCA');
    expect(Buffer.from(asset.messageText!).includes(Buffer.from('ZORROBIANCA'))).toBe(false);
  });

  it('keeps the consult\'s patient when another image of the consult stays on it, and moves only the corrected image', async () => {
    const first = await linked('MRN-7001');
    const second = await linked('MRN-7001', first.upload.ts);
    expect(second.card.consultId).toBe(first.card.consultId);
    const shared = (await assetOf(first.card)).patientId;
    expect((await assetOf(second.card)).patientId).toBe(shared);
    await until('the active card', async () => (await prisma().card.findUniqueOrThrow({ where: { id: second.card.id } })).state === 'active');
    await clickCard(SENDER, WOUNDS, second.card.messageId!, 'loupe_correct_patient', second.card.id);
    const metadata = await modalMetadata('loupe_correct_patient_modal', second.card.id);
    expect((await submitCorrection(SENDER, metadata, 'MRN-7002')).body).toBe('');
    expect((await assetOf(second.card)).patientId).not.toBe(shared);
    expect((await assetOf(first.card)).patientId).toBe(shared);
    expect((await prisma().consult.findUniqueOrThrow({ where: { id: first.card.consultId } })).patientId).toBe(shared);
    const event = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'patient.corrected', outcome: 'success', assetId: second.card.assetId } });
    expect(event.details).toMatchObject({ previousPatientId: shared, consultPatient: 'kept' });
  });

  it('refuses a stranger\'s correction, from the button and from a crafted form, and changes nothing', async () => {
    const { card } = await linked('MRN-5005');
    const patientId = (await assetOf(card)).patientId;
    await until('the active card', async () => (await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state === 'active');
    const click = await clickCard(COLLEAGUE, WOUNDS, card.messageId!, 'loupe_correct_patient', card.id);
    expect(click.status).toBe(200);
    const refusal = slack().calls.find((c) => c.method === 'chat.postEphemeral' && c.params.user === COLLEAGUE && String(c.params.text).includes('correct its patient'));
    expect(refusal).toBeDefined();
    expect(slack().calls.some((c) => c.method === 'views.open' && String(c.params.view).includes('loupe_correct_patient_modal') && String(c.params.view).includes(card.id))).toBe(false);

    const crafted = await submitCorrection(COLLEAGUE, JSON.stringify({ cardId: card.id }), 'MRN-6006');
    expect(JSON.parse(crafted.body)).toMatchObject({ response_action: 'errors' });
    expect(crafted.body).toContain('Only the sender');
    expect((await assetOf(card)).patientId).toBe(patientId);
    const denied = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'patient.corrected', outcome: 'denied', assetId: card.assetId } });
    expect([denied.actorId, denied.reason]).toEqual([COLLEAGUE, 'forbidden']);
  });
});
