// Loupe proves it is the Teams app with a certificate instead of a secret
// (a client assertion signed by its key), and a configuration that cannot
// work stops Loupe at start-up with the variable named.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isLoupeError } from '../../src/core/errors.js';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_USERS } from '../../src/demo/teams/index.js';
import { createLogger } from '../../src/logging.js';
import { createLoupe } from '../../src/main.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../src/storage/workspaces.js';
import { createInstanceEnv } from '../support/instance.js';
import { makePhotoFixtures } from '../support/photos.js';
import { startTeamsLoupe, type TeamsLoupe } from '../support/teams.js';
import { until } from '../support/until.js';

describe('Teams app credentials', () => {
  let dir: string;
  let pemFile: string;
  let env: TeamsLoupe | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-teams-cert-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=loupe-teams'], { stdio: 'ignore' });
    pemFile = join(dir, 'teams.pem');
    await writeFile(pemFile, `${await readFile(cert, 'utf8')}${await readFile(key, 'utf8')}`, { mode: 0o600 });
  });
  afterAll(async () => {
    await env?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gets its tokens with a certificate, sending no secret, and posts the card', async () => {
    env = await startTeamsLoupe('pglite', { certificate: await readFile(join(dir, 'cert.pem'), 'utf8'), env: { LOUPE_TEAMS_CLIENT_SECRET: undefined, LOUPE_TEAMS_CERTIFICATE_FILE: pemFile } });
    await env.loupe.services.storage.policies.change(env.workspaceId, WORKSPACE_DEFAULT_CHANNEL, { interception: true }, { type: 'admin', id: 'test' });
    const photo = await readFile((await makePhotoFixtures(dir)).jpeg);
    const posted = await env.teams.postFile({ user: TEAMS_DEMO_USERS.amara.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: TEAMS_DEMO_TEAM.channels.wound.id }, name: 'a.jpg', bytes: photo });
    await until('the card', () => env!.teams.messages.find((m) => m.byBot && m.conversationId.endsWith(`;messageid=${posted.messageId}`)));
    const logins = env.teams.calls.filter((c) => c.host === 'login' && c.method === 'POST');
    expect(logins.length).toBeGreaterThan(0);
    for (const call of logins) {
      expect(call.status).toBe(200);
      expect(call.body).toContain('client_assertion=');
      expect(call.body).not.toContain('client_secret');
    }
  });

  it('stops at start-up, naming the variable, when the certificate file cannot be read or holds no key', async () => {
    const inst = await createInstanceEnv('pglite', { LOUPE_TEAMS_APP_ID: '4d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d', LOUPE_TEAMS_TENANT_ID: '0f7c5d1e-7a10-4c55-9b3e-000000000001' });
    try {
      for (const file of [join(dir, 'missing.pem'), join(dir, 'cert.pem')]) {
        const start = createLoupe(loadConfig({ ...inst.env, LOUPE_TEAMS_CERTIFICATE_FILE: file }), createLogger('silent'));
        const error = await start.then(
          async (l) => {
            await l.stop();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(isLoupeError(error, 'LOUPE_CONFIG_INVALID')).toBe(true);
        expect((error as Error).message).toContain('LOUPE_TEAMS_CERTIFICATE_FILE');
      }
    } finally {
      await inst.cleanup();
    }
  });
});
