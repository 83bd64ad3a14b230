// Checks that the databases the suite needs are there, and builds one migrated
// PGlite data folder that every PGlite test starts from (initdb takes seconds).
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/storage/database.js';
import { migrate, readMigrations } from '../../src/storage/migrate.js';
import { buildClient } from './build.js';
import { TEST_POSTGRES_URL, testEngines } from './engines.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildClient();
  if (testEngines().includes('postgres')) {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (error) {
      throw new Error(
        `PostgreSQL is not reachable at ${TEST_POSTGRES_URL.replace(/\/\/[^@]*@/, '//')} (${(error as Error).message}). ` +
          'Start it, or set LOUPE_TEST_POSTGRES_URL.',
      );
    } finally {
      await client.end().catch(() => {});
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'loupe-test-'));
  const db = await openDatabase({});
  await migrate(db, await readMigrations());
  const dump = await db.dump!();
  await db.close();
  const path = join(dir, 'pglite-template.tar');
  await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', path);
  return () => rm(dir, { recursive: true, force: true });
}
