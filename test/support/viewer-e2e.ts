// A Loupe with the Slack stand-in and the demo hospital's OpenID Provider, a
// Chromium, and the steps to open an uploaded image in the viewer as its
// sender: the set-up of the viewer's end-to-end tests.
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { DEMO_PEOPLE, startIdentityProvider, type RunningIdentityProvider } from '../../src/demo/identity-provider/index.js';
import { CANVAS_SUM, launchChromium } from './chromium.js';
import { freePort } from './free-port.js';
import { startSlackLoupe, until, type SlackLoupe } from './slack.js';

export const RADIOLOGY = 'C0RADIOL01';
export const AMARA = { id: 'U0CLIN0001', email: 'amara.okafor@hospital.example', name: 'Dr Amara Okafor' };
const ADMIN = 'U0ADMIN001';

export interface ViewerE2e {
  env: SlackLoupe;
  browser: Browser;
  /** Uploads `bytes` as Amara in the radiology channel: the card's View link. */
  upload(name: string, bytes: Buffer): Promise<string>;
  /** A new page that records console errors and uncaught exceptions. */
  watchedPage(options?: BrowserContextOptions): Promise<{ page: Page; errors: string[] }>;
  /** Opens `url` and signs in through the provider's form. */
  signIn(page: Page, url: string, email: string): Promise<void>;
  close(): Promise<void>;
}

export async function startViewerE2e(): Promise<ViewerE2e> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp: RunningIdentityProvider = await startIdentityProvider({
    clients: [{ clientId: 'loupe-e2e', clientSecret: 'e2e-secret-0123456789', redirectUris: [`${publicUrl}/auth/callback`], postLogoutRedirectUris: [`${publicUrl}/auth/signed-out`] }],
    people: DEMO_PEOPLE,
  });
  const env = await startSlackLoupe('pglite', {
    giveAdminToken: true,
    env: { PORT: String(port), PUBLIC_URL: publicUrl, OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: 'loupe-e2e', OIDC_CLIENT_SECRET: 'e2e-secret-0123456789' },
  });
  await env.loupe.services.storage.policies.change(env.workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: ADMIN });
  const browser = await launchChromium();
  return {
    env,
    browser,
    async upload(name, bytes) {
      const up = await env.slack.uploadFile({ user: AMARA.id, channel: RADIOLOGY, name, bytes });
      const call = await until('the card', () => env.slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts));
      return /"url":"([^"]+\/view\/[^"]+)"/.exec(String(call.params.blocks))![1]!;
    },
    async watchedPage(options) {
      const page = await (await browser.newContext(options)).newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      return { page, errors };
    },
    async signIn(page, url, email) {
      await page.goto(url);
      await page.fill('#email', email);
      await page.fill('#password', 'demo');
      await Promise.all([page.waitForLoadState('load'), page.click('button.primary')]);
    },
    async close() {
      await browser.close();
      await env.close();
      await idp.close();
    },
  };
}

/** The set-up of a file's viewer tests: started before them, closed after them; the returned function gives it to them. */
export function useViewerE2e(): () => ViewerE2e {
  let e2e: ViewerE2e | undefined;
  beforeAll(async () => {
    e2e = await startViewerE2e();
  });
  afterAll(async () => {
    await e2e?.close();
  });
  return () => e2e!;
}

/** A watched page signed in as Amara on `url`, once the greyscale image is drawn; `before` runs on the page before it opens `url` (to watch or hold its requests). */
export async function openGreyscale(e2e: ViewerE2e, url: string, options?: BrowserContextOptions, before?: (page: Page) => Promise<void>): Promise<{ page: Page; errors: string[] }> {
  const opened = await e2e.watchedPage(options);
  await before?.(opened.page);
  await e2e.signIn(opened.page, url, AMARA.email);
  await opened.page.waitForSelector('#preset-label:not([hidden])');
  await until('the image drawn', async () => ((await opened.page.evaluate(CANVAS_SUM)) as number) > 0 || undefined);
  return opened;
}
