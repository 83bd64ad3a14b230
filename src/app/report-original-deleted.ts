// The uploader's "I deleted it": a removal check is queued at once, which
// either records the original as removed or reminds them it is still there.
import type { JobQueue } from '../storage/job-queue.js';
import { AppJob } from './job-names.js';

export async function reportOriginalDeleted(deps: { queue: JobQueue }, { assetId }: { assetId: string }): Promise<void> {
  await deps.queue.enqueue({ type: AppJob.RecheckRemoval, payload: { assetId, final: false } });
}
