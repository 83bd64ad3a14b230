// The embedded database belongs to one process: admin commands run while
// `loupe serve` does go through it (and lose nothing), a second server is
// refused naming the first, and a dead server's lock is taken over.
import { readFile, stat } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { createLoupe, openServices, type Loupe } from '../../src/main.js';
import { cli } from '../support/cli.js';
import { testEngines } from '../support/engines.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';
import { spawnServe } from '../support/serve-process.js';
import { createTestAsset } from '../support/storage.js';

const silent = createLogger('silent');

describe.runIf(testEngines().includes('pglite'))('admin commands while `loupe serve` holds the embedded database', () => {
  let inst: InstanceEnv;
  let loupe: Loupe;
  const blobs: { id: string; text: string }[] = [];

  beforeAll(async () => {
    inst = await createInstanceEnv('pglite');
    loupe = await createLoupe(loadConfig(inst.env), silent);
    await loupe.listen();
    const { storage } = loupe.services;
    for (let i = 0; i < 7; i++) {
      const { assetId } = await createTestAsset(storage, `T-ROT-${i}`);
      const text = `wound photo ${i}`;
      const blob = await storage.blobs.put({ assetId, kind: 'original', mediaType: 'image/jpeg', body: Readable.from([Buffer.from(text)]), actor: { type: 'user', id: 'U1' } });
      blobs.push({ id: blob.id, text });
    }
  });
  let stopped = false;
  afterAll(async () => {
    if (!stopped) await loupe.stop();
    await inst.cleanup();
  });

  it('listens for them on a socket only its owner can open', async () => {
    expect((await stat(join(inst.dataDir, 'loupe.sock'))).mode & 0o777).toBe(0o600);
    expect((await stat(inst.dataDir)).mode & 0o777).toBe(0o700);
  });

  it('rotates keys through the server: every data key re-wrapped, every blob still readable by it', async () => {
    const { storage } = loupe.services;
    const live = await storage.db.prisma.dataKey.count({ where: { wrapped: { not: null } } });
    const r = await cli(inst.env, 'keys', 'rotate');
    expect(r.err).toBe('');
    expect(r).toMatchObject({ status: 0, out: `key-encryption key version 2 is active; re-wrapped ${live} data keys` });
    expect(await storage.db.prisma.dataKey.count({ where: { kekVersion: { not: 2 }, wrapped: { not: null } } })).toBe(0);
    for (const b of blobs) {
      expect((await buffer(await storage.blobs.open(b.id, { type: 'user', id: 'U1' }))).toString()).toBe(b.text);
    }
    // New blobs are wrapped under the new key too, so nothing is left for a rewrap.
    const { assetId } = await createTestAsset(storage, 'T-ROT-NEW');
    await storage.blobs.put({ assetId, kind: 'original', mediaType: 'image/jpeg', body: Readable.from([Buffer.from('after')]), actor: { type: 'user', id: 'U1' } });
    expect((await cli(inst.env, 'keys', 'rewrap')).out).toBe('re-wrapped 0 data keys under version 2');
    expect(JSON.parse(await readFile(join(inst.dataDir, 'keys.json'), 'utf8'))).toMatchObject({ activeVersion: 2 });
  });

  it('verifies and exports the audit trail the server is writing, every event of it', async () => {
    const { storage } = loupe.services;
    await storage.audit.record({ actor: { type: 'user', id: 'U2' }, action: 'test.event', outcome: 'success' });
    const events = await storage.db.prisma.auditEvent.count();
    const verify = await cli(inst.env, 'audit', 'verify');
    expect(verify.status).toBe(0);
    expect(verify.out).toMatch(new RegExp(`^audit chain intact: ${events} events, `));

    const file = join(inst.dataDir, 'export.ndjson');
    const exported = await cli(inst.env, 'audit', 'export', '-o', file);
    expect(exported).toMatchObject({ status: 0, err: `exported ${events} audit events` });
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(events);
    expect(lines.map((l) => JSON.parse(l).resourceType)).toEqual(Array(events).fill('AuditEvent'));
    // The export was recorded in the server's chain, which still verifies.
    expect(await storage.db.prisma.auditEvent.count({ where: { action: 'audit.exported' } })).toBe(1);
    expect((await storage.audit.verify()).fault).toBeNull();
  });

  it('refuses a command that would open the database itself, naming the server', async () => {
    const r = await cli(inst.env, 'migrate');
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/in use by `loupe serve` \(pid \d+, since \d{4}-\d\d-\d\dT[\d:.]+Z\).*\[LOUPE_DATA_DIR_BUSY\]/);
  });

  it('left a data folder whose rotated key file opens every blob after a restart', async () => {
    await loupe.stop();
    stopped = true;
    const after = await openServices(loadConfig(inst.env), silent);
    try {
      expect(after.keyRing.activeVersion).toBe(2);
      for (const b of blobs) {
        expect((await buffer(await after.storage.blobs.open(b.id, { type: 'user', id: 'U1' }))).toString()).toBe(b.text);
      }
      expect((await after.storage.audit.verify()).fault).toBeNull();
    } finally {
      await after.close();
    }
  });
});

