// The uploader's "I deleted it": a removal check is queued at once, which
// either records the original as removed or reminds them it is still there.
// Only the uploader's word counts: the button is theirs, and anyone else's
// press (a stale or forged button) queues nothing and is not believed.
import type { Database } from '../storage/database.js';
import type { JobQueue } from '../storage/job-queue.js';
import { AppJob } from './job-names.js';

export type ReportOriginalDeletedResult = 'checking' | 'not_the_uploader';

export async function reportOriginalDeleted(
  deps: { db: Database; queue: JobQueue },
  { assetId, userId }: { assetId: string; userId: string },
): Promise<ReportOriginalDeletedResult> {
  const asset = await deps.db.prisma.asset.findUnique({ where: { id: assetId }, select: { uploaderId: true } });
  if (!asset || asset.uploaderId !== userId) return 'not_the_uploader';
  await deps.queue.enqueue({ type: AppJob.RecheckRemoval, payload: { assetId, final: false } });
  return 'checking';
}
