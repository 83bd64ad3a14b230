import type { Database } from './database.js';
import type { Prisma } from './prisma/client.js';

export type Tx = Prisma.TransactionClient;

/** Interactive transaction with limits sized for audit appends under contention. */
export function transaction<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.prisma.$transaction(fn, { maxWait: 15_000, timeout: 60_000 });
}
