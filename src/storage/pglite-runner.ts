// Raw SQL on PGlite's one connection: a parameterised query, or a script
// (several statements, the last one's rows). Its own file so that the
// folder-preparing child (pglite-initdb.ts) loads no Prisma.
import type { PGlite } from '@electric-sql/pglite';
import type { RawRunner } from './database.js';

export function pgliteRunner(pglite: PGlite): RawRunner {
  return async (sql, params) => (params ? (await pglite.query<Record<string, unknown>>(sql, params)).rows : (await pglite.exec(sql)).at(-1)?.rows ?? []);
}
