// The admin console end to end: Loupe on the Slack (or Teams) stand-in with
// the demo hospital's real OpenID Provider (oidc-provider, default claim
// settings), the demo's privacy officers group named in Loupe's
// configuration, and Chromium to click through it.
import type { Browser, Page } from 'playwright-core';
import { DEMO_PEOPLE, DEMO_PRIVACY_OFFICERS, startIdentityProvider, type RunningIdentityProvider } from '../../src/demo/identity-provider/index.js';
import { launchChromium } from './chromium.js';
import { freePort } from './free-port.js';
import type { TeamsDirectory } from '../../src/demo/teams/index.js';
import { startSlackLoupe, type SlackLoupe } from './slack.js';
import { startTeamsLoupe, type TeamsLoupe } from './teams.js';

/** The demo hospital's people as the console sees them (password "demo"; code 123456 where they have a second factor). */
export const CONSOLE_PEOPLE = {
  /** Slack admin and owner (U0ADMIN001), with a second factor. */
  admin: { email: 'jordan.ellis@hospital.example', slackId: 'U0ADMIN001', otp: '123456' },
  /** In the provider's privacy officers group, no chat account, with a second factor. */
  officer: { email: 'noor.haddad@hospital.example', otp: '123456' },
  /** A clinician with a second factor and no console role. */
  clinician: { email: 'amara.okafor@hospital.example', slackId: 'U0CLIN0001', otp: '123456' },
} as const;

export interface ConsoleLoupe<E = SlackLoupe> {
  env: E;
  idp: RunningIdentityProvider;
  browser: Browser;
  publicUrl: string;
  /** A new browser context's page (its own cookies), recording page errors. */
  page(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** The demo hospital's provider with a client for Loupe at `publicUrl`, and the settings that point Loupe at it. */
export async function consoleIdentityProvider(port: number, publicUrl: string): Promise<{ idp: RunningIdentityProvider; env: NodeJS.ProcessEnv }> {
  const clientSecret = 'console-e2e-secret-0123456789';
  const idp = await startIdentityProvider({
    clients: [{ clientId: 'loupe-console-e2e', clientSecret, redirectUris: [`${publicUrl}/auth/callback`], postLogoutRedirectUris: [`${publicUrl}/auth/signed-out`] }],
    people: DEMO_PEOPLE,
  });
  return {
    idp,
    env: {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: 'loupe-console-e2e',
      OIDC_CLIENT_SECRET: clientSecret,
      LOUPE_PRIVACY_OFFICER_GROUPS: DEMO_PRIVACY_OFFICERS,
    },
  };
}

async function withBrowser<E extends { close(): Promise<void> }>(env: E, idp: RunningIdentityProvider, publicUrl: string): Promise<ConsoleLoupe<E>> {
  const browser = await launchChromium();
  return {
    env,
    idp,
    browser,
    publicUrl,
    async page() {
      const page = await (await browser.newContext()).newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      return { page, errors };
    },
    async close() {
      await browser.close();
      await env.close();
      await idp.close();
    },
  };
}

export async function startConsoleLoupe(env: NodeJS.ProcessEnv = {}): Promise<ConsoleLoupe> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const provider = await consoleIdentityProvider(port, publicUrl);
  const loupe = await startSlackLoupe('pglite', { giveAdminToken: true, env: { ...provider.env, ...env } });
  return withBrowser(loupe, provider.idp, publicUrl);
}

/** The console of a Loupe on the Teams stand-in, whose tenant has `directory`'s people and teams. */
export async function startTeamsConsoleLoupe(directory: TeamsDirectory, env: NodeJS.ProcessEnv = {}): Promise<ConsoleLoupe<TeamsLoupe>> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const provider = await consoleIdentityProvider(port, publicUrl);
  const loupe = await startTeamsLoupe('pglite', { directory, env: { ...provider.env, ...env } });
  return withBrowser(loupe, provider.idp, publicUrl);
}

/** Opens a console path, signs in at the provider's form, and waits for the console page. */
export async function consoleSignIn(page: Page, url: string, person: { email: string; otp?: string }): Promise<void> {
  await page.goto(url);
  await page.fill('#email', person.email);
  await page.fill('#password', 'demo');
  if (person.otp) await page.fill('#otp', person.otp);
  await Promise.all([page.waitForLoadState('load'), page.click('button.primary')]);
}

/** Every URL the page asks for (navigations, forms, downloads), to check none carries an identifier. */
export function recordUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}
