// Every database test runs on both engines; LOUPE_TEST_ENGINES narrows that
// while developing (for example LOUPE_TEST_ENGINES=pglite).
import type { Engine } from '../../src/storage/database.js';

export const ALL_ENGINES: Engine[] = ['pglite', 'postgres'];

export function testEngines(): Engine[] {
  const wanted = process.env.LOUPE_TEST_ENGINES;
  if (!wanted) return ALL_ENGINES;
  return ALL_ENGINES.filter((e) => wanted.split(',').includes(e));
}

export const TEST_POSTGRES_URL = process.env.LOUPE_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
