// Periodic durable jobs (the sweeps): each run queues the next, due at the
// following multiple of the period and keyed by it, so however many instances
// (or restarts) ask, one job exists per period. A run left overdue by downtime
// is claimed at the next start, so it catches up at once.
import type { Clock } from '../core/clock.js';
import type { JobQueue } from '../storage/job-queue.js';
import type { JobHandler } from './worker.js';

export interface Periodic {
  /** The job's name; also the prefix of its dedupe keys. */
  type: string;
  periodMs: number;
}

/** Queues the run due next; one per period, however many instances ask. */
export async function scheduleEvery(queue: JobQueue, now: Date, job: Periodic): Promise<void> {
  const next = Math.ceil((now.getTime() + 1) / job.periodMs) * job.periodMs;
  await queue.enqueue({ type: job.type, dedupeKey: `${job.type}:${next}`, runAt: new Date(next) });
}

/**
 * The handler of a periodic job: the next run queued first, then `run`. A run
 * that fails for good (a retention sweep, say) must not end the series until
 * someone restarts Loupe; queuing again on a retry is a no-op, by its key.
 */
export function repeatEvery(d: { queue: JobQueue; clock: Clock }, job: Periodic, run: JobHandler): JobHandler {
  return async (payload, context) => {
    await scheduleEvery(d.queue, d.clock.now(), job);
    await run(payload, context);
  };
}
