// A Teams user opens a card's image in real Chromium: the demo composition
// (Teams stand-in, demo sign-in whose people carry Entra object ids), a photo
// posted in a Teams channel, the card's View link, sign-in at the demo
// hospital, and the viewer. Someone with no Teams account is turned away.
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { CANVAS_SUM, launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startDemo } from '../../src/demo/start-demo.js';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS } from '../../src/demo/teams/index.js';
import { createLogger } from '../../src/logging.js';
import type { Loupe } from '../../src/main.js';
import { freePort } from '../support/free-port.js';
import { request } from '../support/http.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';
import { makePhotoFixtures } from '../support/photos.js';
import { until } from '../support/until.js';

const LI_WEI = TEAMS_DEMO_USERS.liWei;
const WOUNDS = TEAMS_DEMO_TEAM.channels.wound.id;

interface Shown {
  id: string;
  byBot: boolean;
  threadRootId?: string;
  cards: { actions: { title: string; url?: string }[] }[];
}

describe('the viewer for a Teams user, in Chromium', () => {
  let inst: InstanceEnv;
  let loupe: Loupe;
  let port: number;
  let browser: Browser;
  let viewUrl: string;

  async function signIn(page: Page, url: string, email: string): Promise<void> {
    await page.goto(url);
    await page.fill('#email', email);
    await page.fill('#password', 'demo');
    await Promise.all([page.waitForLoadState('load'), page.click('button.primary')]);
  }

  beforeAll(async () => {
    port = await freePort();
    inst = await createInstanceEnv('pglite', { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    loupe = await startDemo(loadConfig(inst.env), createLogger('silent'));
    await loupe.listen();
    // Li Wei posts a photo in the team's wound channel, as in Teams.
    const photo = await readFile((await makePhotoFixtures(inst.dataDir)).jpeg);
    const sent = await request(port, `/demo/api/teams/upload?user=${LI_WEI.aadObjectId}&place=${encodeURIComponent(WOUNDS)}&name=wound.jpg&text=MRN123456`, { method: 'POST', body: photo });
    const { messageId } = JSON.parse(sent.body) as { messageId: string };
    viewUrl = await until('the card’s View link', async () => {
      const state = JSON.parse((await request(port, `/demo/api/teams/state?user=${LI_WEI.aadObjectId}`)).body) as { messages: Shown[] };
      const card = state.messages.find((m) => m.byBot && m.threadRootId === messageId && m.cards.length);
      return card?.cards[0]?.actions.find((a) => a.title === 'View')?.url;
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await loupe?.stop();
    await inst?.cleanup();
  });

  it('signs in the Teams user by their Entra object id and shows the photo', async () => {
    expect(viewUrl.startsWith(`http://127.0.0.1:${port}/view/`)).toBe(true);
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page, viewUrl, LI_WEI.email);
    await until('the image drawn', async () => ((await page.evaluate(CANVAS_SUM)) as number) > 0 || undefined);
    expect(await page.textContent('#watermark')).toContain(LI_WEI.name);
    expect(errors, errors.join('\n')).toEqual([]);
    const link = await loupe.services.storage.db.prisma.identityLink.findFirstOrThrow({ where: { chatUserId: LI_WEI.aadObjectId } });
    expect(link.method).toBe('entra_object_id');
  });

  it('turns away someone the tenant does not know, with the same page Slack users get', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, viewUrl, 'visitor@hospital.example');
    expect(await page.textContent('h1')).toBe('No matching chat account');
    const refused = await loupe.services.storage.db.prisma.auditEvent.findMany({ where: { action: 'viewer.sign_in_refused' } });
    expect(refused.some((e) => e.reason === 'no_identity_match')).toBe(true);
  });
});
