import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, maskLinkTokens } from '../../src/logging.js';
import { createHttpApp, finishHttpApp, logQuietly } from '../../src/web/http-app.js';
import { createMetrics } from '../../src/web/metrics.js';
import { secureCookies } from '../../src/web/viewer/http.js';
import { request } from '../support/http.js';

const TOKEN = 'kYjKCa1nho7nmdEM1ybpM0JJow6esZpRWQaQXPPknr4';
/** Every character percent-encoded, in lowercase hex. */
const ENCODED = [...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16).toLowerCase()}`).join('');
/** How a card link token reaches a server mangled: copied with a space, quoted in another URL, encoded once or twice. */
const ATTACKS = [
  `/view/${TOKEN}`,
  `/view/%20${TOKEN}`,
  `/view/${TOKEN}%20`,
  `/view/+${TOKEN}`,
  `/view%2F${TOKEN}`,
  `/view%2f${TOKEN}`,
  `/view/%2F${TOKEN}/frames/0`,
  `//view/${TOKEN}`,
  `/x/../view/${TOKEN}`,
  `/VIEW/${TOKEN}`,
  `/view/${ENCODED}`,
  `/view/${ENCODED.replaceAll('%', '%25')}`,
  `/view/${TOKEN}#frame-2`,
  `/#${TOKEN}`,
  `/auth/login?return=%2Fview%2F${TOKEN}`,
  `/anything%3Freturn%3D%252Fview%252F${TOKEN}`,
  `/viewer/api/${TOKEN}/frames/3?asset=x`,
  `/view/${TOKEN}xyz`,
];

describe('request logs', () => {
  it('never show a card link’s token, however the URL carries it', () => {
    for (const url of ATTACKS) expect(maskLinkTokens(url), url).not.toMatch(/[A-Za-z0-9_-]{43}/);
    expect(maskLinkTokens(`/view/${TOKEN}`)).toBe('/view/…');
    expect(maskLinkTokens(`/view/%20${TOKEN}`)).toBe('/view/ …');
    expect(maskLinkTokens(`/viewer/api/${TOKEN}/frames/3`)).toBe('/viewer/api/…/frames/3');
    expect(maskLinkTokens(`/view/${TOKEN}/break-glass`)).toBe('/view/…/break-glass');
    // What is not a token stays readable.
    expect(maskLinkTokens('/viewer/api/session')).toBe('/viewer/api/session');
    expect(maskLinkTokens('/healthz')).toBe('/healthz');
    expect(maskLinkTokens('/viewer/api/…/info?asset=cmabc123def456ghi789jkl0')).toBe('/viewer/api/…/info?asset=cmabc123def456ghi789jkl0');
  });
});

describe('every response of the HTTP server', () => {
  let server: Server;
  let port: number;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
    // debug: every request's line is kept, whatever its level.
    const app = createHttpApp({ logger: createLogger('debug', sink), metrics: createMetrics(async () => ({})), readiness: {} });
    app.get('/boom', () => {
      throw new Error('something broke');
    });
    app.get('/view/:token', (_req, res) => void res.status(404).send('no'));
    app.get('/bytes', (_req, res) => void res.type('application/octet-stream').send(Buffer.alloc(1024, 7)));
    app.get('/poll', (_req, res) => {
      logQuietly(res);
      res.json({ state: 'ok' });
    });
    app.get('/refused', (_req, res) => void res.status(403).send('no'));
    app.get('/too-big', (_req, res) => void res.status(413).send('no'));
    finishHttpApp(app);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const expectSecure = (headers: Record<string, string | string[] | undefined>) => {
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['cross-origin-resource-policy']).toBe('same-origin');
  };

  it('sends a body without an ETag: nothing may be cached, so none is computed', async () => {
    const r = await request(port, '/bytes');
    expect(r.status).toBe(200);
    expectSecure(r.headers);
    expect(r.headers.etag).toBeUndefined();
  });

  it('carries the security headers on an unmatched path', async () => {
    const r = await request(port, '/no/such/path');
    expect(r.status).toBe(404);
    expectSecure(r.headers);
  });

  it('carries them on an OPTIONS request', async () => {
    const r = await request(port, '/view/abc', { method: 'OPTIONS' });
    expect(r.status).toBeLessThan(500);
    expectSecure(r.headers);
  });

  it('carries them on a 500, which shows no stack trace', async () => {
    const r = await request(port, '/boom');
    expect(r.status).toBe(500);
    expectSecure(r.headers);
    expect(r.body).not.toContain('something broke');
    expect(JSON.parse(r.body)).toMatchObject({ error: 'internal error', code: 'LOUPE_UNEXPECTED' });
  });

  it('answers a URL that cannot be decoded with 400, not 500, and the headers', async () => {
    const r = await request(port, '/view/%E0%A4%A');
    expect(r.status).toBe(400);
    expectSecure(r.headers);
  });

  it('logs what an operator needs at info and above: failures and unexpected requests, not polls, probes or expected refusals', async () => {
    const levelOf = async (path: string): Promise<string | undefined> => {
      const before = lines.length;
      await request(port, path);
      // pino writes the line once the response has finished; it is there by the next turn.
      await new Promise((resolve) => setImmediate(resolve));
      const mine = lines.slice(before).map((l) => JSON.parse(l) as { level: string; req?: { path: string } }).filter((l) => l.req?.path === path);
      return mine.at(-1)?.level;
    };
    expect(await levelOf('/bytes')).toBe('info');
    expect(await levelOf('/poll')).toBe('debug');
    expect(await levelOf('/refused')).toBe('debug');
    expect(await levelOf('/nowhere')).toBe('debug');
    expect(await levelOf('/too-big')).toBe('warn');
    expect(await levelOf('/boom')).toBe('error');
    expect(await levelOf('/healthz')).toBeUndefined();
    expect(await levelOf('/readyz')).toBeUndefined();
    // Whatever else wrote to the log, every line of it is one JSON object.
    for (const line of lines.join('').trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('logs each request without the card link token, whatever the attack string', async () => {
    for (const url of ATTACKS) await request(port, url);
    const logged = lines.join('');
    expect(logged).toContain('"path"');
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain(ENCODED);
    expect(logged).not.toMatch(/[A-Za-z0-9_-]{43}/);
  });
});

describe('the session cookie', () => {
  it('is Secure everywhere but on this machine', () => {
    expect(secureCookies(new URL('https://loupe.hospital.example'))).toBe(true);
    expect(secureCookies(new URL('http://loupe.hospital.example'))).toBe(true);
    expect(secureCookies(new URL('http://localhost:3000'))).toBe(false);
    expect(secureCookies(new URL('http://127.0.0.1:4000'))).toBe(false);
  });
});
