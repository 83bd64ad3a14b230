// Opens the one PostgreSQL schema on either engine: PGlite (PostgreSQL
// compiled to WebAssembly, in-process, a folder under the data directory) for
// the embedded default, or a PostgreSQL server for production.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { lockDataFolder } from './data-folder-lock.js';
import { EMBEDDED_SETTINGS } from './embedded-settings.js';
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
  return options.url ? openPostgres(options.url) : openPglite(options.dataDir, options.pgliteTemplate, options.holder ?? 'loupe');
}

/** The child that runs initdb: compiled JavaScript, or TypeScript through tsx when run from source (tests). */
function initdbEntry(): { path: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const ts = self.endsWith('.ts');
  return { path: self.replace(/database\.(ts|js)$/, `pglite-initdb.${ts ? 'ts' : 'js'}`), execArgv: ts ? ['--import', 'tsx'] : [] };
}

/** A new folder gets its initdb in a child process, so its garbage never lands in this one (see pglite-initdb.ts). */
async function initdbApart(dataDir: string): Promise<void> {
  if (await stat(join(dataDir, 'PG_VERSION')).then(() => true, () => false)) return;
  const entry = initdbEntry();
  const child = fork(entry.path, [dataDir], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) {
    throw new LoupeError(ErrorCode.DbUnreachable, `could not create the embedded database (initdb ${signal ? `killed by ${signal}` : `exited with ${code}`})`);
  }
}

async function openPglite(dataDir: string | undefined, template: Blob | undefined, holder: string): Promise<Database> {
  // One process per folder: PGlite keeps the database in its own memory, so a
  // second process would work on a stale copy and overwrite the first's writes.
  const lock = dataDir ? await lockDataFolder(`${dataDir}.lock`, dataDir, holder) : undefined;
  let pglite: PGlite;
  try {
    if (dataDir && !template) await initdbApart(dataDir);
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
  const run: RawRunner = async (sql, params) =>
    params ? (await pglite.query<Record<string, unknown>>(sql, params)).rows : execRows(await pglite.exec(sql));
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
  };
}

function execRows(results: { rows: Record<string, unknown>[] }[]): Record<string, unknown>[] {
  return results.at(-1)?.rows ?? [];
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
