// Cards after they are posted, through the real Bolt app and the Slack
// stand-in: expiry (a scheduled sweep), revocation, inviting a specialist,
// the uploader asked to delete an original when there is no admin token, and
// the /loupe command.
import { readFile } from 'node:fs/promises';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_SWEEP_JOB } from '../../src/app/card-sweep.js';
import type { SlackStandIn } from '../../src/demo/slack/index.js';
import type { Loupe } from '../../src/main.js';
import { drained } from '../support/drain.js';
import { testEngines } from '../support/engines.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';

const ADMIN_TOKEN = 'xoxp-loupe-test-admin';
const WOUNDS = 'C0WOUNDS01';
const RADIOLOGY = 'C0RADIOL01';
const SENDER = 'U0CLIN0001';
const COLLEAGUE = 'U0CLIN0002';
const NURSE = 'U0NURSE001';
const ADMIN = 'U0ADMIN001';

describe.each(testEngines())('Slack cards on %s', (engine) => {
  let env: SlackLoupe;
  let loupe: Loupe;
  let slack: SlackStandIn;
  let jpeg: Buffer;
  let workspaceId: string;

  beforeAll(async () => {
    // The stand-in has an admin, but Loupe is not given the admin's token.
    env = await startSlackLoupe(engine, { giveAdminToken: false, env: { LOUPE_CARD_SWEEP_SECONDS: '1' } });
    ({ loupe, slack, workspaceId } = env);
    jpeg = await readFile((await makePhotoFixtures(env.inst.dataDir)).jpeg);
    const { storage } = loupe.services;
    await storage.policies.change(workspaceId, WOUNDS, { interception: true }, { type: 'admin', id: ADMIN });
    // Radiology's cards live one second, so the sweep expires them during the test.
    await storage.policies.change(workspaceId, RADIOLOGY, { interception: true, cardLifetimeSeconds: 1 }, { type: 'admin', id: ADMIN });
  });
  afterAll(() => env?.close());

  const prisma = () => loupe.services.storage.db.prisma;
  async function posted(channel: string, user = SENDER) {
    const upload = await slack.uploadFile({ user, channel, name: 'photo.jpg', bytes: jpeg });
    const call = await until('the card', () => slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === upload.ts));
    const card = await until('the card row', async () => (await prisma().card.findFirst({ where: { workspaceId, threadId: upload.ts, messageId: { not: null } } })) ?? undefined);
    return { upload, call, card };
  }
  const updatesOf = (ts: string) => slack.calls.filter((c) => c.method === 'chat.update' && c.params.ts === ts);
  const click = (user: string, channel: string, messageTs: string, action_id: string, value: string) =>
    slack.interaction({
      type: 'block_actions',
      user: { id: user },
      channel: { id: channel },
      message: { ts: messageTs },
      container: { type: 'message', message_ts: messageTs, channel_id: channel },
      actions: [{ type: 'button', action_id, block_id: 'b', value, action_ts: '1' }],
    });

  it('asks the uploader to delete the original when it has no admin token, and notices when they did', async () => {
    const { upload } = await posted(WOUNDS);
    const ask = await until('the request', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.user === SENDER && String(c.params.text).includes('Please delete the original')));
    expect(ask.params.thread_ts).toBe(upload.ts);
    expect(slack.file(upload.fileId)?.deleted).toBe(false);
    expect(slack.calls.some((c) => c.method === 'files.delete')).toBe(false);
    const asset = await prisma().asset.findFirstOrThrow({ where: { workspaceId, sourceRef: upload.fileId } });
    await until('removal requested', async () => (await prisma().asset.findUniqueOrThrow({ where: { id: asset.id } })).removal === 'requested');
    // Clicking "I deleted it" while it is still there gets a reminder...
    await click(SENDER, WOUNDS, ask.params.ts as string ?? upload.ts, 'loupe_removal_done', asset.id);
    await until('the reminder', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && String(c.params.text).includes('still in the channel')));
    // ...and after the uploader really deleted it, Loupe records it as removed.
    await new webApi.WebClient(ADMIN_TOKEN, { slackApiUrl: slack.apiUrl }).files.delete({ file: upload.fileId });
    await click(SENDER, WOUNDS, upload.ts, 'loupe_removal_done', asset.id);
    await until('removed', async () => (await prisma().asset.findUniqueOrThrow({ where: { id: asset.id } })).removal === 'removed');
  });

  it('expires a card when its lifetime ends: chat.update without View, and its link stops working', async () => {
    const { call, card } = await posted(RADIOLOGY);
    expect(String(call.params.blocks)).toContain('"View"');
    const update = await until('the expiry update', () => updatesOf(card.messageId!)[0]);
    const blocks = String(update.params.blocks);
    expect(blocks).toContain('Expired');
    expect(blocks).not.toContain('"View"');
    expect(blocks).not.toContain('/view/');
    expect((await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state).toBe('expired');
    expect(await prisma().linkToken.count({ where: { cardId: card.id, revokedAt: null } })).toBe(0);
    // The sweep runs every second: a sweep that starts after the update, and all it queues, leave the card as it is.
    const seen = loupe.services.clock.now();
    await until('a later sweep', async () => (await prisma().job.count({ where: { type: CARD_SWEEP_JOB, status: 'done', runAt: { gt: seen } } })) > 0);
    await drained(loupe);
    expect(updatesOf(card.messageId!)).toHaveLength(1);
  });

  it('asks before it revokes, and lets only the sender or an admin revoke a card', async () => {
    const { card, call } = await posted(WOUNDS);
    // Slack shows the Revoke button's confirmation dialog before it sends the press.
    const buttons = (JSON.parse(String(call.params.blocks)) as { elements?: { action_id?: string; confirm?: unknown }[] }[]).flatMap((b) => b.elements ?? []);
    expect(buttons.find((b) => b.action_id === 'loupe_revoke')?.confirm).toEqual({
      title: { type: 'plain_text', text: 'Revoke for everyone?' },
      text: { type: 'plain_text', text: 'Nobody, you included, will be able to open this image from its card or its links any more.' },
      confirm: { type: 'plain_text', text: 'Revoke for everyone' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    });
    await click(COLLEAGUE, WOUNDS, card.messageId!, 'loupe_revoke', card.id);
    await until('the refusal', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.user === COLLEAGUE && String(c.params.text).includes('Only the sender')));
    expect((await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state).toBe('waiting_for_patient');
    expect(await prisma().auditEvent.count({ where: { action: 'asset.revoked', outcome: 'denied', assetId: card.assetId } })).toBe(1);

    await click(SENDER, WOUNDS, card.messageId!, 'loupe_revoke', card.id);
    const update = await until('the revoked card', () => updatesOf(card.messageId!)[0]);
    expect(String(update.params.blocks)).toContain('Revoked');
    expect(String(update.params.blocks)).not.toContain('"View"');
    const asset = await prisma().asset.findUniqueOrThrow({ where: { id: card.assetId } });
    expect(asset.status).toBe('revoked');
    expect(asset.revokedBy).toBe(SENDER);
    // A second press (a stale card's, or the confirmation sent twice) changes nothing more.
    await click(SENDER, WOUNDS, card.messageId!, 'loupe_revoke', card.id);
    await drained(loupe);
    expect(await prisma().auditEvent.count({ where: { action: 'asset.revoked', outcome: 'success', assetId: card.assetId } })).toBe(1);
    expect(updatesOf(card.messageId!)).toHaveLength(1);
  });

  it('invites a specialist one hop, and no further', async () => {
    const { card, upload } = await posted(WOUNDS);
    await click(SENDER, WOUNDS, card.messageId!, 'loupe_invite', card.id);
    const opened = await until('the modal', () => slack.calls.find((c) => c.method === 'views.open' && String(c.params.view).includes(card.id)));
    expect(String(opened.params.view)).toContain('users_select');
    const submit = (user: string, selected: string) =>
      slack.interaction({
        type: 'view_submission',
        user: { id: user },
        view: { id: 'V1', callback_id: 'loupe_invite_modal', private_metadata: card.id, state: { values: { specialist: { specialist_select: { type: 'users_select', selected_user: selected } } } } },
      });
    expect((await submit(SENDER, COLLEAGUE)).status).toBe(200);
    const note = await until('the thread note', () => slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === upload.ts && String(c.params.text).includes('was invited')));
    expect(note.params.text).toBe(`<@${COLLEAGUE}> was invited to this consult by <@${SENDER}>.`);
    const grant = await prisma().grant.findFirstOrThrow({ where: { consultId: card.consultId, userId: COLLEAGUE } });
    expect([grant.source, grant.hop, grant.grantedBy]).toEqual(['invitation', 1, SENDER]);
    // The invited specialist cannot invite anyone else.
    const refused = await submit(COLLEAGUE, NURSE);
    expect(JSON.parse(refused.body)).toMatchObject({ response_action: 'errors' });
    expect(await prisma().grant.count({ where: { consultId: card.consultId, userId: NURSE } })).toBe(0);
  });

  it('answers /loupe help and status to anyone, and /loupe policy to admins only', async () => {
    const answers = () => slack.calls.filter((c) => c.method === 'response_url');
    const ask = async (user: string, text: string) => {
      const before = answers().length;
      expect((await slack.slashCommand({ user, channel: WOUNDS, command: '/loupe', text })).status).toBe(200);
      return String((await until('the answer', () => answers()[before])).params.text);
    };
    const changesBefore = await prisma().auditEvent.count({ where: { action: 'policy.changed', actorId: ADMIN } });
    expect(await ask(SENDER, 'help')).toContain('Secure with Loupe');
    expect(await ask(SENDER, 'status')).toMatch(/Interception here is \*on\*[\s\S]*Images held for this channel: \d+/);
    expect(await ask(SENDER, 'policy set interception off')).toContain('Only workspace admins');
    expect((await loupe.services.storage.policies.effective(workspaceId, WOUNDS)).interception).toBe(true);
    expect(await ask(ADMIN, 'policy set lifetime 7d')).toContain('\n• *Card lifetime:* 168 h\n');
    expect(await ask(ADMIN, 'policy set kinds dicom')).toContain('• *Accepted kinds:* dicom');
    expect(await ask(ADMIN, 'policy set mfa on')).toContain('• *Multi-factor sign-in to view:* required');
    expect(await ask(ADMIN, 'policy set mfa off')).toContain('• *Multi-factor sign-in to view:* not required');
    expect(await ask(ADMIN, 'policy set lifetime forever')).toContain('lifetime is like');
    expect(await ask(ADMIN, 'policy workspace')).toMatch(/^\*Workspace default policy\*\n\n• \*Interception:\* off\n/);
    const p = await loupe.services.storage.policies.effective(workspaceId, WOUNDS);
    expect([p.cardLifetimeSeconds, p.acceptedKinds]).toEqual([7 * 86400, ['dicom']]);
    expect(await prisma().auditEvent.count({ where: { action: 'policy.changed', actorId: ADMIN } })).toBe(changesBefore + 4);
    expect(await ask(ADMIN, 'policy set kinds photo,dicom')).toContain('• *Accepted kinds:* photo, dicom');
    const automatic = await ask(ADMIN, 'policy set pacs automatic');
    expect(automatic).toContain('• *Send to PACS:* automatic (every image linked to a patient)');
    // This Loupe has no PACS configured: the admin is told nothing will be sent.
    expect(automatic).toContain('no PACS is configured for this Loupe: no image is sent');
    expect(await ask(ADMIN, 'policy set pacs always')).toContain('pacs is on_request or automatic.');
    expect((await loupe.services.storage.policies.effective(workspaceId, WOUNDS)).pacsExport).toBe('automatic');
    const onRequest = await ask(ADMIN, 'policy set pacs on_request');
    expect(onRequest).toContain('• *Send to PACS:* on request');
    expect(onRequest).not.toContain('no PACS is configured');
  });

  it('shows /loupe policy as a list of settings and a list of the commands that change them', async () => {
    const before = slack.calls.filter((c) => c.method === 'response_url').length;
    await slack.slashCommand({ user: ADMIN, channel: WOUNDS, command: '/loupe', text: 'policy' });
    const shown = String((await until('the policy', () => slack.calls.filter((c) => c.method === 'response_url')[before])).params.text);
    const [heading, settings, changing, intro, commands] = shown.split('\n\n');
    expect(heading).toBe('*Policy of this channel*');
    expect(settings!.split('\n')).toEqual([
      '• *Interception:* on',
      expect.stringMatching(/^• \*Accepted kinds:\* /),
      expect.stringMatching(/^• \*Card lifetime:\* \d+ h$/),
      '• *Patient identifier pattern:* none',
      expect.stringMatching(/^• \*Channel members may view:\* (yes|no)$/),
      expect.stringMatching(/^• \*Multi-factor sign-in to view:\* (not )?required$/),
      '• *Card preview:* none',
      '• *Send to PACS:* on request',
      expect.stringMatching(/^• \*Retention:\* /),
      expect.stringMatching(/^• \*Break-glass \(whole workspace\):\* (allowed|off)$/),
    ]);
    expect(changing).toBe('*Changing the policy*');
    expect(intro).toContain('`/loupe policy workspace` the workspace default');
    expect(commands!.split('\n')[0]).toBe('• `/loupe policy set interception on|off`');
    expect(commands!.split('\n').every((line) => line.startsWith('• `/loupe policy '))).toBe(true);
    // A pattern's angle brackets are shown as typed, not read by Slack as a link.
    await slack.slashCommand({ user: ADMIN, channel: WOUNDS, command: '/loupe', text: 'policy set pattern (?<mrn>MRN\\d{6})' });
    const changed = String((await until('the change', () => slack.calls.filter((c) => c.method === 'response_url')[before + 1])).params.text);
    expect(changed).toContain('\n• *Patient identifier pattern:* `(?&lt;mrn&gt;MRN\\d{6})` (issuer ');
    await slack.slashCommand({ user: ADMIN, channel: WOUNDS, command: '/loupe', text: 'policy set pattern none' });
    await until('no pattern', async () => ((await loupe.services.storage.policies.effective(workspaceId, WOUNDS)).identifierPattern === null ? true : undefined));
  });

  it('answers a command it does not have with its word and the usage, never the rest of what was typed', async () => {
    const answers = () => slack.calls.filter((c) => c.method === 'response_url');
    const ask = async (text: string) => {
      const before = answers().length;
      expect((await slack.slashCommand({ user: SENDER, channel: WOUNDS, command: '/loupe', text })).status).toBe(200);
      return String((await until('the answer', () => answers()[before])).params.text);
    };
    const unknown = await ask('frobnicate MRN-424242 Zebedee Quux');
    expect(unknown).toMatch(/^Unknown command: frobnicate\n\n\*Loupe\* keeps clinical images out of the chat/);
    expect(unknown).toContain('`/loupe status`');
    expect(unknown).not.toMatch(/424242|Zebedee|Quux/);
    // A first word that is no plain word (an identifier typed first) is not said back either.
    const identifier = await ask('MRN-424242 wound');
    expect(identifier).toMatch(/^Unknown command\.\n\n\*Loupe\* keeps/);
    expect(identifier).not.toContain('424242');
    expect(await ask('HELP')).toMatch(/^\*Loupe\* keeps/);
  });

  it('asks the sender which patient a photo shows, links it from the modal, and redraws the card as active', async () => {
    const { card, upload } = await posted(WOUNDS);
    expect(card.state).toBe('waiting_for_patient');
    const prompt = await until('the prompt', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.thread_ts === upload.ts && String(c.params.blocks ?? '').includes('loupe_link_patient')));
    expect(prompt.params.user).toBe(SENDER);
    await click(SENDER, WOUNDS, card.messageId!, 'loupe_link_patient', card.id);
    const modal = await until('the modal', () => slack.calls.find((c) => c.method === 'views.open' && String(c.params.view).includes('loupe_link_patient_modal') && String(c.params.view).includes(card.id)));
    expect(String(modal.params.view)).toContain('Patient identifier');
    const submit = (user: string, identifier: string) =>
      slack.interaction({
        type: 'view_submission',
        user: { id: user },
        view: {
          id: 'V2',
          callback_id: 'loupe_link_patient_modal',
          private_metadata: card.id,
          state: { values: { identifier: { value: { type: 'plain_text_input', value: identifier } }, issuer: { value: { type: 'plain_text_input', value: 'ST-MARY' } }, note: { value: { type: 'plain_text_input', value: 'left heel, ZEBEDEE-NOTE' } } } },
        },
      });
    // Someone else cannot say whose image it is.
    expect(JSON.parse((await submit(COLLEAGUE, 'MRN-404')).body)).toMatchObject({ response_action: 'errors' });
    expect((await submit(SENDER, 'MRN-555')).status).toBe(200);
    const update = await until('the active card', () => updatesOf(card.messageId!)[0]);
    expect(String(update.params.blocks)).toContain('"View"');
    expect(String(update.params.blocks)).toMatch(/\/view\/[A-Za-z0-9_-]{43}/);
    expect((await prisma().card.findUniqueOrThrow({ where: { id: card.id } })).state).toBe('active');
    const asset = await prisma().asset.findUniqueOrThrow({ where: { id: card.assetId } });
    const patient = await loupe.services.storage.patients.read(asset.patientId!, { type: 'system', id: 'test' }, 'test');
    expect(patient).toMatchObject({ identifier: 'MRN-555', issuer: 'ST-MARY' });
    // The note is kept sealed, not readable in the database.
    expect(Buffer.from(asset.messageText!).includes(Buffer.from('ZEBEDEE'))).toBe(false);
    // The redrawn card carries a new link; the first one no longer works.
    expect(await prisma().linkToken.count({ where: { cardId: card.id, revokedAt: null } })).toBe(1);
    expect(await prisma().linkToken.count({ where: { cardId: card.id } })).toBe(2);
  });

  it('secures a file posted where interception is off when someone uses the "Secure with Loupe" shortcut', async () => {
    const partner = 'C0PARTNER1';
    const upload = await slack.uploadFile({ user: SENDER, channel: partner, name: 'late.jpg', bytes: jpeg });
    await drained(loupe);
    expect(await prisma().asset.count({ where: { workspaceId, sourceRef: upload.fileId } })).toBe(0);
    const r = await slack.interaction({
      type: 'message_action',
      callback_id: 'loupe_secure',
      user: { id: NURSE },
      channel: { id: partner },
      message: { type: 'message', ts: upload.ts, user: SENDER, text: '', files: [{ id: upload.fileId }] },
    });
    expect(r.status).toBe(200);
    await until('the card', () => slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === upload.ts));
    const received = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'asset.received', actorId: NURSE } });
    expect(received.outcome).toBe('success');
  });

  it('publishes an App Home that shows admins the policy commands', async () => {
    const home = async (user: string) => {
      const before = slack.calls.filter((c) => c.method === 'views.publish').length;
      await slack.deliver({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: '1.1' });
      return String((await until('the home', () => slack.calls.filter((c) => c.method === 'views.publish')[before])).params.view);
    };
    expect(await home(SENDER)).toContain('Secure with Loupe');
    expect(await home(SENDER)).not.toContain('/loupe policy');
    expect(await home(ADMIN)).toContain('/loupe policy');
  });
});
