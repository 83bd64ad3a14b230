// Channel policies and legal holds in the console, in Chromium against the
// real oidc-provider: an admin's change through the form is what the next
// upload follows; each value says where it comes from; a forged cross-site
// POST changes nothing; holds are placed and lifted with reasons that stay
// out of the audit trail; every input is labelled.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoToneRaw } from '../support/photos.js';
import { CONSOLE_PEOPLE, consoleSignIn, startConsoleLoupe, type ConsoleLoupe } from '../support/console.js';
import { until } from '../support/until.js';
import { asJson } from '../support/json.js';
import { screen } from '../support/screens.js';

const WOUNDS = 'C0WOUNDS01';
const AMARA = 'U0CLIN0001';
const CT = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
/** The columns of the policies table after the channel: interception, kinds, lifetime, mfa, viewers, identifier, retention. */
const RETENTION_COLUMN = 6;

describe('channel policies and legal holds in the console', () => {
  let c: ConsoleLoupe;
  let admin: Page;
  let ws: string;
  const editUrl = (channel: string) => `${c.publicUrl}/admin/policies/${ws}/${encodeURIComponent(channel)}`;
  const db = () => c.env.loupe.services.storage.db.prisma;

  beforeAll(async () => {
    c = await startConsoleLoupe();
    ws = c.env.workspaceId;
    ({ page: admin } = await c.page());
    await consoleSignIn(admin, `${c.publicUrl}/admin/policies`, CONSOLE_PEOPLE.admin);
  });
  afterAll(async () => {
    await c?.close();
  });

  /** Submits the policy form by pressing Enter in a text field, as a keyboard user would, and waits for the answer. */
  async function save(page: Page): Promise<void> {
    await Promise.all([page.waitForLoadState('load'), page.waitForURL(/done=/), page.press('input[name=issuer]', 'Enter')]);
  }

  async function retentionCell(page: Page, channel: string): Promise<string> {
    await page.goto(`${c.publicUrl}/admin/policies`);
    const row = page.locator('table.policies tbody tr', { has: page.locator('th code', { hasText: channel }) });
    return (await row.locator('td').nth(RETENTION_COLUMN).innerText()).replace(/\s+/g, ' ');
  }

  it('an admin turns interception on and accepts photos only; the next photo gets a card, a DICOM file is left alone', async () => {
    await admin.goto(editUrl(WOUNDS));
    expect(await admin.textContent('h1')).toBe(`Policy for channel ${WOUNDS}`);
    await admin.check('input[name=from_interception][value=set]');
    await admin.check('input[name=interception][value=on]');
    await admin.check('input[name=from_kinds][value=set]');
    await admin.uncheck('input[name=kinds][value=dicom]');
    await admin.check('input[name=kinds][value=photo]');
    expect(await admin.textContent('#part-pacs .now')).toContain('On request');
    // This Loupe has no PACS configured, and the Send to PACS part says what that means.
    expect(await admin.textContent('#part-pacs #no-pacs')).toContain('No PACS is configured for this Loupe: no image is sent to one');
    await admin.check('input[name=from_pacs][value=set]');
    await admin.check('input[name=pacs][value=automatic]');
    await save(admin);
    const banner = await admin.textContent('.banner.ok');
    expect(banner).toContain('Saved.');
    expect(banner).toContain('Interception: Off → On');
    expect(banner).toContain('Accepted kinds: Photos and DICOM → Photos only');
    expect(banner).toContain('Send to PACS: On request → Automatic');
    expect(await admin.textContent('#part-interception .now')).toContain('This channel');

    const changed = await db().auditEvent.findFirstOrThrow({ where: { action: 'policy.changed', workspaceId: ws }, orderBy: { seq: 'desc' } });
    expect(changed.actorId).not.toBeNull();
    expect(changed.details).toMatchObject({ channelId: WOUNDS, before: { interception: false, acceptedKinds: ['photo', 'dicom'], pacsExport: 'on_request' }, after: { interception: true, acceptedKinds: ['photo'], pacsExport: 'automatic' } });

    const photo = await sharp(twoToneRaw(), { raw: { width: 300, height: 200, channels: 3 } }).jpeg().toBuffer();
    const up = await c.env.slack.uploadFile({ user: AMARA, channel: WOUNDS, name: 'wound.jpg', bytes: photo });
    const card = await until('the photo’s card', () => c.env.slack.calls.find((x) => x.method === 'chat.postMessage' && x.params.thread_ts === up.ts));
    expect(String(card.params.blocks)).toContain('/view/');

    const dicom = await c.env.slack.uploadFile({ user: AMARA, channel: WOUNDS, name: 'ct.dcm', bytes: await readFile(CT) });
    const asset = await until('the DICOM upload looked at', async () => {
      const a = await db().asset.findFirst({ where: { sourceRef: { contains: dicom.fileId } } });
      return a?.status === 'failed' ? a : undefined;
    });
    // What the channel sees: the file stays as it was, with no card and nothing deleted.
    expect(asset.removal).toBe('not_possible');
    expect(c.env.slack.calls.some((x) => x.method === 'chat.postMessage' && x.params.thread_ts === dicom.ts)).toBe(false);
    expect(c.env.slack.calls.some((x) => x.method === 'files.delete' && JSON.stringify(x.params).includes(dicom.fileId))).toBe(false);
  });

  it('says where each value comes from: the workspace default, then the channel', async () => {
    expect(await retentionCell(admin, WOUNDS)).toContain('Loupe default');
    await admin.goto(editUrl('*'));
    expect(await admin.textContent('h1')).toBe('Workspace default policy');
    await admin.check('input[name=from_retention][value=set]');
    await admin.check('input[name=retentionMode][value=days]');
    await admin.fill('input[name=retentionDays]', '30');
    await save(admin);
    expect(await admin.textContent('.banner.ok')).toContain('Retention: 365 days → 30 days');
    expect(await retentionCell(admin, WOUNDS)).toBe('30 days Workspace default');

    await admin.goto(editUrl(WOUNDS));
    await admin.check('input[name=from_retention][value=set]');
    await admin.check('input[name=retentionMode][value=keep]');
    await save(admin);
    expect(await retentionCell(admin, WOUNDS)).toBe('Until someone sets a retention This channel');

    await admin.goto(editUrl(WOUNDS));
    await admin.check('input[name=from_retention][value=inherit]');
    await save(admin);
    expect(await retentionCell(admin, WOUNDS)).toBe('30 days Workspace default');
    await screen(admin, 'console-policies');
  });

  it('keeps each row’s Edit in view on a laptop’s screen, and the page never scrolls sideways', async () => {
    const { page } = await c.page();
    await page.setViewportSize({ width: 1280, height: 800 });
    await consoleSignIn(page, `${c.publicUrl}/admin/policies`, CONSOLE_PEOPLE.admin);
    const edits = page.locator('table.policies a.edit');
    expect(await edits.count()).toBeGreaterThanOrEqual(1);
    for (const box of await Promise.all((await edits.all()).map((e) => e.boundingBox()))) {
      expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    }
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
    await Promise.all([page.waitForURL((u) => u.pathname === new URL(editUrl('*')).pathname), edits.first().click()]);
    expect(await page.textContent('h1')).toBe('Workspace default policy');
  });

  it('asks before a shorter retention destroys images, saying how many, and saves only once confirmed', async () => {
    // One of the channel's images was received 100 days ago.
    const old = await db().asset.findFirstOrThrow({ where: { workspaceId: ws, consult: { channelId: WOUNDS }, status: 'stored' } });
    await db().asset.update({ where: { id: old.id }, data: { createdAt: new Date(Date.now() - 100 * 86_400_000) } });
    await admin.goto(editUrl(WOUNDS));
    await admin.check('input[name=from_retention][value=set]');
    await admin.check('input[name=retentionMode][value=days]');
    await admin.fill('input[name=retentionDays]', '7');
    const answer = admin.waitForResponse((r) => r.request().method() === 'POST');
    await admin.press('input[name=retentionDays]', 'Enter');
    expect((await answer).status()).toBe(409);
    await admin.waitForLoadState('load');
    expect(await admin.textContent('#confirm-retention')).toContain('1 image');
    expect((await c.env.loupe.services.storage.policies.effective(ws, WOUNDS)).retentionDays).toBe(30);
    // What was typed is kept; ticking the box (labelled, so by its words) and saving applies it.
    expect(await admin.inputValue('input[name=retentionDays]')).toBe('7');
    await admin.getByLabel('I understand: destroy 1 image at the next sweep').check();
    await save(admin);
    expect(await admin.textContent('.banner.ok')).toContain('Retention: 30 days → 7 days');
    expect((await c.env.loupe.services.storage.policies.effective(ws, WOUNDS)).retentionDays).toBe(7);
    await db().asset.update({ where: { id: old.id }, data: { createdAt: old.createdAt } });
  });

  it('answers a bad value with 400, the problem, and what was typed; nothing is saved', async () => {
    await admin.goto(editUrl(WOUNDS));
    await admin.check('input[name=from_identifier][value=set]');
    await admin.fill('input[name=pattern]', 'MRN(');
    const answer = admin.waitForResponse((r) => r.request().method() === 'POST');
    await admin.press('input[name=pattern]', 'Enter');
    expect((await answer).status()).toBe(400);
    await admin.waitForLoadState('load');
    expect(await admin.textContent('.banner.bad')).toContain('not a valid regular expression');
    expect(await admin.inputValue('input[name=pattern]')).toBe('MRN(');
    expect((await c.env.loupe.services.storage.policies.effective(ws, WOUNDS)).identifierPattern).toBeNull();
  });

  it('refuses a forged cross-site POST and a same-origin POST without the form token, and changes nothing', async () => {
    const before = await c.env.loupe.services.storage.policies.resolved(ws, WOUNDS);
    const attacker: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form id="f" method="post" action="${editUrl(WOUNDS)}">
<input name="from_interception" value="set"><input name="interception" value="off"></form>
<script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    try {
      const answer = admin.waitForResponse((r) => r.url().startsWith(editUrl(WOUNDS)) && r.request().method() === 'POST');
      await admin.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      expect((await answer).status()).toBe(403);
      await admin.waitForLoadState('load');
      expect(await admin.textContent('main')).toContain('did not come from a Loupe console page');
    } finally {
      attacker.close();
    }

    await admin.goto(`${c.publicUrl}/admin/policies`);
    const status = await admin.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'from_interception=set&interception=off' })).status, editUrl(WOUNDS));
    expect(status).toBe(403);

    expect(await c.env.loupe.services.storage.policies.resolved(ws, WOUNDS)).toEqual(before);
    expect(await db().auditEvent.count({ where: { action: 'console.refused', reason: 'csrf' } })).toBe(2);
  });

  it('refuses the admin another workspace’s policy, and a privacy officer the edit form, audited', async () => {
    const other = await c.env.loupe.services.storage.workspaces.ensure('slack', 'T0OTHER', 'Other hospital', { type: 'admin', id: 'U0OTHER001' });
    await admin.goto(`${c.publicUrl}/admin/policies/${other.id}/*`);
    expect(await admin.textContent('h1')).toBe('Not allowed');
    // The refusal names who is signed in, with sign-out, like every console page.
    expect(await admin.textContent('header.top .who')).toContain('Signed in as Jordan Ellis');
    expect(await admin.isVisible('header.top .who form[action="/auth/logout"] button')).toBe(true);
    await admin.goto(editUrl(WOUNDS));
    const token = await admin.inputValue('input[name=_csrf]');
    const status = await admin.evaluate(
      async ([url, body]) => (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })).status,
      [`${c.publicUrl}/admin/policies/${other.id}/*`, `_csrf=${encodeURIComponent(token)}&from_interception=set&interception=on`],
    );
    expect(status).toBe(403);
    expect((await c.env.loupe.services.storage.policies.effective(other.id, '*')).interception).toBe(false);
    expect(await db().auditEvent.count({ where: { action: 'console.refused', reason: 'not_allowed' } })).toBeGreaterThanOrEqual(2);

    const { page: officer } = await c.page();
    await consoleSignIn(officer, `${c.publicUrl}/admin/policies`, CONSOLE_PEOPLE.officer);
    expect(await officer.textContent('h1')).toBe('Channel policies');
    expect(await officer.locator('table.policies a', { hasText: 'Edit' }).count()).toBe(0);
    await officer.goto(editUrl(WOUNDS));
    expect(await officer.textContent('h1')).toBe('Not allowed');
  });

  it('a workspace admin places a hold on a channel with a reason and lifts it with a reason; both audited by id only', async () => {
    const reason = 'Claim 2026-114 from the wound clinic';
    const liftReason = 'Claim 2026-114 settled';
    await admin.goto(`${c.publicUrl}/admin/holds`);
    expect(await admin.textContent('main')).toContain('No legal hold is in force');
    await admin.check('input[name=scope][value=channel]');
    await admin.selectOption('select[name=channel]', `${ws} ${WOUNDS}`);
    await admin.fill('textarea[name=reason]', reason);
    await Promise.all([admin.waitForURL(/done=placed/), admin.click('button:has-text("Place hold")')]);
    expect(await admin.textContent('.banner.ok')).toContain('Legal hold placed');
    const row = admin.locator('section[aria-labelledby=in-force] tbody tr').first();
    expect(await row.innerText()).toContain(WOUNDS);
    expect(await row.innerText()).toContain(reason);
    expect(await row.innerText()).toContain('Jordan Ellis');
    expect((await c.env.loupe.services.storage.policies.resolved(ws, WOUNDS)).policy.legalHold).toBe(true);
    await admin.goto(`${c.publicUrl}/admin/policies`);
    expect(await admin.locator('table.policies tbody tr', { has: admin.locator('th code', { hasText: WOUNDS }) }).innerText()).toContain('On hold');

    // A privacy officer sees who set it and why.
    const { page: officer } = await c.page();
    await consoleSignIn(officer, `${c.publicUrl}/admin/holds`, CONSOLE_PEOPLE.officer);
    const seen = await officer.locator('section[aria-labelledby=in-force] tbody tr').first().innerText();
    expect(seen).toContain('Jordan Ellis');
    expect(seen).toContain(reason);

    await admin.goto(`${c.publicUrl}/admin/holds`);
    const lift = admin.locator('section[aria-labelledby=in-force] tbody tr').first();
    await lift.locator('input[name=reason]').fill(liftReason);
    await Promise.all([admin.waitForURL(/done=lifted/), lift.locator('input[name=reason]').press('Enter')]);
    expect(await admin.textContent('.banner.ok')).toContain('Legal hold lifted');
    expect(await admin.textContent('main')).toContain('No legal hold is in force');
    await admin.click('details.lifted summary');
    const lifted = await admin.locator('details.lifted tbody tr').first().innerText();
    expect(lifted).toContain(liftReason);
    expect(lifted).toContain('You (Jordan Ellis)');
    expect((await c.env.loupe.services.storage.policies.resolved(ws, WOUNDS)).policy.legalHold).toBe(false);

    const events = await db().auditEvent.findMany({ where: { action: { in: ['legal_hold.placed', 'legal_hold.lifted'] } }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['legal_hold.placed', 'legal_hold.lifted']);
    for (const e of events) {
      expect(e.details).toMatchObject({ scope: 'channel', channelId: WOUNDS });
      expect(asJson(e)).not.toContain('2026-114');
    }
  });

  it('labels every visible input on the policy and holds pages', async () => {
    for (const path of ['/admin/policies', `/admin/policies/${ws}/*`, `/admin/policies/${ws}/${WOUNDS}`, '/admin/holds']) {
      await admin.goto(`${c.publicUrl}${path}`);
      const unlabelled = await admin.$$eval('input:not([type=hidden]), select, textarea', (els) =>
        // The test's types have no DOM: a labelable element is read as what it is in the browser.
        (els as unknown as { labels: { length: number } | null; name: string }[]).filter((el) => !el.labels || el.labels.length === 0).map((el) => el.name),
      );
      expect(unlabelled, path).toEqual([]);
    }
  });
});
