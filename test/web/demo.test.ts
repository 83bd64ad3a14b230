// `loupe serve` without chat credentials: the demo's stand-ins and /demo page,
// driving the real Slack and Teams adapters exactly as Slack and Teams would.
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEMO_SLACK_CHAT_FOLDER, startDemo } from '../../src/demo/start-demo.js';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_TENANT_ID, TEAMS_DEMO_USERS } from '../../src/demo/teams/index.js';
import { createLogger } from '../../src/logging.js';
import type { Loupe } from '../../src/main.js';
import { request } from '../support/http.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';
import { makePhotoFixtures } from '../support/photos.js';
import { TEAMS_APP_ID, TEAMS_SECRET } from '../support/teams.js';
import { until } from '../support/slack.js';
import { drained } from '../support/drain.js';
import { acrossRestart } from '../support/demo-restart.js';
import { launchChromium } from '../support/chromium.js';
import { atEveryWidth, slackPageAs, teamsPageAs } from '../support/demo-pages.js';
import { screen } from '../support/screens.js';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { DEFAULT_ONE_TIME_CODE, DEMO_PASSWORD, DEMO_PEOPLE } from '../../src/demo/identity-provider/index.js';
import { makeSample } from '../../src/demo/samples.js';

describe('demo mode', () => {
  let inst: InstanceEnv;
  let loupe: Loupe;
  let port: number;
  // One browser for the file; each test's pages are contexts of their own (browser.newPage), closed after it.
  let shared: Browser;

  beforeAll(async () => {
    inst = await createInstanceEnv('pglite');
    const loaded = loadConfig(inst.env);
    expect(loaded.demo).toBe(true);
    loupe = await startDemo(loaded, createLogger('silent'));
    ({ port } = await loupe.listen());
    shared = await launchChromium();
  });
  afterAll(async () => {
    await shared?.close();
    await loupe?.stop();
    await inst?.cleanup();
  });

  const closeContexts = (browser: Browser) => Promise.all(browser.contexts().map((c) => c.close()));

  it('is off when Slack or Teams is configured or LOUPE_DEMO=off', () => {
    expect(loadConfig({ LOUPE_DEMO: 'off' }).demo).toBe(false);
    expect(loadConfig({ SLACK_SIGNING_SECRET: 'a'.repeat(32), SLACK_BOT_TOKEN: 'xoxb-1' }).demo).toBe(false);
    expect(loadConfig({ LOUPE_TEAMS_APP_ID: TEAMS_APP_ID, LOUPE_TEAMS_TENANT_ID: TEAMS_DEMO_TENANT_ID, LOUPE_TEAMS_CLIENT_SECRET: TEAMS_SECRET }).demo).toBe(false);
  });

  it('serves the page under a strict Content Security Policy, with no inline script', async () => {
    const page = await request(port, '/demo');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await request(port, '/demo/demo.js')).status).toBe(200);
    const teams = await request(port, '/demo/teams');
    expect(teams.headers['content-security-policy']).toContain("script-src 'self'");
    expect(teams.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await request(port, '/demo/teams.js')).status).toBe(200);
  });

  it('opens at / on a landing page that says what Loupe is and leads to the demo, sign-in and health, at desktop and tablet width', async () => {
    const browser = shared;
    try {
      await atEveryWidth(browser, async (page, width) => {
        const landing = await page.goto(`http://127.0.0.1:${port}/`);
        expect(landing?.status()).toBe(200);
        expect(landing?.headers()['content-type']).toContain('text/html');
        expect(await page.textContent('header.top .brand')).toBe('Loupe');
        expect(await page.textContent('h1')).toContain('Clinical images out of chat');
        expect(await page.textContent('.steps')).toContain('Share as usual');
        // The site's stylesheet applies (no inline style is allowed): the header is the brand's navy.
        expect(await page.evaluate(`getComputedStyle(document.querySelector('header.top')).backgroundColor`)).toBe('rgb(20, 38, 61)');
        // Nothing runs off the side at this width.
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        expect(await page.getAttribute('a[href="/auth/login"]', 'href')).toBe('/auth/login');
        expect(await page.getAttribute('a[href="/healthz"]', 'href')).toBe('/healthz');
        if (width === 1280) await screen(page, 'landing');
        await Promise.all([page.waitForURL(`http://127.0.0.1:${port}/demo`), page.click('text=Open the demo')]);
      });
      // A wrong address in the browser: the site's own page and the way back, not JSON.
      const page = await browser.newPage();
      const lost = await page.goto(`http://127.0.0.1:${port}/reports/latest`);
      expect(lost?.status()).toBe(404);
      expect(await page.textContent('h1')).toBe('Page not found');
      expect(await page.evaluate(`getComputedStyle(document.querySelector('header.top')).backgroundColor`)).toBe('rgb(20, 38, 61)');
      await screen(page, 'notice-not-found');
      await Promise.all([page.waitForURL(`http://127.0.0.1:${port}/`), page.click('text=Go to the start page')]);
      const health = await request(port, '/healthz');
      expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    } finally {
      await closeContexts(browser);
    }
  });

  it('takes a dropped photo out of the demo channel and shows its card in the thread', async () => {
    const jpeg = await readFile((await makePhotoFixtures(inst.dataDir)).jpeg);
    const sent = await request(port, '/demo/api/upload?user=U0CLIN0001&channel=C0WOUNDS01&name=wound.jpg', { method: 'POST', headers: { 'x-demo-text': 'MRN123456' }, body: jpeg });
    const { ts } = JSON.parse(sent.body) as { ts: string };
    const state = await until('the card', async () => {
      const s = JSON.parse((await request(port, '/demo/api/state?user=U0CLIN0001')).body) as { messages: { ts: string; threadTs?: string; deleted: boolean; text: string }[] };
      const card = s.messages.find((m) => m.threadTs === ts && m.text.includes('secured by Loupe'));
      const original = s.messages.find((m) => m.ts === ts);
      return card && original?.deleted ? s : undefined;
    });
    expect(state.messages.find((m) => m.threadTs === ts && m.ts !== ts)?.text).toBe('Clinical photo secured by Loupe');
    // The identifier in the text linked the patient with the demo's pattern, so the card is active.
    const asset = await loupe.services.storage.db.prisma.asset.findFirstOrThrow({ where: { sourceMessageId: ts } });
    expect(asset.patientId).not.toBeNull();
  });

  it('draws the consent form in the Slack demo page: a photo linked through the page, consent recorded and withdrawn from its modal', async () => {
    const browser = shared;
    try {
      const page = await slackPageAs(browser, port, 'U0CLIN0001', 'C0WOUNDS01');
      // Confirmation dialogs are accepted unless a step says otherwise (and records what they asked).
      let answer = true;
      const asked: string[] = [];
      page.on('dialog', (d) => {
        asked.push(d.message());
        void (answer ? d.accept() : d.dismiss());
      });
      await page.setInputFiles('#file', { name: 'wound.jpg', mimeType: 'image/jpeg', buffer: await readFile((await makePhotoFixtures(inst.dataDir)).jpeg) });
      await page.click('#send');
      await page.getByRole('button', { name: 'Link patient' }).last().click();
      await page.getByLabel('Patient identifier (MRN)').fill('MRN-DEMO-77');
      await page.getByLabel('Issued by').fill('ST-DEMO');
      await page.click('#modal-submit');
      await page.waitForSelector('#modal', { state: 'hidden' });
      await screen(page, 'demo-slack', true);
      await page.getByRole('button', { name: 'Record consent' }).last().click();
      const modal = page.locator('#modal');
      await modal.getByRole('radio', { name: 'Permit' }).check();
      await modal.getByRole('checkbox', { name: 'Education' }).check();
      await modal.getByRole('checkbox', { name: 'Others in the hospital' }).check();
      await modal.getByRole('checkbox', { name: 'Photos' }).check();
      await page.screenshot({ path: '/tmp/demo-forms-slack-consent.png', fullPage: true });
      await screen(page, 'demo-slack-consent', true);
      await page.click('#modal-submit');
      await page.waitForSelector('#modal', { state: 'hidden' });
      const prisma = loupe.services.storage.db.prisma;
      const patient = await prisma.patient.findFirstOrThrow({ where: { consents: { some: { recordedVia: 'chat_slack' } } }, include: { consents: true } });
      expect(patient.consents).toHaveLength(1);
      expect(patient.consents[0]).toMatchObject({ decision: 'permit', purposes: ['education'], parties: ['institution'], dataKinds: ['photo'], recordedBy: 'U0CLIN0001', supersededAt: null });
      // The decision's Withdraw menu acts from the open modal, after the confirmation, and the modal is redrawn.
      await page.getByRole('button', { name: 'Record consent' }).last().click();
      await modal.getByLabel('Withdraw…').selectOption({ label: 'Withdraw: The patient withdrew' });
      await modal.getByText('Consent withdrawn', { exact: false }).waitFor();
      await page.screenshot({ path: '/tmp/demo-forms-slack-withdrawn.png', fullPage: true });
      expect(await prisma.consent.count({ where: { chainId: patient.consents[0]!.chainId } })).toBe(2);
      expect((await prisma.consent.findUniqueOrThrow({ where: { id: patient.consents[0]!.id } })).supersededAt).not.toBeNull();
      await page.keyboard.press('Escape');
      await page.waitForSelector('#modal', { state: 'hidden' });
      // The bot's messages are Loupe's, as Slack shows an app's bot user.
      const card = page.locator('.message').filter({ has: page.getByRole('button', { name: 'Revoke' }) }).last();
      expect(await card.locator('.who').textContent()).toBe('Loupe');
      // Revoke asks first: a dismissed question revokes nothing; an accepted one revokes the card.
      const cardRow = await prisma.card.findFirstOrThrow({ where: { asset: { patientId: patient.id } } });
      answer = false;
      await card.getByRole('button', { name: 'Revoke' }).click();
      expect(asked.at(-1)).toContain('Revoke for everyone?');
      await drained(loupe);
      expect((await prisma.card.findUniqueOrThrow({ where: { id: cardRow.id } })).state).not.toBe('revoked');
      answer = true;
      await card.getByRole('button', { name: 'Revoke' }).click();
      await until('the card revoked', async () => (await prisma.card.findUniqueOrThrow({ where: { id: cardRow.id } })).state === 'revoked' || undefined);
    } finally {
      await closeContexts(browser);
    }
  });

  it('plays the same story in Teams: the card in the thread, the original hidden by policy, and Revoke redraws the card', async () => {
    const amara = TEAMS_DEMO_USERS.amara.aadObjectId;
    const wounds = TEAMS_DEMO_TEAM.channels.wound.id;
    const jpeg = await readFile((await makePhotoFixtures(inst.dataDir)).jpeg);
    const sent = await request(port, `/demo/api/teams/upload?user=${amara}&place=${encodeURIComponent(wounds)}&name=wound.jpg`, { method: 'POST', headers: { 'x-demo-text': 'MRN123456' }, body: jpeg });
    const { messageId } = JSON.parse(sent.body) as { messageId: string };
    type Shown = { id: string; place: string; threadRootId?: string; byBot: boolean; hidden: boolean; cards: { body: { text: string }[]; actions: { title: string; url?: string }[]; metadata: { loupeCardId: string } }[] };
    const stateOf = async (user: string) => JSON.parse((await request(port, `/demo/api/teams/state?user=${user}`)).body) as { places: { id: string }[]; messages: Shown[] };
    const cardIn = (s: { messages: Shown[] }) => s.messages.find((m) => m.byBot && m.threadRootId === messageId && m.cards.length);
    const state = await until('the card and the original hidden', async () => {
      const s = await stateOf(amara);
      return cardIn(s) && s.messages.find((m) => m.id === messageId)?.hidden ? s : undefined;
    });
    const card = cardIn(state)!;
    expect(card.place).toBe(wounds);
    expect(JSON.stringify(card.cards[0]!.body)).toContain('Clinical photo');
    expect(card.cards[0]!.actions.find((a) => a.title === 'View')?.url).toMatch(/\/view\/[A-Za-z0-9_-]{43}$/);
    // Everyone in the team sees the same thread; nobody sees the file or a patient.
    const li = await stateOf(TEAMS_DEMO_USERS.liWei.aadObjectId);
    expect(li.messages.find((m) => m.id === messageId)?.hidden).toBe(true);
    expect(JSON.stringify(li)).not.toContain('MRN123456');
    // Amara's own drawing (Teams' refresh) has Revoke; pressing it answers with the revoked card.
    const cardId = card.cards[0]!.metadata.loupeCardId;
    const invoke = async (verb: string) =>
      JSON.parse((await request(port, '/demo/api/teams/invoke', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: amara, messageId: card.id, verb, data: { cardId } }) })).body) as { status: number; answer: { value: unknown } };
    expect(JSON.stringify((await invoke('loupe.refresh')).answer.value)).toContain('"Revoke"');
    const revoked = await invoke('loupe.revoke');
    expect(revoked.status).toBe(200);
    expect(JSON.stringify(revoked.answer.value)).toContain('Revoked');
    await until('the card redrawn for everyone', async () => (JSON.stringify(cardIn(await stateOf(TEAMS_DEMO_USERS.sam.aadObjectId))?.cards).includes('Revoked: no longer available here.') ? true : undefined));
    expect((await loupe.services.storage.db.prisma.card.findUniqueOrThrow({ where: { id: cardId } })).state).toBe('revoked');
  });

  it('draws the consent form in the Teams demo page: a photo linked from its card, consent recorded from the form card', async () => {
    const browser = shared;
    try {
      const page = await teamsPageAs(browser, port, TEAMS_DEMO_USERS.amara.aadObjectId, TEAMS_DEMO_TEAM.channels.wound.id);
      await page.setInputFiles('#file', { name: 'wound.jpg', mimeType: 'image/jpeg', buffer: await readFile((await makePhotoFixtures(inst.dataDir)).jpeg) });
      await page.click('#send');
      await page.getByRole('button', { name: 'Link patient' }).last().click();
      await page.getByLabel('Patient identifier (MRN)').fill('MRN-TEAMS-78');
      await page.getByLabel('Issued by').fill('ST-DEMO');
      await page.getByRole('button', { name: 'Link', exact: true }).click();
      // Linking updates the card for everyone, which (as in Teams) replaces each person's own drawing: open the form after that.
      const amara = TEAMS_DEMO_USERS.amara.aadObjectId;
      await until('the card updated', async () => {
        const s = JSON.parse((await request(port, `/demo/api/teams/state?user=${amara}`)).body) as { messages: { place: string; byBot: boolean; cards: unknown[] }[] };
        const cards = s.messages.filter((m) => m.place === TEAMS_DEMO_TEAM.channels.wound.id && m.byBot && m.cards.length);
        return cards.length >= 2 && !JSON.stringify(cards).includes('Waiting for a patient link') ? true : undefined;
      });
      await page.reload();
      await page.selectOption('#user', amara);
      await page.selectOption('#place', TEAMS_DEMO_TEAM.channels.wound.id);
      await page.getByRole('button', { name: 'Record consent' }).last().waitFor();
      await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
      await screen(page, 'demo-teams', true);
      await page.getByRole('button', { name: 'Record consent' }).last().click();
      const form = page.locator('.card', { hasText: 'New decision' });
      await form.getByRole('radio', { name: 'Permit' }).check();
      await form.getByRole('checkbox', { name: 'Education' }).check();
      await form.getByRole('checkbox', { name: 'Others in the hospital' }).check();
      await form.getByRole('checkbox', { name: 'Photos' }).check();
      await page.screenshot({ path: '/tmp/demo-forms-teams-consent.png', fullPage: true });
      await form.getByRole('button', { name: 'Record' }).click();
      const prisma = loupe.services.storage.db.prisma;
      const consent = await until('the consent', () => prisma.consent.findFirst({ where: { recordedVia: 'chat_teams' } }).then((c) => c ?? undefined));
      expect(consent).toMatchObject({ decision: 'permit', purposes: ['education'], parties: ['institution'], dataKinds: ['photo'], supersededAt: null });
    } finally {
      await closeContexts(browser);
    }
  });

  it('explains the story in three steps and lists the demo people with their sign-in emails, the password and who has a second factor, in Slack and Teams', async () => {
    const browser = shared;
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      for (const path of ['/demo', '/demo/teams']) {
        await page.goto(`http://127.0.0.1:${port}${path}`);
        const steps = await page.locator('.steps li').allTextContents();
        expect(steps).toHaveLength(3);
        expect(steps[0]).toContain('Drop a file as a clinician');
        expect(steps[1]).toContain('Loupe takes it out and posts a card');
        expect(steps[2]).toContain("Open the card's View and sign in as the person named");
        expect(await page.locator('.people caption').textContent()).toContain(`every password is ${DEMO_PASSWORD}`);
        const rows = page.locator('.people tbody tr');
        expect(await rows.count()).toBe(DEMO_PEOPLE.length);
        // Amara Okafor signs in with a second factor; Li Wei with the password alone.
        const amara = rows.filter({ hasText: 'amara.okafor@hospital.example' });
        expect(await amara.textContent()).toContain('Dr Amara Okafor');
        expect(await amara.locator('td').last().textContent()).toBe(`Yes: one-time code ${DEFAULT_ONE_TIME_CODE}`);
        expect(await amara.getAttribute('class')).toBe('second-factor');
        expect(await rows.filter({ hasText: 'li.wei@hospital.example' }).locator('td').last().textContent()).toBe('No');
        expect(await rows.filter({ hasText: 'visitor@hospital.example' }).textContent()).toContain('no chat account');
        expect(await page.locator('.people tr.second-factor').count()).toBe(DEMO_PEOPLE.filter((p) => p.hasSecondFactor).length);
        for (const name of ['Try a wound photo', 'Try a CT', 'Try a multi-frame image', 'Try a whole study (zip)']) expect(await page.getByRole('button', { name }).isVisible()).toBe(true);
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
      }
      await page.goto(`http://127.0.0.1:${port}/demo`);
      await page.screenshot({ path: '/tmp/demo-guide-slack.png', fullPage: true });
    } finally {
      await closeContexts(browser);
    }
  });

  it("shows both demo pages in Loupe's design: the product name and the demo's in the header, a visible focus ring, and nothing off the side at desktop, tablet and phone width", async () => {
    // A card in each chat, to see that it fits too.
    const post = (path: string, where: Record<string, string>) => request(port, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'photo', ...where }) });
    await post('/demo/api/sample', { user: 'U0CLIN0001', channel: 'C0WOUNDS01' });
    await post('/demo/api/teams/sample', { user: TEAMS_DEMO_USERS.amara.aadObjectId, place: TEAMS_DEMO_TEAM.channels.wound.id });
    const browser = shared;
    try {
      await atEveryWidth(browser, async (page, width) => {
        const pages = [
          { path: '/demo', chat: 'Slack', where: ['#channel', 'C0WOUNDS01'], user: 'U0CLIN0001' },
          { path: '/demo/teams', chat: 'Microsoft Teams', where: ['#place', TEAMS_DEMO_TEAM.channels.wound.id], user: TEAMS_DEMO_USERS.amara.aadObjectId },
        ] as const;
        for (const { path, chat, where, user } of pages) {
          await page.goto(`http://127.0.0.1:${port}${path}`);
          expect(await page.textContent('header.top .brand')).toBe('LoupeDemo');
          expect(await page.textContent('header.top nav a[aria-current="page"]')).toBe(chat);
          expect(await page.textContent('h1')).toBe(`${chat} demo`);
          // The design's stylesheet applies (no inline style is allowed): the header is the brand's navy.
          expect(await page.evaluate(`getComputedStyle(document.querySelector('header.top')).backgroundColor`)).toBe('rgb(20, 38, 61)');
          // The keyboard's first stop, the skip link, shows the amber focus ring.
          await page.keyboard.press('Tab');
          expect(await page.evaluate(`(() => { const s = getComputedStyle(document.activeElement); return [document.activeElement.className, s.outlineStyle, s.outlineWidth, s.outlineColor]; })()`)).toEqual(['skip', 'solid', '3px', 'rgb(240, 165, 0)']);
          // Nothing runs off the side at this width, the chat's cards included.
          await page.selectOption('#user', user);
          await page.selectOption(where[0], where[1]);
          await page.locator('#messages .message', { hasText: 'secured by Loupe' }).first().waitFor();
          expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        }
      });
    } finally {
      await closeContexts(browser);
    }
  });

  it('drops the sample files from their buttons: each gets its card in the thread, and the wound photo is stored without its GPS', async () => {
    // The sample photo carries GPS, as a phone's would.
    const sample = await makeSample('photo');
    const planted = exifReader((await sharp(sample.bytes).metadata()).exif!);
    expect(planted.GPSInfo?.GPSLatitude).toEqual([51, 30, 26]);
    const browser = shared;
    try {
      const page = await slackPageAs(browser, port, 'U0CLIN0002', 'C0RADIOL01');
      type Shown = { ts: string; threadTs?: string; user: string; deleted: boolean; text: string; files: { deleted: boolean }[] };
      const cardFor = async (button: string, text: string) => {
        const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/demo/api/sample')), page.getByRole('button', { name: button }).click()]);
        const { ts } = (await response.json()) as { ts: string };
        await page.locator('.message', { hasText: text }).first().waitFor();
        return until(`the card for ${button}`, async () => {
          const s = JSON.parse((await request(port, '/demo/api/state?user=U0CLIN0002')).body) as { messages: Shown[] };
          const original = s.messages.find((m) => m.ts === ts);
          const card = s.messages.find((m) => m.threadTs === ts && m.ts !== ts && m.text.includes(text));
          return card && original?.deleted && original.files.every((f) => f.deleted) ? { ts, card } : undefined;
        });
      };
      const photo = await cardFor('Try a wound photo', 'Clinical photo secured by Loupe');
      await cardFor('Try a CT', 'DICOM image · CT secured by Loupe');
      await cardFor('Try a multi-frame image', '12 frames secured by Loupe');
      await cardFor('Try a whole study (zip)', 'DICOM study · CT · 2 series · 32 images secured by Loupe');
      // The message named the invented patient, so the photo is linked to them.
      const prisma = loupe.services.storage.db.prisma;
      const asset = await until('the photo stored', async () => {
        const a = await prisma.asset.findFirst({ where: { sourceMessageId: photo.ts }, include: { blobs: true } });
        return a?.status === 'stored' ? a : undefined;
      });
      expect(asset.patientId).not.toBeNull();
      const derivative = asset.blobs.find((b) => b.kind === 'derivative')!;
      const chunks: Buffer[] = [];
      for await (const chunk of await loupe.services.storage.blobs.open(derivative.id, { type: 'system', id: 'test' })) chunks.push(chunk as Buffer);
      const stored = await sharp(Buffer.concat(chunks)).metadata();
      expect(stored.format).toBe('jpeg');
      expect(stored.exif === undefined || exifReader(stored.exif).GPSInfo === undefined).toBe(true);
      expect(Buffer.concat(chunks).includes(Buffer.from('GPS'))).toBe(false);
    } finally {
      await closeContexts(browser);
    }
  });

  it('shows a blurred preview on the card once an admin turns previews on for the channel, from the bot’s own file only', async () => {
    // The admin turns interception and previews on for the partner channel with the command, as in Slack.
    for (const text of ['policy set interception on', 'policy set preview deidentified']) {
      await request(port, '/demo/api/command', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0ADMIN001', channel: 'C0PARTNER1', text }) });
    }
    const workspaceId = (await loupe.services.storage.db.prisma.workspace.findFirstOrThrow({ where: { platform: 'slack' } })).id;
    await until('previews on', async () => {
      const policy = await loupe.services.storage.policies.effective(workspaceId, 'C0PARTNER1');
      return policy.interception && policy.previewMode === 'deidentified' ? true : undefined;
    });
    const browser = shared;
    try {
      const page = await slackPageAs(browser, port, 'U0CLIN0001', 'C0PARTNER1');
      await page.getByRole('button', { name: 'Try a wound photo' }).click();
      const preview = page.locator('.message img.preview').first();
      await preview.waitFor();
      await until('the preview drawn', async () => ((await preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0 ? true : undefined));
      expect(await preview.getAttribute('alt')).toMatch(/blurred/i);
      // The page redraws its messages as they change: scrolled in one step, not through a locator that may be replaced meanwhile.
      await page.evaluate("document.querySelector('.message img.preview')?.scrollIntoView({ block: 'center' })");
      await screen(page, 'demo-preview-card', true);
      const fileId = /\/demo\/api\/file\/(F\w+)/.exec((await preview.getAttribute('src')) ?? '')?.[1];
      expect(fileId).toBeDefined();
      // Only the bot's own files are served this way, never a clinician's upload.
      type Shown = { files: { id: string }[] };
      const uploaded = (JSON.parse((await request(port, '/demo/api/state?user=U0CLIN0001')).body) as { messages: Shown[] }).messages.flatMap((m) => m.files)[0]!;
      expect((await request(port, `/demo/api/file/${uploaded.id}`)).status).toBe(404);
      expect((await request(port, `/demo/api/file/${fileId}`)).status).toBe(200);
    } finally {
      await closeContexts(browser);
    }
  });

  it('shows Loupe’s answers formatted as Slack shows them (bold, code, no entities), and what somebody typed as typed, not as markup', async () => {
    const command = (text: string) =>
      request(port, '/demo/api/command', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0ADMIN001', channel: 'C0PARTNER1', text }) });
    const workspaceId = (await loupe.services.storage.db.prisma.workspace.findFirstOrThrow({ where: { platform: 'slack' } })).id;
    const patternIs = (pattern: string | null) =>
      until(`the pattern ${pattern}`, async () => ((await loupe.services.storage.policies.effective(workspaceId, 'C0PARTNER1')).identifierPattern === pattern ? true : undefined));
    const before = (await loupe.services.storage.policies.effective(workspaceId, 'C0PARTNER1')).identifierPattern;
    // The demo's identifiers, in a pattern with < and >, which Loupe's answer carries as &lt; and &gt; as mrkdwn asks.
    const pattern = String.raw`\b(MRN\d{6})\b(?!<>)`;
    await command(`policy set pattern ${pattern}`);
    await patternIs(pattern);
    const browser = shared;
    try {
      const page = await slackPageAs(browser, port, 'U0ADMIN001', 'C0PARTNER1');
      await page.fill('#command', 'policy');
      await page.getByRole('button', { name: '/loupe' }).click();
      // The answer to the page's command (the answer to setting the pattern, above, shows no usage).
      const answer = page.locator('.message', { hasText: 'Policy of this channel' }).filter({ hasText: 'Changing the policy' }).last();
      await answer.waitFor();
      expect(await answer.locator('strong').allTextContents()).toEqual(expect.arrayContaining(['Policy of this channel', 'Interception:', 'Changing the policy']));
      expect(await answer.locator('code').allTextContents()).toContain(pattern);
      const shown = await answer.innerText();
      expect(shown).not.toMatch(/&lt;|&gt;|&amp;|`/);
      expect(shown).not.toMatch(/\*\w|\w\*/);
      expect(shown).toMatch(/^• Interception: o(n|ff)$/m);

      // A file Loupe does not take stays in the channel with its text, which shows as typed.
      const typed = '<b>not bold</b> <script>document.title = "ran"</script>';
      await page.fill('#text', typed);
      await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes') });
      await page.click('#send');
      const message = page.locator('.message', { hasText: typed });
      await message.waitFor();
      expect(await message.locator('b, script').count()).toBe(0);
      expect(await page.title()).not.toBe('ran');
    } finally {
      await closeContexts(browser);
      await command(`policy set pattern ${before ?? 'none'}`);
      await patternIs(before);
    }
  });

  it('takes two files dropped on the page at once as one message, and Loupe posts a card for each', async () => {
    const photos = await makePhotoFixtures(inst.dataDir);
    const files = [
      { name: 'left.jpg', type: 'image/jpeg', bytes: [...(await readFile(photos.jpeg))] },
      { name: 'right.png', type: 'image/png', bytes: [...(await readFile(photos.png))] },
    ];
    const browser = shared;
    try {
      const page = await slackPageAs(browser, port, 'U0NURSE001', 'C0WOUNDS01');
      await page.fill('#text', 'Two views, MRN900002');
      // Playwright's way to drop files: a DataTransfer built in the page, holding File objects, dispatched with the drop.
      const dataTransfer = await page.evaluateHandle(`(() => {
        const dt = new DataTransfer();
        for (const f of ${JSON.stringify(files)}) dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
        return dt;
      })()`);
      type Shown = { ts: string; threadTs?: string; user: string; text: string; files: { id: string }[] };
      const stateNow = async () => JSON.parse((await request(port, '/demo/api/state?user=U0NURSE001')).body) as { bot: { id: string }; messages: Shown[] };
      const before = new Set((await stateNow()).messages.map((m) => m.ts));
      await page.dispatchEvent('#drop', 'drop', { dataTransfer });
      // (Playwright cannot read the answer to a request whose body is a Blob, so the message is found in the channel.)
      const ts = await until('the dropped message', async () => (await stateNow()).messages.find((m) => !before.has(m.ts) && m.user === 'U0NURSE001' && m.files.length > 0)?.ts);
      const state = await until('two cards in the thread', async () => {
        const s = await stateNow();
        return s.messages.filter((m) => m.threadTs === ts && m.user === s.bot.id && m.text.includes('secured by Loupe')).length === 2 ? s : undefined;
      });
      // One message by the nurse held both files.
      const sent = state.messages.filter((m) => !before.has(m.ts) && m.user === 'U0NURSE001' && m.files.length > 0);
      expect(sent.map((m) => m.ts)).toEqual([ts]);
      expect(sent[0]!.files).toHaveLength(2);
      const assets = await loupe.services.storage.db.prisma.asset.findMany({ where: { sourceMessageId: ts } });
      expect(assets).toHaveLength(2);
      // Still two once every job the two files' events queued has run.
      await drained(loupe);
      const after = await stateNow();
      expect(after.messages.filter((m) => m.threadTs === ts && m.user === after.bot.id && m.text.includes('secured by Loupe'))).toHaveLength(2);
      await page.locator('.replies .message', { hasText: 'Clinical photo secured by Loupe' }).nth(1).waitFor();
      await page.screenshot({ path: '/tmp/demo-dropped-two.png', fullPage: true });
    } finally {
      await closeContexts(browser);
    }
  });

  it('drops a sample from the Teams demo page: its card in the thread and the original hidden by policy', async () => {
    const amara = TEAMS_DEMO_USERS.amara.aadObjectId;
    const wounds = TEAMS_DEMO_TEAM.channels.wound.id;
    const browser = shared;
    try {
      const page = await teamsPageAs(browser, port, amara, wounds);
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/demo/api/teams/sample')), page.getByRole('button', { name: 'Try a multi-frame image' }).click()]);
      const { messageId } = (await response.json()) as { messageId: string };
      type Shown = { id: string; place: string; threadRootId?: string; byBot: boolean; hidden: boolean; cards: unknown[] };
      const card = await until('the card and the original hidden', async () => {
        const s = JSON.parse((await request(port, `/demo/api/teams/state?user=${amara}`)).body) as { messages: Shown[] };
        const c = s.messages.find((m) => m.byBot && m.threadRootId === messageId && m.cards.length);
        return c && s.messages.find((m) => m.id === messageId)?.hidden ? c : undefined;
      });
      expect(card.place).toBe(wounds);
      expect(JSON.stringify(card.cards)).toContain('12 frames');
      // The Slack page's sample route refuses someone not in the channel in words (the page shows them), not with a server error.
      expect(JSON.parse((await request(port, '/demo/api/sample', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0NOBODY00', channel: 'C0WOUNDS01', kind: 'ct' }) })).body)).toEqual({ error: 'unknown user or channel' });
    } finally {
      await closeContexts(browser);
    }
  });

  it('keeps the chat across a restart on the same data folder: the earlier card and the removed original are still there, and new ids follow them', async () => {
    type Shown = { ts: string; threadTs?: string; user: string; deleted: boolean; text: string; files: { id: string; deleted: boolean }[] };
    const stateAt = async (p: number) => JSON.parse((await request(p, '/demo/api/state?user=U0CLIN0001')).body) as { messages: Shown[] };
    const sample = async (p: number) => JSON.parse((await request(p, '/demo/api/sample', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0CLIN0001', channel: 'C0WOUNDS01', kind: 'photo' }) })).body) as { ts: string };
    const carded = (p: number, ts: string) =>
      until('the card and the original removed', async () => {
        const s = await stateAt(p);
        const card = s.messages.find((m) => m.threadTs === ts && m.ts !== ts && m.text === 'Clinical photo secured by Loupe');
        return card && s.messages.find((m) => m.ts === ts)?.deleted ? s : undefined;
      });
    await acrossRestart(
      { chatFolder: DEMO_SLACK_CHAT_FOLDER },
      async (_first, port) => {
        const { ts } = await sample(port);
        return { ts, earlier: await carded(port, ts) };
      },
      async (second, port, { ts, earlier }) => {
        const restored = await stateAt(port);
        expect(restored.messages.map((m) => ({ ts: m.ts, threadTs: m.threadTs, deleted: m.deleted, text: m.text }))).toEqual(earlier.messages.map((m) => ({ ts: m.ts, threadTs: m.threadTs, deleted: m.deleted, text: m.text })));
        expect(restored.messages.find((m) => m.ts === ts)?.files.every((f) => f.deleted)).toBe(true);
        // The card still acts: it is the same card Loupe recorded before the restart.
        const card = restored.messages.find((m) => m.threadTs === ts && m.ts !== ts)!;
        expect(await second.services.storage.db.prisma.card.count({ where: { messageId: card.ts } })).toBe(1);
        // A new upload after the restart sorts after the old messages and gets a file id of its own.
        const next = await sample(port);
        expect(Number(next.ts)).toBeGreaterThan(Number(card.ts));
        const now = await carded(port, next.ts);
        const fileIds = now.messages.flatMap((m) => m.files.map((f) => f.id));
        expect(new Set(fileIds).size).toBe(fileIds.length);
      },
    );
    // Two demo starts, each waiting for its jobs.
  }, 240_000);
});
