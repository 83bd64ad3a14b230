// The scheduled sweep of crash debris in the blob store: a durable job that
// runs, then queues its next run; one more runs at every start, so debris of
// the crash that preceded it goes within the hour's grace rather than later.
import { sweepBlobDebris, type DebrisSweepDeps } from '../storage/blob-debris.js';
import type { JobQueue } from '../storage/job-queue.js';
import { repeatEvery } from './schedule-every.js';
import type { JobHandler } from './worker.js';

export const DEBRIS_SWEEP_JOB = 'storage.debris_sweep';

/** Queues a sweep now, at start-up. */
export async function sweepDebrisAtStart(queue: JobQueue, now: Date): Promise<void> {
  await queue.enqueue({ type: DEBRIS_SWEEP_JOB, dedupeKey: `${DEBRIS_SWEEP_JOB}:start:${now.getTime()}`, runAt: now });
}

export function debrisSweepHandler(deps: DebrisSweepDeps & { queue: JobQueue }, periodMs: number): JobHandler {
  return repeatEvery(deps, { type: DEBRIS_SWEEP_JOB, periodMs }, async () => {
    await sweepBlobDebris(deps);
  });
}
