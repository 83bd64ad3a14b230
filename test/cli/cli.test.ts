import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAudit } from '../../src/app/export-audit.js';
import { listenAdminSocket, runInServer } from '../../src/cli/admin-socket.js';
import { loadConfig } from '../../src/config.js';
import { AUDIT_CSV_HEADER } from '../../src/core/audit/csv.js';
import { KeyRing } from '../../src/crypto/keyring.js';
import { createLogger } from '../../src/logging.js';
import { openServices } from '../../src/main.js';
import { readMigrations } from '../../src/storage/migrate.js';
import { cli } from '../support/cli.js';
import { testEngines } from '../support/engines.js';
import { createEmptySchema } from '../support/database.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';
import { LOUPE_CLI } from '../support/build.js';

const silent = createLogger('silent');
const WORKSPACE = '9a8b7c6d-5e4f-4321-a0b1-c2d3e4f5a6b7';

describe('loupe --help', () => {
  it('lists the commands, and every command has its own help', async () => {
    const top = await cli({}, '--help');
    expect(top.status).toBe(0);
    for (const name of ['serve', 'migrate', 'keys', 'audit', 'deidentify']) expect(top.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    for (const argv of [['serve'], ['migrate'], ['keys'], ['keys', 'generate'], ['keys', 'rotate'], ['keys', 'rewrap'], ['audit'], ['audit', 'verify'], ['audit', 'export'], ['audit', 'checkpoint'], ['deidentify']]) {
      const r = await cli({}, ...argv, '--help');
      expect(r.status, argv.join(' ')).toBe(0);
      expect(r.out).toMatch(/^Usage: loupe /m);
    }
    expect((await cli({}, 'frobnicate')).status).toBe(2);
    const generated = await cli({}, 'keys', 'generate');
    expect(KeyRing.parse(generated.out).activeVersion).toBe(1);
  });

  it('runs as the `loupe` binary', () => {
    const r = spawnSync(process.execPath, [LOUPE_CLI, 'audit', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: loupe audit');
  });
});

describe('loupe commands facing a wrong path or an absent database', () => {
  it('refuse a mistyped LOUPE_DATA_DIR naming it, and create nothing there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-typo-'));
    try {
      const env = { LOUPE_DATA_DIR: join(dir, 'dtaa') };
      for (const argv of [['audit', 'verify'], ['audit', 'export'], ['keys', 'rotate'], ['keys', 'rewrap'], ['audit', 'checkpoint']]) {
        const r = await cli(env, ...argv);
        expect(r.status, argv.join(' ')).toBe(2);
        expect(r.err).toBe(`loupe: no Loupe database in the data folder ${join(dir, 'dtaa')} (LOUPE_DATA_DIR): check the path; only \`loupe serve\` and \`loupe migrate\` create one [LOUPE_DATA_DIR_MISSING]`);
      }
      await expect(stat(join(dir, 'dtaa'))).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('name a missing output folder instead of an unexpected failure', async () => {
    const r = await cli({ LOUPE_DATA_DIR: tmpdir() }, 'audit', 'export', '-o', '/no/such/folder/audit.ndjson');
    expect(r).toMatchObject({ status: 2, err: 'loupe: /no/such/folder/audit.ndjson: no such file or folder [LOUPE_FILE_NOT_FOUND]' });
  });

  it('name the database host and port that refused, never its password', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const env = {
      LOUPE_DATA_DIR: tmpdir(),
      DATABASE_URL: `postgresql://loupe:hunter2-secret@127.0.0.1:${port}/loupe`,
      LOUPE_KEYS: JSON.stringify(KeyRing.generateFile(new Date())),
    };
    const r = await cli(env, 'audit', 'verify');
    expect(r.status).toBe(2);
    expect(r.err).toBe(`loupe: cannot reach the database at 127.0.0.1:${port} (DATABASE_URL): connection refused (is it running?) [LOUPE_DB_UNREACHABLE]`);
    expect(r.err).not.toContain('hunter2');
  });
});

describe('the embedded default, first start', () => {
  // A real initdb on a fresh folder: slow on a shared 2-core machine.
  it('creates its data folder, a private key file with a warning, and migrates by itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-first-'));
    const lines: string[] = [];
    const logger = createLogger('info', { write: (s: string) => void lines.push(s) });
    try {
      const config = loadConfig({ LOUPE_DATA_DIR: join(dir, 'data') });
      // Commands other than `serve` (and `migrate`) create no database, and do not invent keys.
      await expect(openServices(config, logger)).rejects.toThrow(/no Loupe database in the data folder/);
      await expect(stat(join(dir, 'data'))).rejects.toThrow();
      await expect(openServices(config, logger, { create: true })).rejects.toThrow(/LOUPE_KEY_FILE/);
      const services = await openServices(config, logger, { create: true, allowKeyGeneration: true });
      await services.close();
      expect((await stat(join(dir, 'data', 'keys.json'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
      expect(lines.join('')).toMatch(/production must supply its own keys/);
      expect(lines.join('')).toMatch(/database migrated/);
      // With the key file gone, a database that holds data gets no new keys: it refuses.
      await rm(join(dir, 'data', 'keys.json'));
      await expect(openServices(config, logger, { create: true, allowKeyGeneration: true })).rejects.toThrow(/no key ring/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe.each(testEngines())('loupe commands on %s', (engine) => {
  let inst: InstanceEnv;
  beforeAll(async () => {
    inst = await createInstanceEnv(engine);
  });
  afterAll(async () => inst.cleanup());

  it('migrate reports an up-to-date database', async () => {
    const r = await cli(inst.env, 'migrate');
    expect(r).toMatchObject({ status: 0, out: 'database is up to date' });
  });

  it('audit verify exits 0 on an intact chain and 1 naming the first altered event', async () => {
    const services = await openServices(loadConfig(inst.env), silent);
    for (let i = 0; i < 5; i++) {
      await services.storage.audit.record({ actor: { type: 'user', id: `U${i}` }, action: 'test.event', outcome: 'success' });
    }
    await services.close();
    const ok = await cli(inst.env, 'audit', 'verify');
    expect(ok.status).toBe(0);
    expect(ok.out).toMatch(/^audit chain intact: 5 events, 0 signed checkpoints, head seq 5 hash [0-9a-f]{64}$/);

    const again = await openServices(loadConfig(inst.env), silent);
    const victim = await again.storage.db.prisma.auditEvent.findUniqueOrThrow({ where: { seq: 3n } });
    await again.storage.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'mallory' WHERE seq = 3`);
    await again.close();
    const bad = await cli(inst.env, 'audit', 'verify');
    expect(bad.status).toBe(1);
    expect(bad.err).toContain(`audit chain BROKEN at event seq 3 (id ${victim.id}): altered`);

    const fix = await openServices(loadConfig(inst.env), silent);
    await fix.storage.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'U2' WHERE seq = 3`);
    await fix.close();
    expect((await cli(inst.env, 'audit', 'verify')).status).toBe(0);
  });

  it('audit export writes one FHIR AuditEvent per line, and records that it did', async () => {
    const file = join(inst.dataDir, 'export.ndjson');
    const r = await cli(inst.env, 'audit', 'export', '--output', file);
    expect(r.status).toBe(0);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.length).toBe(5);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ resourceType: 'AuditEvent', outcome: '0' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stdout = await cli(inst.env, 'audit', 'export', '--since', '2999-01-01');
    expect(stdout.out).toBe('');
    expect((await cli(inst.env, 'audit', 'export', '--since', 'yesterday')).status).toBe(2);
    const services = await openServices(loadConfig(inst.env), silent);
    const exported = await services.storage.db.prisma.auditEvent.count({ where: { action: 'audit.exported' } });
    await services.close();
    expect(exported).toBe(2);
  });

  it('audit export filters and writes CSV, the same lines as exportAudit, also through a running server', async () => {
    const services = await openServices(loadConfig(inst.env), silent);
    const socket = services.config.embedded ? await listenAdminSocket(services, silent) : undefined;
    try {
      const since = new Date();
      for (const outcome of ['denied', 'success', 'denied'] as const) {
        await services.storage.audit.record({ actor: { type: 'user', id: 'U-CSV' }, action: 'asset.viewed', outcome, workspaceId: WORKSPACE, reason: '@SUM(A1)' });
      }
      const flags = ['--format', 'csv', '--outcome', 'denied', '--since', since.toISOString(), '--actor', 'U-CSV', '--workspace', WORKSPACE];
      const r = await cli(inst.env, 'audit', 'export', ...flags);
      expect(r.status).toBe(0);
      expect(r.err).toBe('exported 2 audit events');
      const lines: string[] = [];
      const filter = { outcome: 'denied', since, actorId: 'U-CSV', workspaceId: WORKSPACE } as const;
      await exportAudit({ audit: services.storage.audit, observer: services.config.publicUrl.host, filter, scope: 'all', format: 'csv', actor: { type: 'admin', id: 'cli' }, out: (l) => void lines.push(l) });
      expect(lines).toHaveLength(3);
      expect(lines[0]).toBe(AUDIT_CSV_HEADER);
      expect(lines[1]).toContain(",'@SUM(A1),");
      expect(r.out).toBe(lines.join('\n'));
      // The CLI's export was recorded with its filter, as the console's would be.
      const exported = await services.storage.audit.page({ action: 'audit.exported', actorId: 'cli' }, 'all', { limit: 2 });
      expect(exported.events[1]).toMatchObject({ workspaceId: WORKSPACE, details: { count: 2, format: 'csv', outcome: 'denied', actorId: 'U-CSV', workspaceId: WORKSPACE } });

      const ndjson = await cli(inst.env, 'audit', 'export', '--format', 'ndjson', '--outcome', 'denied', '--since', since.toISOString());
      expect(ndjson.out.split('\n').map((l) => (JSON.parse(l) as { outcome: string }).outcome)).toEqual(['8', '8']);

      if (socket) {
        // The server checks what reaches its socket as the CLI checks its flags.
        const refused = runInServer(services.config.dataDir, 'audit export', { outcome: 'ok' }, { out: () => undefined, err: () => undefined });
        await expect(refused).rejects.toThrow('invalid admin request: outcome expects success, failure or denied');
      }
    } finally {
      await socket?.close();
      await services.close();
    }
  });

  it('audit export refuses a bad filter value with exit 2, naming the flag and never the value', async () => {
    const cases: [string[], string][] = [
      [['--outcome', 'ok'], '--outcome expects success, failure or denied'],
      [['--patient', 'MRN-0012345'], "--patient expects Loupe's id (a UUID)"],
      [['--action', 'asset.deleted'], '--action expects a known audit action, e.g. asset.viewed'],
      [['--until', '31/01/2026'], '--until expects an ISO 8601 date, e.g. 2026-01-31 or 2026-01-31T08:00:00Z'],
    ];
    for (const [flags, message] of cases) {
      const r = await cli(inst.env, 'audit', 'export', ...flags);
      expect(r, flags.join(' ')).toMatchObject({ status: 2, out: '', err: message });
    }
    expect((await cli(inst.env, 'audit', 'export', '--format', 'xml')).status).toBe(2);
  });

  it('keys rotate adds a version, re-wraps data keys and leaves every blob readable', async () => {
    const services = await openServices(loadConfig(inst.env), silent);
    const { storage } = services;
    const ws = await storage.workspaces.ensure('slack', 'T-ROT', 'Rotation Ward', { type: 'system', id: 'test' });
    const asset = await storage.db.prisma.asset.create({ data: { workspaceId: ws.id, uploaderId: 'U1', kind: 'photo', sourceRef: 'F-ROT' } });
    const blob = await storage.blobs.put({
      assetId: asset.id,
      kind: 'original',
      mediaType: 'image/jpeg',
      body: Readable.from([Buffer.from('pixels of a wound photo')]),
      actor: { type: 'user', id: 'U1' },
    });
    await services.close();

    const r = await cli(inst.env, 'keys', 'rotate');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^key-encryption key version 2 is active; re-wrapped [1-9]\d* data keys$/);
    const keyFile = join(inst.dataDir, 'keys.json');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toMatchObject({ activeVersion: 2, keks: [{ version: 1 }, { version: 2 }] });

    const after = await openServices(loadConfig(inst.env), silent);
    try {
      expect(await after.storage.db.prisma.dataKey.count({ where: { kekVersion: 1, wrapped: { not: null } } })).toBe(0);
      const text = await buffer(await after.storage.blobs.open(blob.id, { type: 'user', id: 'U1' }));
      expect(text.toString()).toBe('pixels of a wound photo');
    } finally {
      await after.close();
    }
    expect((await cli(inst.env, 'keys', 'rewrap')).out).toBe('re-wrapped 0 data keys under version 2');
  });

  it('refuses to rotate keys that come from the environment, and refuses a key ring the database does not know', async () => {
    const envKeys = { ...inst.env, LOUPE_KEYS: JSON.stringify(KeyRing.generateFile(new Date())) };
    const r = await cli(envKeys, 'keys', 'rotate');
    expect(r.status).toBe(2);
    expect(r.err).toContain('[LOUPE_KEYS_READ_ONLY]');
    const verify = await cli(envKeys, 'audit', 'verify');
    expect(verify.status).toBe(2);
    expect(verify.err).toContain('LOUPE_KEY_MISMATCH');
  });
});

describe.runIf(testEngines().includes('postgres'))('PostgreSQL deployments', () => {
  it('refuse to start on an unmigrated database, naming the command that fixes it, and need their keys given', async () => {
    const empty = await createEmptySchema();
    const dir = await mkdtemp(join(tmpdir(), 'loupe-pg-'));
    try {
      const url = empty.url;
      const env = { LOUPE_DATA_DIR: dir, DATABASE_URL: url, LOUPE_KEYS: JSON.stringify(KeyRing.generateFile(new Date())) };
      const names = (await readMigrations()).map((m) => m.name).join(', ');
      expect(names).toMatch(/^0001_init, 0002_slack_intake, 0003_viewer, 0004_login_browser/);
      const r = await cli(env, 'audit', 'verify');
      expect(r.status).toBe(2);
      expect(r.err).toContain(`database needs migrations (${names}): run \`loupe migrate\``);
      expect((await cli(env, 'migrate')).out).toBe(`applied ${names}`);
      expect((await cli(env, 'audit', 'verify')).status).toBe(0);
      const noKeys = await cli({ LOUPE_DATA_DIR: dir, DATABASE_URL: url }, 'audit', 'verify');
      expect(noKeys.status).toBe(2);
      expect(noKeys.err).toContain('LOUPE_KEYS_MISSING');
    } finally {
      await empty.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
