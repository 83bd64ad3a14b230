// The console's door, in Chromium against the real oidc-provider: who gets in,
// who is refused and how, and what every page answers with (a strict Content
// Security Policy, no caching, no script).
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

  it('brings someone who followed a link to a filtered page back to that page, filters and all, after signing in', async () => {
    const { page } = await c.page();
    const asset = '0b0e7d2a-5a53-4c1e-9f0e-3a1c2b4d5e6f';
    await consoleSignIn(page, `${c.publicUrl}/admin/audit?asset=${asset}&outcome=denied`, CONSOLE_PEOPLE.officer);
    const url = new URL(page.url());
    expect([url.pathname, url.searchParams.get('asset'), url.searchParams.get('outcome')]).toEqual(['/admin/audit', asset, 'denied']);
    expect(await page.inputValue('input[name=asset]')).toBe(asset);
  });

  it('lets a member of the privacy officers group in, as privacy officer', async () => {
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.officer);
    expect(await page.textContent('header')).toContain('Privacy officer');
  });

  it('answers every page, and a refusal, with a strict Content Security Policy, no-store, and no script', async () => {
    const { page } = await c.page();
    await consoleSignIn(page, `${c.publicUrl}/admin`, CONSOLE_PEOPLE.officer);
    const pages = ['/admin', '/admin/policies', '/admin/holds', '/admin/assets', '/admin/audit', '/admin/patients/report', '/admin/alerts', '/admin/no-such-page'];
    for (const path of pages) {
      const answer = await page.request.get(`${c.publicUrl}${path}`, { maxRedirects: 0 });
      expect(answer.status(), path).toBe(path === '/admin/no-such-page' ? 404 : 200);
      const headers = answer.headers();
      const csp = Object.fromEntries((headers['content-security-policy'] ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
      // Scripts from Loupe's own origin only (none inline, none evaluated); a page may not be framed.
      expect(csp['script-src'] ?? csp['default-src'], path).toEqual(["'self'"]);
      expect(csp['default-src'], path).toEqual(["'none'"]);
      expect(csp['frame-ancestors'], path).toEqual(["'none'"]);
      expect(headers['content-security-policy'], path).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(headers['cache-control'], path).toBe('no-store');
      const body = await answer.text();
      expect(body, path).toContain('<h1');
      expect(body, path).not.toMatch(/<script\b/i);
      expect(body, path).not.toMatch(/\son[a-z]+\s*=|javascript:/i);
    }
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
    // At a shared workstation, the admin signs in over the clinician, with a fresh sign-in at the provider.
    const another = page.locator('main a', { hasText: 'Sign in as someone else' });
    expect(await another.getAttribute('href')).toBe('/auth/login?return=%2Fadmin&prompt=login');
    await Promise.all([page.waitForLoadState('load'), another.click()]);
    await page.fill('#email', CONSOLE_PEOPLE.admin.email);
    await page.fill('#password', 'demo');
    await page.fill('#otp', CONSOLE_PEOPLE.admin.otp);
    await Promise.all([page.waitForURL((u) => u.pathname === '/admin'), page.click('button.primary')]);
    expect(await page.textContent('header.top .who')).toContain('Jordan Ellis');
  });
});