describe.runIf(testEngines().includes('pglite'))('two `loupe serve` on one embedded data folder', () => {
  // Servers start as separate processes, TypeScript compiled on the fly: slow on a shared 2-core machine.
  it('the second refuses naming the first; after the first is killed -9, its lock is taken over', async () => {
    const inst = await createInstanceEnv('pglite');
    const { child, listening, exited } = spawnServe({ ...inst.env, LOUPE_DEMO: 'off' });
    try {
      await listening;
      // Another process's admin command runs inside it.
      const verify = await cli(inst.env, 'audit', 'verify');
      expect(verify.status).toBe(0);

      // A second serve (the demo, as a first user starts it) refuses, naming the first, and exits.
      const second = spawnServe(inst.env);
      second.listening.catch(() => {});
      expect(await second.exited).toBe(2);
      expect(second.errors()).toContain(`in use by \`loupe serve\` (pid ${child.pid}, since `);
      expect(second.errors()).toContain('[LOUPE_DATA_DIR_BUSY]');

      child.kill('SIGKILL');
      await exited;
      // Its lock and socket are left behind; both belong to a dead process now.
      await stat(join(inst.dataDir, 'db.lock'));
      const loupe = await createLoupe(loadConfig(inst.env), silent);
      await loupe.listen();
      const again = await cli(inst.env, 'audit', 'verify');
      expect(again.status).toBe(0);
      await loupe.stop();
    } finally {
      child.kill('SIGKILL');
      await inst.cleanup();
    }
  }, 240_000);
});

describe.runIf(testEngines().includes('pglite'))('`loupe serve` on a port already taken', () => {
  it('says which address is in use, exits, and leaves its data folder free for the next start', async () => {
    const inst = await createInstanceEnv('pglite');
    const squatter = createNetServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as AddressInfo).port;
    try {
      // The demo, as a first user starts it: its Slack stand-in and clients must not keep the process up either.
      const refused = spawnServe({ ...inst.env, PORT: String(port), HOST: '127.0.0.1' });
      refused.listening.catch(() => {});
      expect(await refused.exited).toBe(2);
      expect(refused.errors()).toContain(`cannot listen on 127.0.0.1:${port}: it is in use by another program (PORT, HOST) [LOUPE_PORT_UNAVAILABLE]`);
      const again = await cli(inst.env, 'audit', 'verify');
      expect(again.status).toBe(0);
    } finally {
      squatter.close();
      await inst.cleanup();
    }
  }, 240_000);
});

describe.runIf(testEngines().includes('postgres'))('PostgreSQL', () => {
  it('takes no lock: several processes share it', async () => {
    const inst = await createInstanceEnv('postgres');
    try {
      const a = await openServices(loadConfig(inst.env), silent);
      const b = await openServices(loadConfig(inst.env), silent);
      await a.storage.audit.record({ actor: { type: 'user', id: 'U1' }, action: 'test.event', outcome: 'success' });
      expect(await b.storage.db.prisma.auditEvent.count()).toBe(1);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await inst.cleanup();
    }
  });
});
