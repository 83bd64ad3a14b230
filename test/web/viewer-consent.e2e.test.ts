// A withdrawal of consent, end to end in real Chromium: in a channel whose
// policy requires a recorded consent, a specialist invited to the consult has
// a two-frame DICOM open (signed in at the real OpenID Provider, through the
// card the Slack stand-in shows); the patient's permit is withdrawn; the
// viewer's very next frame request is refused (not served from the decision
// made a moment before), the page blanks saying the patient's consent no
// longer covers it, the link's page says so too, and the card in Slack is
// redrawn "Consent withdrawn" without View.
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../src/app/consent/record-consent.js';
import { withdrawConsent } from '../../src/app/consent/withdraw-consent.js';
import { inviteSpecialist } from '../../src/app/invite-specialist.js';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { CANVAS_SUM } from '../support/chromium.js';
import { startConsoleLoupe, type ConsoleLoupe } from '../support/console.js';
import { until, type SlackLoupe } from '../support/slack.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const CHANNEL = 'C0WOUNDS01';
const AMARA = { id: 'U0CLIN0001', email: 'amara.okafor@hospital.example' };
const LI = { id: 'U0CLIN0002', email: 'li.wei@hospital.example' };
const ADMIN = 'U0ADMIN001';
const NURSE = { kind: 'chat_user', id: 'U0NURSE001' } as const;
const MRN = 'MRN-E2E-CONSENT-1';

describe('a consent withdrawal in Chromium', () => {
  let c: ConsoleLoupe;
  let env: SlackLoupe;
  let browser: Browser;
  let shots: string;

  beforeAll(async () => {
    // The screenshot stays there for inspection.
    shots = await mkdtemp(join(tmpdir(), 'loupe-consent-e2e-'));
    // The console tests' Loupe: the real provider, the Slack stand-in and Chromium.
    c = await startConsoleLoupe();
    ({ env, browser } = c);
    await env.loupe.services.storage.policies.change(env.workspaceId, CHANNEL, { interception: true, consentRule: 'always_required' }, { type: 'admin', id: ADMIN });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('refuses the open viewer’s next frame at once, blanks it saying why, and redraws the card as consent withdrawn', async () => {
    const { storage, queue, clock } = env.loupe.services;
    const consentDeps = { ...storage, clock, queue };
    const two = readInstance(await readFile(join(PYDICOM, 'SC_rgb_rle_2frame.dcm')), DEFAULT_LIMITS);
    two.dicom.dict['00100020'] = { vr: 'LO', Value: [MRN] };
    delete two.dicom.dict['00100021'];
    const up = await env.slack.uploadFile({ user: AMARA.id, channel: CHANNEL, name: 'two.dcm', bytes: writeInstance(two) });
    await until('the card', () => env.slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts));
    // The stand-in records the post before Loupe has saved the message's id: wait for that too, or the redraw cannot be matched.
    const card = await until('the card row', async () => (await storage.db.prisma.card.findFirst({ where: { threadId: up.ts, messageId: { not: null } }, include: { asset: true } })) ?? undefined);
    // The image's patient is the one whose consent is recorded (the channel's default issuer).
    expect(card.asset.patientId).toBe(await storage.patients.find(env.workspaceId, 'LOCAL', MRN));

    const permit = await recordConsent(consentDeps, {
      workspaceId: env.workspaceId,
      patient: { identifier: MRN, issuer: 'LOCAL' },
      terms: { decision: 'permit', purposes: ['care'], parties: ['care_team'], dataKinds: ['dicom'], validFrom: new Date(Date.now() - 60_000) },
      recorder: NURSE,
      via: 'chat_slack',
    });
    await inviteSpecialist({ db: storage.db, audit: storage.audit, clock, policies: storage.policies }, { cardId: card.id, who: { workspaceId: env.workspaceId, userId: AMARA.id, isAdmin: false }, specialistId: LI.id });
    // The card as Slack now shows it, once every redraw queued so far is done.
    await until('the redraws done', async () => (await storage.db.prisma.job.count({ where: { type: 'card.update', status: { in: ['queued', 'running'] } } })) === 0 || undefined);
    const drawings = env.slack.calls.filter((c) => (c.method === 'chat.update' && c.params.ts === card.messageId) || (c.method === 'chat.postMessage' && c.params.thread_ts === up.ts));
    const url = /"url":"([^"]+\/view\/[^"]+)"/.exec(String(drawings.at(-1)!.params.blocks))![1]!;

    const page = await (await browser.newContext()).newPage();
    const uncaught: string[] = [];
    page.on('pageerror', (e) => uncaught.push(e.message));
    await page.goto(url);
    await page.fill('#email', LI.email);
    await page.fill('#password', 'demo');
    await Promise.all([page.waitForLoadState('load'), page.click('button.primary')]);
    await page.waitForSelector('#frame-controls:not([hidden])');
    await until('frame 1 drawn', async () => ((await page.textContent('#frame')) === '1 / 2' && ((await page.evaluate(CANVAS_SUM)) as number) > 0) || undefined);
    const token = url.split('/view/')[1]!;
    const frame = (index: number) => page.evaluate(async (path) => { const r = await fetch(path); return [r.status, r.status === 200 ? '' : ((await r.json()) as { error: string }).error]; }, `/viewer/api/${token}/frames/${index}`);
    // A decision made just now, which the viewer would reuse for a few seconds.
    expect(await frame(0)).toEqual([200, '']);

    const withdrawnAt = Date.now();
    await withdrawConsent(consentDeps, { workspaceId: env.workspaceId, consentId: permit.id, recorder: NURSE, via: 'chat_slack', reason: 'patient_withdrew' });
    // The very next frame request is decided afresh, and refused.
    expect(await frame(1)).toEqual([403, 'consent_missing']);
    expect(Date.now() - withdrawnAt).toBeLessThan(5_000);
    const refusals = await storage.db.prisma.auditEvent.findMany({ where: { action: 'asset.viewed', outcome: 'denied', assetId: card.assetId, actorId: LI.id } });
    expect(refusals.map((e) => e.reason)).toContain('consent_missing');

    // The specialist steps to the next frame. The page fetched it ahead, before the withdrawal, so no request is made
    // for it; the page's status check (every 5 s) is refused and the image goes, saying why.
    await page.click('#next');
    await page.waitForSelector('#locked:not([hidden])', { timeout: 15_000 });
    expect(await page.textContent('#locked-reason')).toContain('Not covered by the patient’s consent');
    expect(await page.evaluate(CANVAS_SUM)).toBe(0);
    expect(await page.isHidden('#relogin')).toBe(true);
    const shot = join(shots, 'viewer-consent-withdrawn.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(0);
    expect(uncaught, uncaught.join('\n')).toEqual([]);

    // The card's link now leads to the consent page.
    const answer = await page.goto(url);
    expect(answer?.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('Not covered by the patient’s consent');

    // The card in Slack: redrawn as consent withdrawn, with no View button and nothing about the patient.
    const redrawn = await until('the card redrawn as consent withdrawn', () =>
      env.slack.calls.find((c) => c.method === 'chat.update' && c.params.ts === card.messageId && String(c.params.blocks).includes('Consent withdrawn')),
    );
    const blocks = String(redrawn.params.blocks);
    expect(blocks).not.toContain('loupe_view');
    expect(blocks).not.toContain('/view/');
    expect(JSON.stringify(redrawn.params)).not.toContain(MRN);
  });
});
