// Signed chat requests already taken, remembered by a hash of their signature
// until they could no longer pass their platform's time window (Slack's
// replay guard keeps them here, shared by every instance).
import { createHash } from 'node:crypto';
import type { Database } from './database.js';
import { isUniqueViolation } from './unique.js';

const hashOf = (signature: string) => createHash('sha256').update(`loupe-slack-request/1\0${signature}`).digest('hex');

/** Records a verified request; false when it was seen before (a replay). `prune`: also forget requests past their window. */
export async function rememberRequest(db: Database, signature: string, expiresAt: Date, now: Date, prune = true): Promise<boolean> {
  try {
    await db.prisma.seenRequest.create({ data: { signatureHash: hashOf(signature), expiresAt } });
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
  // Pruned as requests come: rows whose request could no longer pass the window anyway.
  if (prune) await db.prisma.seenRequest.deleteMany({ where: { expiresAt: { lt: now } } });
  return true;
}
