// Opening the database as `loupe serve` does: the embedded default creates its
// folder on first start (initdb in a child process) and runs with settings
// sized for one process; on both engines what was written is there after a
// restart.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { openDatabase, type DatabaseOptions, type Engine } from '../../src/storage/database.js';
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
      expect((error as Error).message).toContain('could not create the embedded database');
      await expect(stat(`${path}.lock`)).rejects.toThrow();
    }, 120_000);
  }
});
