// What a crash (kill -9, power loss) leaves in the blob store: unfinished
// `.partial` writes, and whole bodies whose row never committed. A blob's
// body is written (and renamed into place) before the transaction that adds
// its row, so a body without a row is normal for the moment between the two.
// The sweep therefore only touches files last written more than an hour ago:
// that moment lasts seconds (one short transaction), a write in progress
// touches its `.partial` with every chunk, and an hour also absorbs clock
// differences between instances sharing a blob folder. Bodies of shredded
// assets (their data key destroyed, so unreadable) go too, and unfinished
// writes of the key file.
import { AuditAction } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { sweepKeyFileDebris } from '../crypto/keyring-source.js';
import type { AuditLog } from './audit-log.js';
import type { BlobStore, DebrisCounts } from './blob-store.js';
import type { Database } from './database.js';

export const DEBRIS_GRACE_MS = 60 * 60_000;

export interface DebrisSweepDeps {
  db: Database;
  blobStore: BlobStore;
  audit: AuditLog;
  clock: Clock;
  /** The key file, when keys come from one: unfinished writes of it are swept too. */
  keyFile?: string | undefined;
}

/** Sweeps the blob store; audits the counts (never names) when anything went. */
export async function sweepBlobDebris(d: DebrisSweepDeps): Promise<DebrisCounts> {
  const olderThan = new Date(d.clock.now().getTime() - DEBRIS_GRACE_MS);
  const counts = await d.blobStore.sweepDebris(olderThan, async (keys) => {
    const rows = await d.db.prisma.blob.findMany({
      where: { storageKey: { in: keys }, dataKey: { wrapped: { not: null } } },
      select: { storageKey: true },
    });
    return new Set(rows.map((r) => r.storageKey));
  });
  if (d.keyFile) counts.unfinished += await sweepKeyFileDebris(d.keyFile, olderThan);
  if (counts.unfinished || counts.orphans) {
    await d.audit.record({
      actor: { type: 'system', id: 'debris-sweep' },
      action: AuditAction.DebrisSwept,
      outcome: 'success',
      details: { ...counts, graceMinutes: DEBRIS_GRACE_MS / 60_000 },
    });
  }
  return counts;
}
