// The scheduled sweep that expires cards, and takes down the previews a
// policy no longer allows (preview-sweep.ts): a job that runs, then queues its
// next run. After downtime the first run catches up on everything overdue.
import type { JobHandler } from '../jobs/worker.js';
import { repeatEvery } from '../jobs/schedule-every.js';
import type { CardLifecycleDeps } from './card-lifecycle-deps.js';
import { expireDueCards } from './expire-cards.js';
import { withdrawDisallowedPreviews } from './preview-sweep.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';

export const CARD_SWEEP_JOB = 'cards.expire_sweep';

export function cardSweepHandler(deps: CardLifecycleDeps & { policies: Pick<ChannelPolicies, 'effective'> }, periodMs: number): JobHandler {
  return repeatEvery(deps, { type: CARD_SWEEP_JOB, periodMs }, async () => {
    await expireDueCards(deps);
    await withdrawDisallowedPreviews(deps);
  });
}
