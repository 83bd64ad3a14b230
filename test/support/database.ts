import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import pg from 'pg';
import { openDatabase, type Database, type Engine } from '../../src/storage/database.js';
import { migrate, readMigrations } from '../../src/storage/migrate.js';
import { TEST_POSTGRES_URL } from './engines.js';

export interface TestDatabase {
  db: Database;
  /** DATABASE_URL for a child process to reach the same data (postgres only). */
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, migrated database: in-memory PGlite, or a new schema in the `test` database. */
export async function createTestDatabase(engine: Engine, options: { dataDir?: string } = {}): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const template = new Blob([await readFile(inject('pgliteTemplate'))]);
    const db = await openDatabase({ dataDir: options.dataDir, pgliteTemplate: template });
    await migrate(db, await readMigrations());
    return { db, url: undefined, drop: () => db.close() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = `${TEST_POSTGRES_URL}?schema=${schema}`;
  const db = await openDatabase({ url });
  await migrate(db, await readMigrations());
  return {
    db,
    url,
    drop: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}
