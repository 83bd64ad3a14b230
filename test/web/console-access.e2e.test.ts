// The console's door, in Chromium against the real oidc-provider: who gets in, who is refused and how.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_PEOPLE, consoleSignIn, startConsoleLoupe, type ConsoleLoupe } from '../support/console.js';

describe('the admin console door', () => {
  let c: ConsoleLoupe;
  beforeAll(async () => {
    c = await startConsoleLoupe();
  });
  afterAll(async () => {
    await c?.close();
  });

  it('lets the Slack admin in after a multi-factor sign-in, as workspace admin', async () => {
    const { page, errors } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.admin);
    expect(new URL(page.url()).pathname).toBe('/admin');
    expect(await page.textContent('header')).toContain('Workspace admin');
    expect(errors).toEqual([]);
  });

  it('lets a member of the privacy officers group in, as privacy officer', async () => {
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.officer);
    expect(await page.textContent('header')).toContain('Privacy officer');
  });

  it('gives a signed-in clinician without a role a clear 403 page, and audits it', async () => {
    const { page } = await c.page();
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/admin' && r.request().method() === 'GET' && r.status() !== 302);
    await consoleSignIn(page, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.clinician);
    expect((await answer).status()).toBe(403);
    expect(await page.textContent('h1')).toBe('No access to the console');
    expect(await page.textContent('main')).toContain('only for workspace admins, Teams team owners and privacy officers');
    const refused = await c.env.loupe.services.storage.db.prisma.auditEvent.findMany({ where: { action: 'console.refused', reason: 'no_role' } });
    expect(refused.length).toBeGreaterThan(0);
  });
});
