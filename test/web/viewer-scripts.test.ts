// The viewer page's script modules as the server hands them out: the
// compiled files and nothing else, and a plain coded error when the browser
// code was never built.
import type { Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { createHttpApp, finishHttpApp } from '../../src/web/http-app.js';
import { createMetrics } from '../../src/web/metrics.js';
import { viewerScripts } from '../../src/web/viewer/page.js';
import { request } from '../support/http.js';

describe('the viewer page’s scripts', () => {
  let dir: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-scripts-'));
    await writeFile(join(dir, 'main.js'), "import { x } from './x.js';\n");
    await writeFile(join(dir, 'x.js'), 'export const x = 1;\n');
    await writeFile(join(dir, 'x.js.map'), '{}');
    const app = createHttpApp({ logger: createLogger('silent'), metrics: createMetrics(async () => ({})), readiness: {} });
    app.get('/viewer/client/:file', viewerScripts(dir));
    app.get('/unbuilt/:file', viewerScripts(join(dir, 'nothing-here')));
    finishHttpApp(app);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves each compiled module as JavaScript under the strict policy', async () => {
    const main = await request(port, '/viewer/client/main.js');
    expect([main.status, main.headers['content-type'], main.body]).toEqual([200, 'text/javascript; charset=utf-8', "import { x } from './x.js';\n"]);
    expect(main.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await request(port, '/viewer/client/x.js')).body).toBe('export const x = 1;\n');
  });

  it('serves nothing else: no source maps, no other name, no way out of the folder', async () => {
    for (const path of ['/viewer/client/x.js.map', '/viewer/client/y.js', '/viewer/client/..%2Fpage.js', '/viewer/client/%2E%2E%2F%2E%2E%2Fpackage.json']) {
      expect((await request(port, path)).status, path).toBe(404);
    }
  });

  it('answers a server error with its code when the browser code was never built', async () => {
    const reply = await request(port, '/unbuilt/main.js');
    expect([reply.status, JSON.parse(reply.body).code]).toEqual([500, 'LOUPE_FILE_NOT_FOUND']);
  });
});
