// The demo hospital's OpenID Provider, driven as Loupe's viewer will drive it:
// openid-client 6 for the relying party, plain HTTP for the browser, both
// standalone and mounted under a path in an express app.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser, formAction } from './form-browser.js';
import { DEMO_USERS } from '../../src/demo/slack/index.js';
import {
  ACR_MFA,
  ACR_PASSWORD,
  createIdentityProvider,
  DEMO_PEOPLE,
  DEMO_PRIVACY_OFFICERS,
  startIdentityProvider,
  type DemoClient,
} from '../../src/demo/identity-provider/index.js';

const REDIRECT_URI = 'http://127.0.0.1:9/auth/callback';
const POST_LOGOUT_URI = 'http://127.0.0.1:9/signed-out';
/** The client's pages: nothing listens there, the browser stops at them. */
const atClient = (url: string) => url.startsWith('http://127.0.0.1:9/');
const CLIENTS: DemoClient[] = [
  { clientId: 'loupe-viewer', clientSecret: 'viewer-secret-0123456789abcdef', redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [POST_LOGOUT_URI] },
  {
    clientId: 'loupe-post',
    clientSecret: 'post-secret-0123456789abcdef',
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: [POST_LOGOUT_URI],
    tokenEndpointAuthMethod: 'client_secret_post',
  },
];
const [VIEWER, POST_CLIENT] = CLIENTS as [DemoClient, DemoClient];
const PEOPLE = {
  withCode: DEMO_PEOPLE.find((p) => p.hasSecondFactor)!,
  withoutCode: DEMO_PEOPLE.find((p) => !p.hasSecondFactor)!,
};

interface Deployment {
  issuer: string;
  close(): Promise<void>;
}

async function standalone(): Promise<Deployment> {
  return startIdentityProvider({ clients: CLIENTS, people: DEMO_PEOPLE });
}

/** Mounted as Loupe mounts it: a path of a bigger express app. */
async function mountedInExpress(): Promise<Deployment> {
  const app = express();
  app.get('/healthz', (_req, res) => void res.send('ok'));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const ip = createIdentityProvider({ issuer: `http://127.0.0.1:${port}/demo/idp`, clients: CLIENTS, people: DEMO_PEOPLE });
  app.use('/demo/idp', ip.handler);
  return {
    issuer: ip.issuer,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

interface Flow {
  browser?: FormBrowser;
  rp?: client.Configuration;
  acrValues?: string;
  extra?: Record<string, string>;
}

/** Starts a sign-in and returns the page the browser lands on, with what the client must keep. */
async function startFlow(rp: client.Configuration, f: Flow = {}) {
  const browser = f.browser ?? new FormBrowser(atClient);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(rp, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(f.acrValues ? { acr_values: f.acrValues } : {}),
    ...f.extra,
  });
  const landed = await browser.follow(await browser.request(url.href), url.href);
  return { browser, rp, verifier, state, nonce, landed };
}

async function submitForm(flow: Awaited<ReturnType<typeof startFlow>>, form: Record<string, string>) {
  if (!('page' in flow.landed)) throw new Error('expected the sign-in page');
  const action = formAction(await flow.landed.page.text(), flow.landed.url);
  return flow.browser.follow(await flow.browser.request(action, { form }), action);
}

async function redeem(flow: Awaited<ReturnType<typeof startFlow>>, callback: URL) {
  return client.authorizationCodeGrant(flow.rp, callback, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
  });
}

async function signInWith(rp: client.Configuration, form: Record<string, string>, f: Flow = {}) {
  const flow = await startFlow(rp, f);
  const done = await submitForm(flow, form);
  if (!('clientUrl' in done)) throw new Error(`sign-in did not return to the client (HTTP ${done.page.status})`);
  const tokens = await redeem(flow, done.clientUrl);
  return { flow, tokens, claims: tokens.claims()! };
}

