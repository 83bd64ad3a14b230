// The scheduled sweep that expires cards: a job that runs, then queues its
// next run. After downtime the first run catches up on everything overdue.
import type { JobQueue } from '../storage/job-queue.js';
import type { JobHandler } from '../jobs/worker.js';
import type { CardLifecycleDeps } from './card-lifecycle-deps.js';
import { expireDueCards } from './expire-cards.js';

export const CARD_SWEEP_JOB = 'cards.expire_sweep';

/** Queues the sweep due next; one per period, however many instances ask. */
export async function scheduleCardSweep(queue: JobQueue, now: Date, periodMs: number): Promise<void> {
  const next = Math.ceil((now.getTime() + 1) / periodMs) * periodMs;
  await queue.enqueue({ type: CARD_SWEEP_JOB, dedupeKey: `${CARD_SWEEP_JOB}:${next}`, runAt: new Date(next) });
}

export function cardSweepHandler(deps: CardLifecycleDeps, periodMs: number): JobHandler {
  return async () => {
    await expireDueCards(deps);
    await scheduleCardSweep(deps.queue, deps.clock.now(), periodMs);
  };
}
