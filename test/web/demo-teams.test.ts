// The demo's Teams half in Chromium: several files chosen together go in one
// message (one file attachment each, as Teams posts them), and the chat
// survives a restart on the same data folder with its cards still working.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { DEMO_TEAMS_CHAT_FOLDER, startDemo } from '../../src/demo/start-demo.js';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS } from '../../src/demo/teams/index.js';
import { createLogger } from '../../src/logging.js';
import type { Loupe } from '../../src/main.js';
import { CANVAS_SUM, launchChromium } from '../support/chromium.js';
import { teamsPageAs } from '../support/demo-pages.js';
import { acrossRestart } from '../support/demo-restart.js';
import { drained } from '../support/drain.js';
import { freePort } from '../support/free-port.js';
import { request } from '../support/http.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';
import { makePhotoFixtures } from '../support/photos.js';
import { until } from '../support/until.js';

const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;
const { sam, liWei } = TEAMS_DEMO_USERS;

type Shown = { id: string; place: string; threadRootId?: string; mine: boolean; byBot: boolean; hidden: boolean; text: string; cards: unknown[] };
const stateAt = async (port: number, user: string) => JSON.parse((await request(port, `/demo/api/teams/state?user=${user}`)).body) as { messages: Shown[] };
const cardsOf = (s: { messages: Shown[] }, id: string) => s.messages.filter((m) => m.byBot && m.threadRootId === id && m.cards.length);

describe('the Teams demo chat', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('on one running demo', () => {
    let inst: InstanceEnv;
    let loupe: Loupe;
    let port: number;
    beforeAll(async () => {
      inst = await createInstanceEnv('pglite');
      loupe = await startDemo(loadConfig(inst.env), createLogger('silent'));
      ({ port } = await loupe.listen());
    });
    afterAll(async () => {
      await loupe?.stop();
      await inst?.cleanup();
    });

    it('posts two files chosen together as one message, and Loupe posts a card for each', async () => {
      const photos = await makePhotoFixtures(inst.dataDir);
      const page = await teamsPageAs(browser, port, sam.aadObjectId, WOUNDS);
      const before = new Set((await stateAt(port, sam.aadObjectId)).messages.map((m) => m.id));
      await page.fill('#text', 'Two views, MRN900003');
      await page.setInputFiles('#file', [
        { name: 'left.jpg', mimeType: 'image/jpeg', buffer: await readFile(photos.jpeg) },
        { name: 'right.png', mimeType: 'image/png', buffer: await readFile(photos.png) },
      ]);
      await page.click('#send');
      const id = await until('the posted message', async () => (await stateAt(port, sam.aadObjectId)).messages.find((m) => !before.has(m.id) && m.mine)?.id);
      await until('two cards in its thread', async () => (cardsOf(await stateAt(port, sam.aadObjectId), id).length === 2 ? true : undefined));
      // The page shows them: the original blocked by policy (as its sender sees it), two cards under it.
      const thread = page.locator('.message', { hasText: 'This message was blocked' });
      await thread.locator('.replies .card').nth(1).waitFor();
      expect(await thread.locator('.replies .card').count()).toBe(2);
      await page.screenshot({ path: '/tmp/demo-teams-two-files.png', fullPage: true });
      // One message held both files, and Loupe stored both.
      expect((await stateAt(port, sam.aadObjectId)).messages.filter((m) => !before.has(m.id) && m.mine).map((m) => m.id)).toEqual([id]);
      expect(await loupe.services.storage.db.prisma.asset.count({ where: { sourceMessageId: id } })).toBe(2);
      // Still two once every job the message queued has run.
      await drained(loupe);
      expect(cardsOf(await stateAt(port, sam.aadObjectId), id)).toHaveLength(2);
      // The cards' markdown as Teams shows it: **View** in bold, and no markup or escape left to read.
      await thread.locator('.replies .card strong', { hasText: /^View$/ }).first().waitFor();
      expect(await thread.locator('.replies .card').first().innerText()).not.toMatch(/\*|\\/);
    }, 120_000);
  });

  it("keeps the chat across a restart on the same data folder: the earlier message and its card are still there, and the card's View opens the image", async () => {
    // A fixed port: the card's View link names the server's public address.
    const port = await freePort();
    const sample = async () =>
      JSON.parse((await request(port, '/demo/api/teams/sample', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: sam.aadObjectId, place: WOUNDS, kind: 'photo' }) })).body) as { messageId: string };
    await acrossRestart(
      { chatFolder: DEMO_TEAMS_CHAT_FOLDER, env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOUPE_CARD_SWEEP_SECONDS: '1' } },
      async () => {
        const { messageId } = await sample();
        return until('the card and the original hidden', async () => {
          const s = await stateAt(port, liWei.aadObjectId);
          return cardsOf(s, messageId).length && s.messages.find((m) => m.id === messageId)?.hidden ? s : undefined;
        });
      },
      async (second, _port, earlier) => {
        const restored = await stateAt(port, liWei.aadObjectId);
        expect(restored.messages.map((m) => [m.id, m.hidden, m.text, m.cards])).toEqual(earlier.messages.map((m) => [m.id, m.hidden, m.text, m.cards]));
        // Sam, who posted it, opens the Teams page: the blocked original and the card are there, and View opens the photo after sign-in.
        const page = await teamsPageAs(browser, port, sam.aadObjectId, WOUNDS);
        const card = page.locator('.message', { hasText: 'This message was blocked' }).locator('.replies .card', { hasText: 'Clinical photo' });
        await card.waitFor();
        const [viewer] = await Promise.all([page.waitForEvent('popup'), card.getByRole('link', { name: 'View' }).click()]);
        await viewer.fill('#email', sam.email);
        await viewer.fill('#password', 'demo');
        await Promise.all([viewer.waitForURL(/\/view\//), viewer.click('button.primary')]);
        expect(await viewer.title()).toBe('Loupe viewer');
        await until('the photo drawn', async () => ((await viewer.evaluate(CANVAS_SUM)) as number) > 0 || undefined);
        // A card redrawn by Loupe on its own (expiry), before anyone in that conversation spoke since the restart, reaches the restarted stand-in.
        const original = earlier.messages.find((m) => !m.byBot)!.id;
        expect(cardsOf(earlier, original)).toHaveLength(1);
        await second.services.storage.db.prisma.card.updateMany({ where: { threadId: original }, data: { expiresAt: new Date(Date.now() - 1000) } });
        await until('the expired card', async () => (JSON.stringify(cardsOf(await stateAt(port, liWei.aadObjectId), original)).includes('Expired') ? true : undefined));
        // A new message after the restart gets an id after the old ones.
        const next = await sample();
        expect(Number(next.messageId)).toBeGreaterThan(Math.max(...earlier.messages.map((m) => Number(m.id))));
      },
    );
    // Two demo starts and a sign-in.
  }, 240_000);
});