describe.each([
  ['standalone', standalone],
  ['mounted under /demo/idp in express', mountedInExpress],
])('identity provider, %s', (_name, deploy) => {
  let op: Deployment;
  let viewer: client.Configuration;

  beforeAll(async () => {
    op = await deploy();
    viewer = await client.discovery(new URL(op.issuer), VIEWER.clientId, VIEWER.clientSecret, client.ClientSecretBasic(VIEWER.clientSecret), {
      execute: [client.allowInsecureRequests],
    });
  });
  afterAll(async () => {
    await op?.close();
  });

  const start = (f: Flow = {}) => startFlow(f.rp ?? viewer, f);
  const signIn = (form: Record<string, string>, f: Flow = {}) => signInWith(f.rp ?? viewer, form, f);

  it('publishes discovery for the authorization code flow with PKCE, both acr values and end session', async () => {
    const meta = viewer.serverMetadata();
    expect(meta.issuer).toBe(op.issuer);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.acr_values_supported).toEqual([ACR_PASSWORD, ACR_MFA]);
    expect(meta.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    expect(meta.end_session_endpoint).toBe(`${op.issuer}/session/end`);
    expect(meta.authorization_endpoint).toBe(`${op.issuer}/auth`);
  });

  it('shows its own sign-in form, with no script, at a URL under the issuer', async () => {
    const flow = await start();
    if (!('page' in flow.landed)) throw new Error('expected the sign-in page');
    expect(flow.landed.page.status).toBe(200);
    expect(flow.landed.url.startsWith(`${op.issuer}/interaction/`)).toBe(true);
    const html = await flow.landed.page.text();
    expect(html).toContain('name="email"');
    expect(html).toContain('name="password"');
    expect(html).toContain('name="otp"');
    expect(html).not.toContain('<script');
    expect(flow.landed.page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(flow.browser.cookieNames()).toEqual(expect.arrayContaining(['_interaction', '_interaction_resume']));
  });

  it('signs in with a password, with oidc-provider’s default claims: the ID token names the person, UserInfo says who they are', async () => {
    const person = PEOPLE.withCode;
    const { claims, flow, tokens } = await signIn({ email: person.email, password: person.password });
    expect(claims).toMatchObject({ iss: op.issuer, aud: VIEWER.clientId, sub: person.sub });
    // OpenID Connect Core 5.4: with an access token issued, the scopes' claims are at UserInfo only.
    expect(claims['email']).toBeUndefined();
    expect(claims['name']).toBeUndefined();
    const info = await client.fetchUserInfo(viewer, tokens.access_token, person.sub);
    expect(info).toMatchObject({ sub: person.sub, email: person.email, email_verified: true, name: person.name });
    expect(flow.browser.cookieNames()).toContain('_session');
  });

  it('asks for the one-time code when the client requests mfa, and then vouches for it', async () => {
    const person = PEOPLE.withCode;
    const flow = await start({ acrValues: ACR_MFA });
    if (!('page' in flow.landed)) throw new Error('expected the sign-in page');
    const html = await flow.landed.page.clone().text();
    expect(html).toContain('asks for your second factor');

    const noCode = await submitForm(flow, { email: person.email, password: person.password });
    if (!('page' in noCode)) throw new Error('expected the form again');
    expect(noCode.page.status).toBe(400);
    const again = await noCode.page.text();
    expect(again).toContain('Enter the one-time code');

    const action = formAction(again, noCode.url);
    const done = await flow.browser.follow(await flow.browser.request(action, { form: { email: person.email, password: person.password, otp: '123456' } }), action);
    if (!('clientUrl' in done)) throw new Error('expected the client callback');
    const tokens = await redeem(flow, done.clientUrl);
    expect(tokens.claims()!['acr']).toBe(ACR_MFA);
    expect((await client.fetchUserInfo(viewer, tokens.access_token, person.sub))['email']).toBe(person.email);
  });

  it('refuses a wrong one-time code', async () => {
    const person = PEOPLE.withCode;
    const done = await submitForm(await start({ acrValues: ACR_MFA }), { email: person.email, password: person.password, otp: '000000' });
    if (!('page' in done)) throw new Error('expected the form again');
    expect(done.page.status).toBe(400);
    expect(await done.page.text()).toContain('one-time code is not correct');
  });

  it('completes with the password acr for a person without a second factor, so the client can refuse it', async () => {
    const person = PEOPLE.withoutCode;
    const { claims } = await signIn({ email: person.email, password: person.password }, { acrValues: ACR_MFA });
    expect(claims['acr']).toBe(ACR_PASSWORD);
  });

  it('steps up an existing password session when mfa is requested', async () => {
    const person = PEOPLE.withCode;
    const first = await signIn({ email: person.email, password: person.password });
    // Not asked for, so not in the ID token (oidc-provider's default); a password only all the same.
    expect(first.claims['acr']).not.toBe(ACR_MFA);

    // Same browser, so the same provider session: without mfa it signs in silently...
    const silent = await start({ browser: first.flow.browser });
    expect('clientUrl' in silent.landed).toBe(true);
    // ...but asking for mfa brings the form back, with the person filled in.
    const stepUp = await start({ browser: first.flow.browser, acrValues: ACR_MFA });
    if (!('page' in stepUp.landed)) throw new Error('expected the sign-in page');
    expect(await stepUp.landed.page.clone().text()).toContain(`value="${person.email}"`);
    const done = await submitForm(stepUp, { email: person.email, password: person.password, otp: '123456' });
    if (!('clientUrl' in done)) throw new Error('expected the client callback');
    const claims = (await redeem(stepUp, done.clientUrl)).claims()!;
    expect(claims['acr']).toBe(ACR_MFA);
    expect(claims['sub']).toBe(person.sub);
  });

  it('switches person in the same browser when the client asks for a fresh sign-in (prompt=login)', async () => {
    const first = await signIn({ email: PEOPLE.withCode.email, password: PEOPLE.withCode.password });
    const flow = await start({ browser: first.flow.browser, extra: { prompt: 'login' } });
    const signedIn = await submitForm(flow, { email: PEOPLE.withoutCode.email, password: PEOPLE.withoutCode.password });
    // oidc-provider first ends the other person's session with a self-posting form (plain button without script).
    if (!('page' in signedIn)) throw new Error('expected the sign-out form');
    const html = await signedIn.page.text();
    const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
    const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1], m[2]]));
    expect(fields).toMatchObject({ logout: 'yes' });
    const done = await flow.browser.follow(await flow.browser.request(action!, { form: fields as Record<string, string> }), action!);
    if (!('clientUrl' in done)) throw new Error('expected the client callback');
    const claims = (await redeem(flow, done.clientUrl)).claims()!;
    expect(claims['sub']).toBe(PEOPLE.withoutCode.sub);
    expect(claims['sub']).not.toBe(first.claims['sub']);
  });

  it('refuses a wrong password and an unknown person with the form and an error', async () => {
    for (const form of [
      { email: PEOPLE.withoutCode.email, password: 'not-the-password' },
      { email: 'nobody@hospital.example', password: 'demo' },
    ]) {
      const done = await submitForm(await start(), form);
      if (!('page' in done)) throw new Error('a wrong password must not reach the client');
      expect(done.page.status).toBe(400);
      const html = await done.page.text();
      expect(html).toContain('The email or password is not correct.');
      expect(html).toContain('name="password"');
    }
  });

  it('lets the person cancel, and tells the client access_denied', async () => {
    const flow = await start();
    if (!('page' in flow.landed)) throw new Error('expected the sign-in page');
    const abort = [...(await flow.landed.page.text()).matchAll(/<form method="post" action="([^"]+)">/g)][1]?.[1];
    const url = new URL(abort!, flow.landed.url).href;
    const done = await flow.browser.follow(await flow.browser.request(url, { form: {} }), url);
    if (!('clientUrl' in done)) throw new Error('expected the client callback');
    expect(done.clientUrl.searchParams.get('error')).toBe('access_denied');
    expect(done.clientUrl.searchParams.get('state')).toBe(flow.state);
  });

  it('enforces PKCE: no code without a challenge, no tokens without the verifier', async () => {
    const noChallenge = client.buildAuthorizationUrl(viewer, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 'x' });
    const browser = new FormBrowser(atClient);
    const refused = await browser.follow(await browser.request(noChallenge.href), noChallenge.href);
    if (!('clientUrl' in refused)) throw new Error('expected an error sent back to the client');
    expect(refused.clientUrl.searchParams.get('error')).toBe('invalid_request');

    const person = PEOPLE.withoutCode;
    const flow = await start();
    const done = await submitForm(flow, { email: person.email, password: person.password });
    if (!('clientUrl' in done)) throw new Error('expected the client callback');
    await expect(client.authorizationCodeGrant(viewer, done.clientUrl, { expectedState: flow.state, expectedNonce: flow.nonce })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const otherVerifier = client.randomPKCECodeVerifier();
    await expect(
      client.authorizationCodeGrant(viewer, done.clientUrl, { pkceCodeVerifier: otherVerifier, expectedState: flow.state, expectedNonce: flow.nonce }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    // Only the verifier the code was bound to redeems it, once.
    expect((await redeem(flow, done.clientUrl)).claims()?.['sub']).toBe(person.sub);
    await expect(redeem(flow, done.clientUrl)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('authenticates clients with client_secret_post too, and refuses a wrong secret', async () => {
    const postRp = await client.discovery(new URL(op.issuer), POST_CLIENT.clientId, POST_CLIENT.clientSecret, client.ClientSecretPost(POST_CLIENT.clientSecret), {
      execute: [client.allowInsecureRequests],
    });
    const person = PEOPLE.withoutCode;
    const { claims } = await signIn({ email: person.email, password: person.password }, { rp: postRp });
    expect(claims['aud']).toBe(POST_CLIENT.clientId);

    const wrongSecret = await client.discovery(new URL(op.issuer), VIEWER.clientId, 'wrong', client.ClientSecretBasic('wrong'), {
      execute: [client.allowInsecureRequests],
    });
    const flow = await start({ rp: wrongSecret });
    const done = await submitForm(flow, { email: person.email, password: person.password });
    if (!('clientUrl' in done)) throw new Error('expected the client callback');
    // A Basic-authenticated client is told so in WWW-Authenticate (RFC 6749 5.2).
    await expect(redeem(flow, done.clientUrl)).rejects.toMatchObject({
      status: 401,
      cause: [expect.objectContaining({ scheme: 'basic', parameters: expect.objectContaining({ error: 'invalid_client' }) })],
    });
  });

  it.each([
    ['with id_token_hint', true],
    ['with client_id only', false],
  ])('ends the session on RP-initiated logout (%s) and returns to the post-logout URI', async (_how, withHint) => {
    const person = PEOPLE.withoutCode;
    const { tokens, flow } = await signIn({ email: person.email, password: person.password });
    const logout = client.buildEndSessionUrl(viewer, {
      ...(withHint ? { id_token_hint: tokens.id_token! } : {}),
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: 'bye',
    });
    const browser = flow.browser;
    const confirm = await browser.follow(await browser.request(logout.href), logout.href);
    if (!('page' in confirm)) throw new Error('expected the sign-out confirmation');
    expect(confirm.page.status).toBe(200);
    const html = await confirm.page.text();
    expect(html).not.toContain('<script');
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)">/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    const url = new URL(action!, confirm.url).href;
    const done = await browser.follow(await browser.request(url, { form: { xsrf: xsrf!, logout: 'yes' } }), url);
    if (!('clientUrl' in done)) throw new Error('expected the post-logout redirect');
    expect(done.clientUrl.origin + done.clientUrl.pathname).toBe(POST_LOGOUT_URI);
    expect(done.clientUrl.searchParams.get('state')).toBe('bye');

    // Signed out: the next sign-in asks again.
    const next = await start({ browser });
    expect('page' in next.landed).toBe(true);
  });

  it('answers a stale or replayed sign-in page with a plain expiry page', async () => {
    const person = PEOPLE.withoutCode;
    const flow = await start();
    if (!('page' in flow.landed)) throw new Error('expected the sign-in page');
    const html = await flow.landed.page.clone().text();
    await submitForm(flow, { email: person.email, password: person.password });
    const action = formAction(html, flow.landed.url);
    const replay = await flow.browser.request(action, { form: { email: person.email, password: person.password } });
    expect(replay.status).toBe(400);
    const body = await replay.text();
    expect(body).toContain('This sign-in has expired');
    expect(body).not.toMatch(/at .+\.js:\d+/);
  });
});

describe('identity provider options and demo people', () => {
  it('are the Slack stand-in clinicians by email, plus a privacy officer and a visitor with no Slack account', () => {
    const slackEmails = new Set(DEMO_USERS.map((u) => u.email));
    const linked = DEMO_PEOPLE.filter((p) => slackEmails.has(p.email));
    const unlinked = DEMO_PEOPLE.filter((p) => !slackEmails.has(p.email));
    expect(linked.map((p) => p.email)).toEqual(DEMO_USERS.filter((u) => !u.external).map((u) => u.email));
    expect(unlinked.map((p) => p.email)).toEqual(['noor.haddad@hospital.example', 'visitor@hospital.example']);
    expect(DEMO_PEOPLE.filter((p) => p.groups?.includes(DEMO_PRIVACY_OFFICERS)).map((p) => p.email)).toEqual(['noor.haddad@hospital.example']);
    expect(new Set(DEMO_PEOPLE.map((p) => p.sub)).size).toBe(DEMO_PEOPLE.length);
    expect(DEMO_PEOPLE.every((p) => p.password === 'demo')).toBe(true);
    expect(DEMO_PEOPLE.some((p) => p.hasSecondFactor) && DEMO_PEOPLE.some((p) => !p.hasSecondFactor)).toBe(true);
  });

  it('issues ID tokens for the configured lifetime, and honours another one-time code', async () => {
    const op = await startIdentityProvider({ clients: [VIEWER], people: DEMO_PEOPLE, path: '/idp', lifetimes: { idTokenSeconds: 90 }, oneTimeCode: '424242' });
    try {
      expect(op.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/idp$/);
      const rp = await client.discovery(new URL(op.issuer), VIEWER.clientId, VIEWER.clientSecret, client.ClientSecretBasic(VIEWER.clientSecret), {
        execute: [client.allowInsecureRequests],
      });
      const person = PEOPLE.withCode;
      const { claims } = await signInWith(rp, { email: person.email, password: person.password, otp: '424242' }, { acrValues: ACR_MFA });
      expect(claims.exp - claims.iat).toBe(90);
      expect(claims['acr']).toBe(ACR_MFA);
    } finally {
      await op.close();
    }
  });

  it('a provider mounted at the wrong path answers 404 outside the issuer path', async () => {
    const ip = createIdentityProvider({ issuer: 'http://127.0.0.1:1/demo/idp', clients: CLIENTS, people: DEMO_PEOPLE });
    const server = createServer(ip.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect((await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/demo/idpx/.well-known/openid-configuration`)).status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
