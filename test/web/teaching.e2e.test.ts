// Share for teaching end to end: the real Bolt app over HTTP behind the Slack
// stand-in, a real OpenID Provider, and Chromium. The card's button answers
// privately why nothing was shared without an education consent; once one is
// recorded it answers with a link; the link opens after sign-in (any hospital
// user) on the de-identified image alone; a withdrawal ends it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../src/app/consent/record-consent.js';
import { withdrawConsent } from '../../src/app/consent/withdraw-consent.js';
import { revokeCard } from '../../src/app/revoke-card.js';
import { TEACHING_REFUSED } from '../../src/chat/teaching-text.js';
import { startConsoleLoupe, type ConsoleLoupe } from '../support/console.js';
import { plantedDicom } from '../support/planted-dicom.js';
import { until, type SlackLoupe } from '../support/slack.js';
import { screen } from '../support/screens.js';

const RADIOLOGY = 'C0RADIOL01';
const AMARA = { id: 'U0CLIN0001', email: 'amara.okafor@hospital.example' };
const SAM = { email: 'sam.rivera@hospital.example' };
const ADMIN = 'U0ADMIN001';
const PATIENT = { name: 'TEACHPLANT^ROSA', identifier: 'MRN-E2E-TEACH-1', birthDate: '19700102' };
const nurse = { kind: 'chat_user', id: AMARA.id } as const;

