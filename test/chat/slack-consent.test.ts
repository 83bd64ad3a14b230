// Recording consent from Slack: a card's Record consent button and
// `/loupe consent IDENTIFIER` open the same modal, through the real Bolt app
// and the Slack stand-in. A version recorded there says who (the Slack user)
// and how (chat_slack); a withdrawal supersedes it; a stranger is refused;
// the typed identifier appears nowhere in chat, nor in clear in the modal.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackStandIn } from '../../src/demo/slack/index.js';
import type { Loupe } from '../../src/main.js';
import { testEngines } from '../support/engines.js';
import { makePhotoFixtures } from '../support/photos.js';
import { SLACK_ADMIN, startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { asJson } from '../support/json.js';

const WOUNDS = 'C0WOUNDS01';
const SENDER = 'U0CLIN0001';
const STRANGER = 'U0NURSE001';
const TYPED = 'MRN-ZEBRA-4711';

describe.each(testEngines())('Slack consent forms on %s', (engine) => {
  const t = {} as { env: SlackLoupe; jpeg: Buffer };
  beforeAll(async () => {
    t.env = await startSlackLoupe(engine, { giveAdminToken: true });
    t.jpeg = await readFile((await makePhotoFixtures(t.env.inst.dataDir)).jpeg);
    await t.env.loupe.services.storage.policies.change(t.env.workspaceId, WOUNDS, { interception: true, identifierIssuer: 'ST-MARY' }, { type: 'admin', id: SLACK_ADMIN });
  });
  afterAll(() => t.env?.close());
  const loupe = (): Loupe => t.env.loupe;
  const slack = (): SlackStandIn => t.env.slack;
  const prisma = () => loupe().services.storage.db.prisma;

  const click = (user: string, ts: string, action_id: string, value: string, isEphemeral = false) =>
    slack().interaction({
      type: 'block_actions',
      user: { id: user },
      channel: { id: WOUNDS },
      ...(isEphemeral ? {} : { message: { ts } }),
      container: { type: 'message', message_ts: ts, channel_id: WOUNDS, ...(isEphemeral ? { is_ephemeral: true } : {}) },
      actions: [{ type: 'button', action_id, block_id: 'b', value, action_ts: '1' }],
    });
  const viewsOpened = () => slack().calls.filter((c) => c.method === 'views.open');
  const lastModal = async (callback: string, after: number) => {
    const call = await until('the modal', () => viewsOpened().slice(after).find((c) => String(c.params.view).includes(callback)));
    return JSON.parse(String(call.params.view)) as { private_metadata: string; external_id: string; blocks: { block_id?: string }[] };
  };

  /** A photo posted and linked to MRN-1001 by its sender: an active card. */
  async function linkedCard() {
    const upload = await slack().uploadFile({ user: SENDER, channel: WOUNDS, name: 'photo.jpg', bytes: t.jpeg });
    const card = await until('the card', async () => (await prisma().card.findFirst({ where: { asset: { workspaceId: t.env.workspaceId, sourceRef: upload.fileId }, messageId: { not: null } } })) ?? undefined);
    const prompt = await until('the prompt', () => slack().messages.find((m) => m.ephemeralTo === SENDER && m.threadTs === upload.ts && JSON.stringify(m.blocks ?? []).includes('loupe_link_patient')));
    const before = viewsOpened().length;
    await click(SENDER, prompt.ts, 'loupe_link_patient', card.id, true);
    const link = await lastModal('loupe_link_patient_modal', before);
    const text = (v: string) => ({ value: { type: 'plain_text_input', value: v } });
    await slack().interaction({ type: 'view_submission', user: { id: SENDER }, view: { id: 'V0LINK', callback_id: 'loupe_link_patient_modal', private_metadata: link.private_metadata, state: { values: { identifier: text('MRN-1001'), issuer: text('ST-MARY'), note: text('') } } } });
    await until('the card active', async () => (await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state === 'active');
    // The photo can be evidence once cleaned (its card comes before its clean-up).
    const asset = await until('the photo cleaned', async () => (await prisma().asset.findFirst({ where: { id: card.assetId, status: 'stored' } })) ?? undefined);
    return { card, patientId: asset.patientId! };
  }

  const option = (value: string) => ({ value, text: { type: 'plain_text', text: value } });
  const submitConsent = (user: string, metadata: string, o: { evidence: boolean; until?: string }) =>
    slack().interaction({
      type: 'view_submission',
      user: { id: user },
      view: {
        id: 'V0CONSENT',
        callback_id: 'loupe_consent_modal',
        private_metadata: metadata,
        state: {
          values: {
            decision: { value: { type: 'radio_buttons', selected_option: option('permit') } },
            purposes: { value: { type: 'checkboxes', selected_options: [option('research'), option('care')] } },
            parties: { value: { type: 'checkboxes', selected_options: [option('care_team'), option('institution')] } },
            kinds: { value: { type: 'checkboxes', selected_options: [option('photo')] } },
            from: { value: { type: 'datepicker', selected_date: '2026-12-01' } },
            until: { value: { type: 'datepicker', selected_date: o.until ?? null } },
            ...(o.evidence ? { evidence: { value: { type: 'checkboxes', selected_options: [option('yes')] } } } : {}),
          },
        },
      },
    });

  it('records a consent from a card, with the card’s photo as evidence, and withdraws it from the same form', async () => {
    const { card, patientId } = await linkedCard();
    const before = viewsOpened().length;
    await click(SENDER, card.messageId!, 'loupe_record_consent', card.id);
    const modal = await lastModal('loupe_consent_modal', before);
    expect(JSON.parse(modal.private_metadata)).toEqual({ kind: 'card', cardId: card.id });
    expect(modal.blocks.some((b) => b.block_id === 'evidence')).toBe(true);
    // The form names no patient.
    expect(JSON.stringify(modal)).not.toContain('MRN-1001');

    const submitted = await submitConsent(SENDER, modal.private_metadata, { evidence: true, until: '2027-11-30' });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');
    const [v1] = await prisma().consent.findMany({ where: { patientId } });
    expect(v1).toMatchObject({
      version: 1,
      kind: 'decision',
      decision: 'permit',
      purposes: ['care', 'research'],
      parties: ['care_team', 'institution'],
      dataKinds: ['photo'],
      recordedBy: SENDER,
      recordedByKind: 'chat_user',
      recordedVia: 'chat_slack',
      evidenceAssetId: card.assetId,
    });
    expect(v1!.validFrom.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    // The last day is included.
    expect(v1!.validUntil!.toISOString()).toBe('2027-12-01T00:00:00.000Z');

    // Opened again, the form lists the decision (terms only) with its Withdraw menu.
    const again = viewsOpened().length;
    await click(SENDER, card.messageId!, 'loupe_record_consent', card.id);
    const listed = await lastModal('loupe_consent_modal', again);
    expect(JSON.stringify(listed)).toContain(`${v1!.id}|patient_withdrew`);
    expect(JSON.stringify(listed)).toContain('Permit · Treatment, Research');
    await slack().interaction({
      type: 'block_actions',
      user: { id: SENDER },
      view: { id: 'V0CONSENT', external_id: listed.external_id, callback_id: 'loupe_consent_modal', private_metadata: listed.private_metadata, hash: 'h', state: { values: {} } },
      container: { type: 'view', view_id: 'V0CONSENT' },
      actions: [{ type: 'static_select', action_id: 'loupe_consent_withdraw', block_id: `current_${v1!.id}`, selected_option: option(`${v1!.id}|patient_withdrew`), action_ts: '1' }],
    });
    const chain = await until('the withdrawal', async () => {
      const rows = await prisma().consent.findMany({ where: { chainId: v1!.chainId }, orderBy: { version: 'asc' } });
      return rows.length === 2 ? rows : undefined;
    });
    expect(chain[0]).toMatchObject({ supersededBy: SENDER, supersededByKind: 'chat_user', supersededReason: 'patient_withdrew' });
    expect(chain[0]!.supersededAt).not.toBeNull();
    expect(chain[1]).toMatchObject({ version: 2, kind: 'withdrawal', decision: null, recordedBy: SENDER, recordedByKind: 'chat_user', recordedVia: 'chat_slack' });
    const redrawn = await until('the redrawn modal', () => slack().calls.find((c) => c.method === 'views.update' && String(c.params.view).includes('Consent withdrawn')));
    expect(String(redrawn.params.view)).not.toContain(`${v1!.id}|`);
    const events = await prisma().auditEvent.findMany({ where: { patientId, action: { in: ['consent.recorded', 'consent.withdrawn'] } }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.action, e.outcome, e.actorId])).toEqual([
      ['consent.recorded', 'success', SENDER],
      ['consent.withdrawn', 'success', SENDER],
    ]);
  });

  it('refuses someone without standing on the consult, from the button and from a crafted form', async () => {
    const { card, patientId } = await linkedCard();
    const versions = await prisma().consent.count({ where: { patientId } });
    const before = viewsOpened().length;
    await click(STRANGER, card.messageId!, 'loupe_record_consent', card.id);
    const refusal = await until('the refusal', () => slack().messages.find((m) => m.ephemeralTo === STRANGER && m.text.includes('Only a participant of this consult')));
    expect(refusal.channel).toBe(WOUNDS);
    expect(viewsOpened()).toHaveLength(before);

    const crafted = await submitConsent(STRANGER, JSON.stringify({ kind: 'card', cardId: card.id }), { evidence: false });
    expect(JSON.parse(crafted.body)).toMatchObject({ response_action: 'errors' });
    expect(await prisma().consent.count({ where: { patientId } })).toBe(versions);
    expect(await prisma().auditEvent.count({ where: { action: 'consent.recorded', outcome: 'denied', actorId: STRANGER, assetId: card.assetId } })).toBe(2);
  });

  it('refuses a card with no patient yet and a revoked card’s stale button, even for its sender', async () => {
    const upload = await slack().uploadFile({ user: SENDER, channel: WOUNDS, name: 'photo.jpg', bytes: t.jpeg });
    const waiting = await until('the card', async () => (await prisma().card.findFirst({ where: { asset: { workspaceId: t.env.workspaceId, sourceRef: upload.fileId }, messageId: { not: null } } })) ?? undefined);
    const consentModals = () => viewsOpened().filter((c) => String(c.params.view).includes('loupe_consent_modal')).length;
    const before = consentModals();
    await click(SENDER, waiting.messageId!, 'loupe_record_consent', waiting.id);
    await until('the notice', () => slack().messages.find((m) => m.ephemeralTo === SENDER && m.text.includes('link the patient first')));

    const { card } = await linkedCard();
    await click(SENDER, card.messageId!, 'loupe_revoke', card.id);
    await until('the card revoked', async () => (await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state === 'revoked');
    await click(SENDER, card.messageId!, 'loupe_record_consent', card.id);
    await until('the refusal', () => slack().messages.find((m) => m.ephemeralTo === SENDER && m.text.includes('This card was revoked')));
    expect(consentModals()).toBe(before);
  });

  it('opens the form for a typed identifier without the identifier ever reaching chat, and records for that patient', async () => {
    await linkedCard(); // SENDER takes part in a consult: they may use the command.
    const before = viewsOpened().length;
    const answered = await slack().slashCommand({ user: SENDER, channel: WOUNDS, command: '/loupe', text: `consent ${TYPED}` });
    expect(answered.status).toBe(200);
    const modal = await lastModal('loupe_consent_modal', before);
    const subject = JSON.parse(modal.private_metadata) as { kind: string; sealed: string };
    expect(subject.kind).toBe('typed');
    expect(JSON.stringify(modal)).not.toContain(TYPED);
    expect(Buffer.from(subject.sealed, 'base64url').includes(Buffer.from(TYPED))).toBe(false);
    // No card image to offer as evidence.
    expect(modal.blocks.some((b) => b.block_id === 'evidence')).toBe(false);

    // Someone else cannot submit the sealed patient as their own.
    const forged = await submitConsent(SLACK_ADMIN, modal.private_metadata, { evidence: false });
    expect(forged.body).toContain('expired');

    expect((await submitConsent(SENDER, modal.private_metadata, { evidence: false })).body).toBe('');
    const patientId = await loupe().services.storage.patients.find(t.env.workspaceId, 'ST-MARY', TYPED);
    expect(patientId).toBeDefined();
    const [v] = await prisma().consent.findMany({ where: { patientId: patientId! } });
    expect(v).toMatchObject({ recordedBy: SENDER, recordedByKind: 'chat_user', recordedVia: 'chat_slack', evidenceAssetId: null, decision: 'permit' });

    // A stranger to every consult is refused, and nothing opens.
    const opened = viewsOpened().length;
    await slack().slashCommand({ user: STRANGER, channel: WOUNDS, command: '/loupe', text: `consent ${TYPED}` });
    await until('the refusal', () => slack().calls.find((c) => c.method === 'response_url' && c.rawBody.includes('Only people taking part in a consult')));
    expect(viewsOpened()).toHaveLength(opened);

    // Nowhere in chat: no message, no response, no call Loupe made.
    expect(JSON.stringify(slack().messages)).not.toContain(TYPED);
    expect(slack().calls.some((c) => c.rawBody.includes(TYPED))).toBe(false);
    const trail = asJson(await prisma().auditEvent.findMany());
    expect(trail).not.toContain(TYPED);
  });
  it('keeps a typed patient’s consent from someone taking part only in other consults, audited', async () => {
    await linkedCard(); // MRN-1001's images are in SENDER's consult.
    // STRANGER posts a photo of their own: they take part in a consult, but not in one with MRN-1001's images.
    const own = await slack().uploadFile({ user: STRANGER, channel: WOUNDS, name: 'own.jpg', bytes: t.jpeg });
    await until('their consult', async () => (await prisma().consultParticipant.count({ where: { userId: STRANGER, consult: { workspaceId: t.env.workspaceId, threadId: own.ts } } })) === 1);
    const opened = viewsOpened().length;
    await slack().slashCommand({ user: STRANGER, channel: WOUNDS, command: '/loupe', text: 'consent MRN-1001' });
    await until('the refusal', () => slack().calls.find((c) => c.method === 'response_url' && c.rawBody.includes('consult with this patient')));
    expect(viewsOpened()).toHaveLength(opened);
    const patientId = await loupe().services.storage.patients.find(t.env.workspaceId, 'ST-MARY', 'MRN-1001');
    const refused = await prisma().auditEvent.findFirst({ where: { actorId: STRANGER, patientId: patientId!, outcome: 'denied' } });
    expect(refused).toMatchObject({ action: 'consent.listed', reason: 'not_their_patient' });
  });
});
