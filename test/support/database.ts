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
  const empty = await createEmptySchema();
  const db = await openDatabase({ url: empty.url });
  await migrate(db, await readMigrations());
  return {
    db,
    url: empty.url,
    drop: async () => {
      await db.close();
      await empty.drop();
    },
  };
}

/** A new, empty schema in the `test` database: a PostgreSQL deployment before `loupe migrate`. */
export async function createEmptySchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE SCHEMA ${schema}`);
  return { url: `${TEST_POSTGRES_URL}?schema=${schema}`, drop: () => run(`DROP SCHEMA ${schema} CASCADE`) };
}