describe('share for teaching in Chromium, through Slack', () => {
  let c: ConsoleLoupe;
  let env: SlackLoupe;
  let browser: Browser;

  beforeAll(async () => {
    // The console tests' Loupe: the real provider, the Slack stand-in and Chromium.
    c = await startConsoleLoupe();
    ({ env, browser } = c);
    await env.loupe.services.storage.policies.change(env.workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: ADMIN });
  });
  afterAll(async () => {
    await c?.close();
  });

  /** A DICOM naming its patient, posted in the channel: its card, active and linked. */
  async function upload() {
    const up = await env.slack.uploadFile({ user: AMARA.id, channel: RADIOLOGY, name: 'ct.dcm', bytes: await plantedDicom(PATIENT) });
    const posted = await until('the card', () => env.slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts));
    const prisma = env.loupe.services.storage.db.prisma;
    const card = await until('the card active', async () => {
      const c = await prisma.card.findFirst({ where: { threadId: up.ts, state: 'active', messageId: { not: null } }, include: { asset: true } });
      return c ?? undefined;
    });
    return { card, blocks: String(posted.params.blocks) };
  }

  /** AMARA presses Share for teaching on the card. */
  const click = (card: { id: string; messageId: string | null }) =>
    env.slack.interaction({
      type: 'block_actions',
      user: { id: AMARA.id },
      channel: { id: RADIOLOGY },
      message: { ts: card.messageId },
      container: { type: 'message', message_ts: card.messageId, channel_id: RADIOLOGY },
      actions: [{ type: 'button', action_id: 'loupe_teach', block_id: 'b', value: card.id, action_ts: '1' }],
    });

  /** She presses it; the private answer she gets. */
  async function press(card: { id: string; messageId: string | null }): Promise<string> {
    const before = env.slack.calls.length;
    expect((await click(card)).status).toBe(200);
    const answer = await until('the private answer', () => env.slack.calls.slice(before).find((c) => c.method === 'chat.postEphemeral' && c.params.user === AMARA.id));
    // Nothing about it in the thread.
    expect(env.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    return String(answer.params.text);
  }

  async function signIn(page: Page, url: string, email: string): Promise<void> {
    await page.goto(url);
    await page.fill('#email', email);
    await page.fill('#password', 'demo');
    await Promise.all([page.waitForLoadState('load'), page.click('button.primary')]);
  }

  it('refuses without an education consent, saying why; shares once one is recorded; the link shows only the de-identified image after sign-in, and stops with a withdrawal', async () => {
    const { storage } = env.loupe.services;
    const clock = { now: () => new Date() };
    const { card, blocks } = await upload();
    expect(blocks).toContain('Share for teaching');

    const refused = await press(card);
    expect(refused).toBe(TEACHING_REFUSED.consent_missing);
    expect(refused).toMatch(/does not cover education/);
    for (const phi of ['TEACHPLANT', PATIENT.identifier]) expect(refused).not.toContain(phi);

    const permit = await recordConsent({ ...storage, queue: env.loupe.services.queue, clock }, {
      workspaceId: env.workspaceId,
      patient: { identifier: PATIENT.identifier, issuer: 'HOSPITAL-A' },
      terms: { decision: 'permit', purposes: ['education'], parties: ['institution'], dataKinds: ['dicom'], validFrom: new Date(Date.now() - 60_000) },
      recorder: nurse,
      via: 'chat_slack',
    });
    expect(permit.patientId).toBe(card.asset.patientId);
    const answer = await press(card);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/teach\/[A-Za-z0-9_-]{43})/.exec(answer)?.[1];
    expect(link, answer).toBeDefined();
    expect(answer).toMatch(/until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);

    // Someone outside the consult, signed in at the hospital, sees the image and nothing else.
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page, link!, SAM.email);
    expect(page.url()).toBe(link);
    expect(await page.textContent('h1')).toBe('Teaching image');
    expect(await page.textContent('header.top .who')).toContain('Signed in as Sam Rivera');
    // Run in the page (strings: the tests are compiled without the DOM's types). Asked with evaluate, not
    // waitForFunction: the latter's polling evaluates the string in the page, which the strict CSP refuses.
    await until('the teaching image loaded', async () => (await page.evaluate(`(() => { const img = document.getElementById('teaching-image'); return img !== null && img.complete && img.naturalWidth > 0; })()`)) === true || undefined);
    const size = (await page.evaluate(`(() => { const img = document.getElementById('teaching-image'); return [img.naturalWidth, img.naturalHeight]; })()`)) as number[];
    expect(size[0]).toBeGreaterThanOrEqual(128);
    expect(size[1]).toBeGreaterThanOrEqual(128);
    const content = await page.content();
    for (const phi of ['TEACHPLANT', 'ROSA', PATIENT.identifier, PATIENT.birthDate]) expect(content).not.toContain(phi);
    expect(content).not.toContain('/view/');
    expect(errors).toEqual([]);
    await screen(page, 'teaching');

    await withdrawConsent({ ...storage, queue: env.loupe.services.queue, clock }, { workspaceId: env.workspaceId, consentId: permit.id, recorder: nurse, via: 'chat_slack', reason: 'patient_withdrew' });
    const after = await page.goto(link!);
    expect(after?.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('Not covered by the patient’s consent');
    const image = await page.goto(`${link!}/image`);
    expect(image?.status()).toBe(403);

    const views = await storage.db.prisma.auditEvent.findMany({ where: { action: 'teaching_share.viewed', assetId: card.assetId }, orderBy: { seq: 'asc' } });
    expect(views.map((v) => v.outcome)).toEqual(['success', 'success', 'denied', 'denied']);
    expect(await storage.db.prisma.auditEvent.count({ where: { action: 'teaching_share.created', assetId: card.assetId, outcome: 'success' } })).toBe(1);
  });

  it('asks first, in a modal, for an image flagged for burned-in text, and shares only once the sharer ticks that they checked it', async () => {
    const { storage } = env.loupe.services;
    const { card } = await upload();
    await storage.db.prisma.asset.update({ where: { id: card.assetId }, data: { burnedInText: true } });
    await recordConsent({ ...storage, queue: env.loupe.services.queue, clock: { now: () => new Date() } }, {
      workspaceId: env.workspaceId,
      patient: { identifier: PATIENT.identifier, issuer: 'HOSPITAL-A' },
      terms: { decision: 'permit', purposes: ['education'], parties: ['institution'], dataKinds: ['dicom'], validFrom: new Date(Date.now() - 60_000) },
      recorder: nurse,
      via: 'chat_slack',
    });
    const before = env.slack.calls.length;
    await click(card);
    const modal = await until('the confirmation modal', () => env.slack.calls.slice(before).find((c) => c.method === 'views.open'));
    expect(String(modal.params.view)).toContain('I have checked: no burned-in identifiers and no face');
    expect(await storage.db.prisma.teachingShare.count({ where: { assetId: card.assetId } })).toBe(0);
    const submit = (ticked: boolean) =>
      env.slack.interaction({
        type: 'view_submission',
        user: { id: AMARA.id },
        view: { id: 'V9', callback_id: 'loupe_teaching_confirm_modal', private_metadata: card.id, state: { values: { confirm: { value: { type: 'checkboxes', selected_options: ticked ? [{ value: 'checked' }] : [] } } } } },
      });
    // Not ticked: the modal says so and nothing is shared.
    expect(JSON.parse((await submit(false)).body)).toMatchObject({ response_action: 'errors' });
    expect(await storage.db.prisma.teachingShare.count({ where: { assetId: card.assetId } })).toBe(0);
    expect((await submit(true)).status).toBe(200);
    const answer = await until('the private link', () => env.slack.calls.slice(before).find((c) => c.method === 'chat.postEphemeral' && c.params.user === AMARA.id));
    expect(String(answer.params.text)).toMatch(/\/teach\/[A-Za-z0-9_-]{43}/);
    expect((await storage.db.prisma.teachingShare.findFirstOrThrow({ where: { assetId: card.assetId } })).confirmed).toBe(true);
  });

  it('refuses a stale button: the card was revoked', async () => {
    const { card } = await upload();
    const { storage } = env.loupe.services;
    await revokeCard({ db: storage.db, audit: storage.audit, queue: env.loupe.services.queue, clock: { now: () => new Date() } }, { cardId: card.id, who: { workspaceId: env.workspaceId, userId: AMARA.id, isAdmin: false } });
    expect(await press(card)).toBe(TEACHING_REFUSED.card_stale);
  });
});
