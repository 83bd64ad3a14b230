// Viewer sign-in against an OpenID Provider in oidc-provider's default claim
// settings: the ID token names the person (sub) and their email is only at
// UserInfo (OpenID Connect Core 5.4). Loupe must read it there, and only for
// the person the ID token names.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityProvider, DEMO_PEOPLE } from '../../src/demo/identity-provider/index.js';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { testEngines } from '../support/engines.js';
import { request } from '../support/http.js';
import { startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { freePort } from '../support/free-port.js';
import { FormBrowser, formAction } from './form-browser.js';

const CT = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const RADIOLOGY = 'C0RADIOL01';
const AMARA = DEMO_PEOPLE.find((p) => p.email === 'amara.okafor@hospital.example')!;
const VISITOR = DEMO_PEOPLE.find((p) => p.email === 'visitor@hospital.example')!;
const CLIENT = { clientId: 'loupe-sign-in', clientSecret: 'sign-in-secret-0123456789' };

/** The demo provider on its own port; `forge` makes its UserInfo answer for someone else, as a tampered or confused provider would. */
async function provider(publicUrl: () => string) {
  let forge: Record<string, unknown> | undefined;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (forge && req.url === '/me') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(forge));
    handler!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ({ handler } = createIdentityProvider({
    issuer,
    people: DEMO_PEOPLE,
    clients: [{ ...CLIENT, redirectUris: [`${publicUrl()}/auth/callback`], postLogoutRedirectUris: [`${publicUrl()}/auth/signed-out`] }],
  }));
  return {
    issuer,
    forgeUserInfo: (claims: Record<string, unknown> | undefined) => void (forge = claims),
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
}

describe.each(testEngines())('viewer sign-in with a standard provider, on %s', (engine) => {
  let env: SlackLoupe;
  let idp: Awaited<ReturnType<typeof provider>>;
  let publicUrl = '';
  let viewUrl = '';

  beforeAll(async () => {
    // Loupe's port is known only once it listens; the provider reads the redirect URI late.
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    idp = await provider(() => publicUrl);
    env = await startSlackLoupe(engine, {
      giveAdminToken: true,
      env: { PORT: String(port), PUBLIC_URL: publicUrl, OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT.clientId, OIDC_CLIENT_SECRET: CLIENT.clientSecret },
    });
    await env.loupe.services.storage.policies.change(env.workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: 'U0ADMIN001' });
    const ct = readInstance(await readFile(CT), DEFAULT_LIMITS);
    ct.dicom.dict['00100020'] = { vr: 'LO', Value: ['MRN-SIGNIN-1'] };
    const up = await env.slack.uploadFile({ user: 'U0CLIN0001', channel: RADIOLOGY, name: 'ct.dcm', bytes: writeInstance(ct) });
    const card = await until('the card', () => env.slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts));
    viewUrl = /"url":"([^"]+\/view\/[^"]+)"/.exec(String(card.params.blocks))![1]!;
  });
  afterAll(async () => {
    await env?.close();
    await idp?.close();
  });

  /** Opens the card's link, signs in at the provider's form, and returns where the browser ends up. */
  async function signIn(email: string) {
    const browser = new FormBrowser();
    const form = await browser.follow(await browser.request(viewUrl), viewUrl);
    if (!('page' in form)) throw new Error('expected the provider’s form');
    const action = formAction(await form.page.text(), form.url);
    const done = await browser.follow(await browser.request(action, { form: { email, password: 'demo' } }), action);
    if (!('page' in done)) throw new Error('expected a page');
    return { ...done, html: await done.page.text(), cookies: browser.cookieNames(), session: browser.cookie('loupe_session') };
  }
  const refusals = (reason: string) => env.loupe.services.storage.db.prisma.auditEvent.count({ where: { action: 'viewer.sign_in_refused', reason } });

  it('matches the person by the email UserInfo gives, and opens the image', async () => {
    const done = await signIn(AMARA.email);
    expect(done.url).toBe(viewUrl);
    expect(done.page.status).toBe(200);
    expect(done.html).toContain('<canvas id="image"');
    expect(done.cookies).toContain('loupe_session');
    const link = await env.loupe.services.storage.db.prisma.identityLink.findFirstOrThrow({ where: { oidcSubject: AMARA.sub } });
    expect([link.chatUserId, link.method]).toEqual(['U0CLIN0001', 'email']);
  });

  it('reads the groups claim the provider gives only at UserInfo, and keeps it with the session (what makes a privacy officer)', async () => {
    const noor = DEMO_PEOPLE.find((p) => p.email === 'noor.haddad@hospital.example')!;
    const browser = new FormBrowser();
    const start = `${publicUrl}/admin`;
    const form = await browser.follow(await browser.request(start), start);
    if (!('page' in form)) throw new Error('expected the provider’s form');
    const action = formAction(await form.page.text(), form.url);
    const done = await browser.follow(await browser.request(action, { form: { email: noor.email, password: 'demo', otp: '123456' } }), action);
    if (!('page' in done)) throw new Error('expected a page');
    // Signed in and back at the console, which refuses: this Loupe names no privacy officers group.
    expect(new URL(done.url).pathname).toBe('/admin');
    expect(done.page.status).toBe(403);
    const session = await env.loupe.services.storage.db.prisma.viewerSession.findFirstOrThrow({ where: { oidcSubject: noor.sub }, orderBy: { createdAt: 'desc' } });
    expect(session.groups).toEqual(noor.groups);
    expect(session.amr.length + (session.acr ? 1 : 0)).toBeGreaterThan(0);
  });

  it('lets only Loupe’s own page report the user’s activity (the idle clock), never another site', async () => {
    const { session } = await signIn(AMARA.email);
    const port = Number(new URL(publicUrl).port);
    const report = (origin: string) => request(port, '/viewer/api/session/activity', { method: 'POST', headers: { origin, cookie: `loupe_session=${session}` } });
    const forged = await report('https://elsewhere.example');
    expect(forged.status).toBe(403);
    const own = await report(publicUrl);
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ state: 'ok', idleSeconds: 900 });
    // Without the session, nothing to keep alive.
    expect(JSON.parse((await request(port, '/viewer/api/session/activity', { method: 'POST', headers: { origin: publicUrl } })).body)).toEqual({ state: 'ended' });
  });

  it('refuses, and audits, a UserInfo answer about another person than the one who signed in', async () => {
    // The visitor has no chat account; a UserInfo answer naming a clinician's email under another subject must not let them in.
    idp.forgeUserInfo({ sub: AMARA.sub, email: AMARA.email, email_verified: true, name: AMARA.name });
    try {
      const before = await refusals('userinfo_subject_mismatch');
      const done = await signIn(VISITOR.email);
      expect(done.page.status).toBe(400);
      expect(done.html).toContain('Sign-in failed');
      expect(done.cookies).not.toContain('loupe_session');
      expect(await refusals('userinfo_subject_mismatch')).toBe(before + 1);
      expect(await env.loupe.services.storage.db.prisma.identityLink.count({ where: { oidcSubject: VISITOR.sub } })).toBe(0);
    } finally {
      idp.forgeUserInfo(undefined);
    }
  });
});
