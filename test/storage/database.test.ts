// Opening the database as `loupe serve` does: the embedded default creates its
// folder on first start and applies the migrations it lacks (in a child
// process, whose memory goes back when it exits) and runs with settings
// sized for one process; on both engines what was written is there after a
// restart.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { openDatabase, type DatabaseOptions, type Engine } from '../../src/storage/database.js';
import { migrate, migrationsDigest, type Migration } from '../../src/storage/migrate.js';
import { createEmptySchema } from '../support/database.js';
import { testEngines } from '../support/engines.js';

describe.each(testEngines())('opening the database (%s)', (engine: Engine) => {
  let dir: string;
  let options: DatabaseOptions;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-db-'));
    if (engine === 'pglite') {
      options = { dataDir: join(dir, 'db') };
      drop = async () => {};
    } else {
      const empty = await createEmptySchema();
      options = { url: empty.url };
      drop = empty.drop;
    }
  });
  afterEach(async () => {
    await drop();
    await rm(dir, { recursive: true, force: true });
  });

  // On PGlite the first open creates the folder: initdb takes tens of seconds on a busy machine.
  it('keeps what was written across a restart', async () => {
    const first = await openDatabase(options);
    await first.withLock(1, async (run) => {
      await run('CREATE TABLE kept (note text)');
      await run('INSERT INTO kept VALUES ($1)', ['written before the restart']);
    });
    await first.close();
    const second = await openDatabase(options);
    try {
      expect(await second.withLock(1, (run) => run('SELECT note FROM kept'))).toEqual([{ note: 'written before the restart' }]);
      if (engine === 'pglite') {
        expect((await stat(join(dir, 'db', 'PG_VERSION'))).isFile()).toBe(true);
        // A buffer pool sized for one process, not PGlite's server-sized default.
        expect(await second.withLock(1, (run) => run('SHOW shared_buffers'))).toEqual([{ shared_buffers: '16MB' }]);
      }
    } finally {
      await second.close();
    }
  }, 180_000);

  if (engine === 'pglite') {
    it('reports a folder it cannot create as a typed error, and leaves it unlocked', async () => {
      // A file where the folder should be: initdb fails in its child process.
      const path = join(dir, 'not-a-folder');
      await writeFile(path, 'x');
      const error = await openDatabase({ dataDir: path }).catch((e: unknown) => e);
      expect(isLoupeError(error, 'LOUPE_DB_UNREACHABLE')).toBe(true);
      expect((error as Error).message).toContain('could not prepare the embedded database');
      await expect(stat(`${path}.lock`)).rejects.toThrow();
    }, 120_000);

    it('applies a new folder\'s migrations in the child, stamps it, and runs the child again only for a migration it lacks', async () => {
      const m1 = { name: '0001_a', sql: 'CREATE TABLE a (x int);', checksum: 'c1' };
      const m2 = { name: '0002_b', sql: 'CREATE TABLE b (y int);', checksum: 'c2' };
      const open = async (migrations: Migration[]) => {
        const db = await openDatabase({ dataDir: join(dir, 'db'), migrations });
        try {
          // What the server's own `migrate` then finds to do: nothing.
          return { applied: db.migratedOnOpen, left: await migrate(db, migrations), tables: await db.withLock(1, (run) => run(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('a', 'b') ORDER BY 1`)) };
        } finally {
          await db.close();
        }
      };
      expect(await open([m1])).toEqual({ applied: ['0001_a'], left: [], tables: [{ tablename: 'a' }] });
      expect(await readFile(join(dir, 'db.migrations'), 'utf8')).toBe(migrationsDigest([m1]));
      expect(await open([m1, m2])).toEqual({ applied: ['0002_b'], left: [], tables: [{ tablename: 'a' }, { tablename: 'b' }] });
      expect(await readFile(join(dir, 'db.migrations'), 'utf8')).toBe(migrationsDigest([m1, m2]));
    }, 180_000);
  }
});
