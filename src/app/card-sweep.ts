// The scheduled sweep that expires cards: a job that runs, then queues its
// next run. After downtime the first run catches up on everything overdue.
import type { JobHandler } from '../jobs/worker.js';
import { repeatEvery } from '../jobs/schedule-every.js';
import type { CardLifecycleDeps } from './card-lifecycle-deps.js';
import { expireDueCards } from './expire-cards.js';

export const CARD_SWEEP_JOB = 'cards.expire_sweep';

export function cardSweepHandler(deps: CardLifecycleDeps, periodMs: number): JobHandler {
  return repeatEvery(deps, { type: CARD_SWEEP_JOB, periodMs }, async () => {
    await expireDueCards(deps);
  });
}
