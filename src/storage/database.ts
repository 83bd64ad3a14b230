// Opens the one PostgreSQL schema on either engine: PGlite (PostgreSQL
// compiled to WebAssembly, in-process, a folder under the data directory) for
// the embedded default, or a PostgreSQL server for production.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { lockDataFolder } from './data-folder-lock.js';
import { EMBEDDED_SETTINGS } from './embedded-settings.js';
import { migrationsDigest, type Migration } from './migrate.js';
import { pgliteRunner } from './pglite-runner.js';
import { PrismaClient } from './prisma/client.js';

export type Engine = 'pglite' | 'postgres';

/** Runs a script or a parameterised query on one connection. */
export type RawRunner = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface Database {
  readonly engine: Engine;
  readonly prisma: PrismaClient;
  /** Runs `fn` on one connection while holding the named session-level lock. */
  withLock<T>(lockId: number, fn: (run: RawRunner) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: the data folder as a tarball. */
  dump?: () => Promise<Blob>;
  /** PGlite with a folder: the migrations applied as it was opened (in the preparing child, see pglite-initdb.ts). */
  migratedOnOpen?: string[];
}

export interface DatabaseOptions {
  /** postgresql://… (an optional `schema` query parameter selects the schema), or unset for PGlite. */
  url?: string | undefined;
  /** PGlite's folder; unset keeps the embedded database in memory (tests). */
  dataDir?: string | undefined;
  /** A PGlite data-folder dump to start from instead of running initdb (saves seconds in tests). */
  pgliteTemplate?: Blob | undefined;
  /** PGlite: who holds its folder, named to a second process that is refused (`loupe serve`). */
  holder?: string | undefined;
  /**
   * PGlite with a folder: the migrations it must hold, applied first in a child process when the folder lacks any
   * (PGlite's WebAssembly heap grows with each one and never gives the memory back; see pglite-initdb.ts).
   */
  migrations?: Migration[] | undefined;
}

/** Where the embedded database lives in the data folder. */
export const embeddedDatabaseDir = (dataDir: string): string => join(dataDir, 'db');

/** Commands that only read or change data refuse a data folder without a database, rather than create an empty one. */
export async function requireEmbeddedDatabase(dataDir: string): Promise<void> {
  if (!(await stat(join(embeddedDatabaseDir(dataDir), 'PG_VERSION')).then(() => true, () => false))) {
    throw new LoupeError(
      ErrorCode.DataDirMissing,
      `no Loupe database in the data folder ${dataDir} (LOUPE_DATA_DIR): check the path; only \`loupe serve\` and \`loupe migrate\` create one`,
    );
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url) : openPglite(options.dataDir, options.pgliteTemplate, options.holder ?? 'loupe', options.migrations);
}

/** The child that runs initdb: compiled JavaScript, or TypeScript through tsx when run from source (tests). */
function initdbEntry(): { path: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const ts = self.endsWith('.ts');
  return { path: self.replace(/database\.(ts|js)$/, `pglite-initdb.${ts ? 'ts' : 'js'}`), execArgv: ts ? ['--import', 'tsx'] : [] };
}

/** Where a folder's digest of the migrations it holds is kept (beside it, not in PostgreSQL's own folder). */
const migratedStamp = (dataDir: string) => `${dataDir}.migrations`;

/**
 * A new folder gets its initdb, and a folder missing migrations gets them, in a child process, so their garbage
 * never lands in this one (see pglite-initdb.ts). This process holds the folder's lock meanwhile.
 */
async function prepareApart(dataDir: string, migrations: Migration[] | undefined): Promise<string[]> {
  const created = await stat(join(dataDir, 'PG_VERSION')).then(() => true, () => false);
  const digest = migrations && migrationsDigest(migrations);
  const stamped = digest ? (await readFile(migratedStamp(dataDir), 'utf8').catch(() => '')) === digest : true;
  if (created && stamped) return [];
  const entry = initdbEntry();
  const child = fork(entry.path, [dataDir, migratedStamp(dataDir)], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  // Sent once the child says it listens (see pglite-initdb.ts); its last word is what it applied.
  let applied: string[] = [];
  child.on('message', (m: { ready?: true; applied?: string[] }) => {
    if (m.ready) child.send({ migrations: digest ? migrations : [] });
    if (m.applied) applied = m.applied;
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) {
    throw new LoupeError(ErrorCode.DbUnreachable, `could not prepare the embedded database (${signal ? `killed by ${signal}` : `exited with ${code}`})`);
  }
  return applied;
}

async function openPglite(dataDir: string | undefined, template: Blob | undefined, holder: string, migrations: Migration[] | undefined): Promise<Database> {
  // One process per folder: PGlite keeps the database in its own memory, so a
  // second process would work on a stale copy and overwrite the first's writes.
  const lock = dataDir ? await lockDataFolder(`${dataDir}.lock`, dataDir, holder) : undefined;
  let pglite: PGlite;
  let migratedOnOpen: string[] = [];
  try {
    if (dataDir && !template) migratedOnOpen = await prepareApart(dataDir, migrations);
    pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(template ? { loadDataDir: template } : {}),
      startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  // One connection: PGlite serialises everything, so a lock is not needed.
  const run = pgliteRunner(pglite);
  return {
    engine: 'pglite',
    prisma,
    withLock: (_lockId, fn) => fn(run),
    ping: async () => {
      await pglite.query('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
      await lock?.release();
    },
    dump: () => pglite.dumpDataDir('none'),
    migratedOnOpen,
  };
}

export function parsePostgresUrl(url: string): { connectionString: string; schema: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new LoupeError(ErrorCode.DbUnsupportedUrl, 'DATABASE_URL is not a valid URL', { cause });
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new LoupeError(ErrorCode.DbUnsupportedUrl, 'DATABASE_URL must be a postgresql:// URL');
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new LoupeError(ErrorCode.DbUnsupportedUrl, 'DATABASE_URL schema must be a plain lower-case identifier');
  }
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

async function openPostgres(url: string): Promise<Database> {
  const { connectionString, schema } = parsePostgresUrl(url);
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's error (server restart) must not crash the process.
  pool.on('error', () => {});
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool, schema ? { schema } : undefined),
  });
  return {
    engine: 'postgres',
    prisma,
    withLock: async (lockId, fn) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        // Keyed by schema too, so installations sharing a database do not wait on each other.
        await client.query('SELECT pg_advisory_lock($1::int, hashtext(current_schema()))', [lockId]);
        try {
          return await fn(async (sql, params) => (await client.query(sql, params)).rows);
        } finally {
          await client.query('SELECT pg_advisory_unlock($1::int, hashtext(current_schema()))', [lockId]).catch((error: Error) => {
            broken = error;
          });
        }
      } finally {
        // A connection whose unlock failed may still hold the lock: close it instead of pooling it.
        client.release(broken);
      }
    },
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
