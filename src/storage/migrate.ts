// Applies the committed SQL migrations in prisma/migrations, each in its own
// transaction, under a lock so that several instances starting together apply
// them once. Works offline on both engines (no Prisma schema engine needed).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { Database } from './database.js';

/** Arbitrary constant identifying Loupe's migration lock among advisory locks. */
const MIGRATION_LOCK = 0x4c4f5550;

/** The package's prisma/migrations, found upward from this module (dist/, dist-bench/src/ or src/ alike). */
export const DEFAULT_MIGRATIONS_DIR = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of [['..', '..'], ['..', '..', '..']]) {
    const dir = join(here, ...up, 'prisma', 'migrations');
    if (existsSync(dir)) return dir;
  }
  return join(here, '..', '..', 'prisma', 'migrations');
})();

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** What a set of migrations is, in one digest: a folder stamped with it holds every one of them. */
export function migrationsDigest(migrations: Migration[]): string {
  const hash = createHash('sha256');
  for (const m of migrations) hash.update(`${m.name}\0${m.checksum}\n`);
  return hash.digest('hex');
}

/** Returns the names of the migrations it applied. */
export async function migrate(db: Pick<Database, 'withLock'>, migrations: Migration[]): Promise<string[]> {
  return db.withLock(MIGRATION_LOCK, async (run) => {
    await run(
      `CREATE TABLE IF NOT EXISTS "_loupe_migrations" (
         name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Map(
      (await run('SELECT name, checksum FROM "_loupe_migrations"', [])).map((r) => [String(r.name), String(r.checksum)]),
    );
    const done: string[] = [];
    for (const m of migrations) {
      const previous = applied.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          throw new LoupeError(ErrorCode.DbMigrationChanged, `migration ${m.name} was changed after it was applied`);
        }
        continue;
      }
      try {
        await run('BEGIN');
        await run(m.sql);
        await run('INSERT INTO "_loupe_migrations" (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
        await run('COMMIT');
      } catch (cause) {
        await run('ROLLBACK').catch(() => {});
        throw new LoupeError(ErrorCode.DbMigrationFailed, `migration ${m.name} failed and was rolled back`, { cause });
      }
      done.push(m.name);
    }
    return done;
  });
}

/**
 * Names of the migrations not yet applied, for instances that must not
 * migrate on their own (PostgreSQL); fails if an applied one was changed.
 */
export async function pendingMigrations(db: Database, migrations: Migration[]): Promise<string[]> {
  return db.withLock(MIGRATION_LOCK, async (run) => {
    const [exists] = await run(`SELECT to_regclass('"_loupe_migrations"') IS NOT NULL AS present`, []);
    if (!exists?.present) return migrations.map((m) => m.name);
    const applied = new Map(
      (await run('SELECT name, checksum FROM "_loupe_migrations"', [])).map((r) => [String(r.name), String(r.checksum)]),
    );
    const pending: string[] = [];
    for (const m of migrations) {
      const checksum = applied.get(m.name);
      if (checksum === undefined) pending.push(m.name);
      else if (checksum !== m.checksum) {
        throw new LoupeError(ErrorCode.DbMigrationChanged, `migration ${m.name} was changed after it was applied`);
      }
    }
    return pending;
  });
}
