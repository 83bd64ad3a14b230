// `loupe retention run [--dry-run]`: plain lines (no PHI) and a summary when
// standard output is not a terminal; a dry run changes nothing; a real run
// shreds; inside a running `loupe serve` the progress reaches the caller's
// terminal as a bar redrawn in place.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { progressBar } from '../../src/cli/retention.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { createLoupe, openServices } from '../../src/main.js';
import type { Storage } from '../../src/storage/services.js';
import { cli } from '../support/cli.js';
import { testEngines } from '../support/engines.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';

const silent = createLogger('silent');
const DAY = 24 * 3600 * 1000;

/** A stored photo in a consult, received `ageDays` ago; returns its asset id and channel. */
async function photo(storage: Storage, team: string, ageDays: number): Promise<{ assetId: string; channelId: string }> {
  const ws = await storage.workspaces.ensure('slack', team, 'Ward', { type: 'system', id: 'test' });
  const channelId = 'C0WOUNDS';
  const consult = await storage.db.prisma.consult.create({ data: { workspaceId: ws.id, channelId, threadId: `${team}.1`, requesterId: 'U1' } });
  const asset = await storage.db.prisma.asset.create({ data: { workspaceId: ws.id, consultId: consult.id, uploaderId: 'U1', kind: 'photo', status: 'stored', sourceRef: `F-${team}` } });
  await storage.blobs.put({ assetId: asset.id, kind: 'original', mediaType: 'image/jpeg', body: Readable.from([Buffer.from('pixels')]), actor: { type: 'user', id: 'U1' } });
  await storage.db.prisma.asset.update({ where: { id: asset.id }, data: { createdAt: new Date(Date.now() - ageDays * DAY) } });
  return { assetId: asset.id, channelId };
}

describe('the progress bar', () => {
  it('fills in proportion, on one line', () => {
    expect(progressBar(0, 40)).toBe('[....................] 0/40');
    expect(progressBar(12, 40)).toBe('[######..............] 12/40');
    expect(progressBar(40, 40)).toBe('[####################] 40/40');
  });
});

describe.each(testEngines())('loupe retention run on %s', (engine) => {
  let inst: InstanceEnv;
  beforeAll(async () => {
    inst = await createInstanceEnv(engine);
  });
  afterAll(async () => inst.cleanup());

  it('prints the plan as plain lines on a dry run and changes nothing; a real run shreds', async () => {
    const services = await openServices(loadConfig(inst.env), silent);
    const due = await photo(services.storage, 'T-OLD', 400);
    const young = await photo(services.storage, 'T-NEW', 30);
    const received = (await services.storage.db.prisma.asset.findUniqueOrThrow({ where: { id: due.assetId } })).createdAt.toISOString().slice(0, 10);
    await services.close();

    const dry = await cli(inst.env, 'retention', 'run', '--dry-run');
    expect(dry).toMatchObject({ status: 0, err: '' });
    expect(dry.out.split('\n')).toEqual([
      `would shred asset ${due.assetId} kind photo channel ${due.channelId} received ${received} retention 365 days`,
      'dry run: 1 would be shredded, 0 held past retention; nothing changed',
    ]);
    expect(dry.out).not.toContain('\r');

    const run = await cli(inst.env, 'retention', 'run');
    expect(run).toMatchObject({ status: 0, err: '' });
    expect(run.out.split('\n')).toEqual([
      `shredded asset ${due.assetId} kind photo channel ${due.channelId} received ${received} retention 365 days`,
      'retention: 1 shredded, 0 held, 0 already shredded, 0 failed',
    ]);
    const after = await openServices(loadConfig(inst.env), silent);
    try {
      expect((await after.storage.db.prisma.asset.findUniqueOrThrow({ where: { id: due.assetId } })).status).toBe('shredded');
      expect((await after.storage.db.prisma.asset.findUniqueOrThrow({ where: { id: young.assetId } })).status).toBe('stored');
      expect(await after.storage.db.prisma.auditEvent.count({ where: { action: 'asset.shredded', assetId: due.assetId, actorId: 'retention' } })).toBe(1);
    } finally {
      await after.close();
    }
    expect((await cli(inst.env, 'retention', 'run')).out).toBe('retention: 0 shredded, 0 held, 0 already shredded, 0 failed');
  });
});

describe.runIf(testEngines().includes('pglite'))('loupe retention run while `loupe serve` holds the embedded database', () => {
  it('passes --dry-run through the server, and draws the progress it streams on a terminal', async () => {
    const inst = await createInstanceEnv('pglite');
    const loupe = await createLoupe(loadConfig(inst.env), silent);
    try {
      await loupe.listen();
      const { storage } = loupe.services;
      const assets = [await photo(storage, 'T-A', 500), await photo(storage, 'T-B', 600)];
      const run = async (...argv: string[]) => {
        const out: string[] = [];
        const screen: string[] = [];
        // The lines and the bar share the terminal, as on a real one.
        const io = { env: inst.env, out: (l: string) => void (out.push(l), screen.push(`${l}\n`)), err: (l: string) => void screen.push(`ERR ${l}\n`), terminal: { write: (t: string) => screen.push(t) } };
        const status = await runCli(argv, io);
        return { status, out, screen: screen.join('') };
      };

      const dry = await run('retention', 'run', '--dry-run');
      expect(dry.status).toBe(0);
      expect(dry.out.filter((l) => l.startsWith('would shred'))).toHaveLength(2);
      expect(dry.screen).toContain('\r[##########..........] 1/2');
      expect(dry.screen).toMatch(/\r\[####################\] 2\/2\ndry run: 2 would be shredded/);
      for (const a of assets) expect((await storage.db.prisma.asset.findUniqueOrThrow({ where: { id: a.assetId } })).status).toBe('stored');

      const real = await run('retention', 'run');
      expect(real.status).toBe(0);
      expect(real.out.at(-1)).toBe('retention: 2 shredded, 0 held, 0 already shredded, 0 failed');
      for (const a of assets) expect((await storage.db.prisma.asset.findUniqueOrThrow({ where: { id: a.assetId } })).status).toBe('shredded');
    } finally {
      await loupe.stop();
      await inst.cleanup();
    }
  });
});
