// Every change to a card queues its redraw in the chat (redrawCard), in the
// transaction that changed it, so a crash cannot leave a dead card showing a
// View button. Once per reason: a change retried does not redraw twice.
import type { JobQueue } from '../storage/job-queue.js';
import type { Tx } from '../storage/transaction.js';
import { AppJob } from './job-names.js';

/** `keepLinks`: the change is not the card's own (a patient's consent), so links already given out keep working (see redrawCard). */
export async function queueCardUpdate(deps: { queue: Pick<JobQueue, 'enqueue'> }, tx: Tx, cardId: string, reason: string, o: { keepLinks?: boolean } = {}): Promise<void> {
  await deps.queue.enqueue({ type: AppJob.UpdateCard, payload: { cardId, ...(o.keepLinks ? { keepLinks: true } : {}) }, dedupeKey: `${AppJob.UpdateCard}:${cardId}:${reason}` }, tx);
}
