// Every change to a card queues its redraw in the chat (redrawCard), in the
// transaction that changed it, so a crash cannot leave a dead card showing a
// View button. Once per reason: a change retried does not redraw twice.
import type { JobQueue } from '../storage/job-queue.js';
import type { Tx } from '../storage/transaction.js';
import { AppJob } from './job-names.js';

export async function queueCardUpdate(deps: { queue: Pick<JobQueue, 'enqueue'> }, tx: Tx, cardId: string, reason: string): Promise<void> {
  await deps.queue.enqueue({ type: AppJob.UpdateCard, payload: { cardId }, dedupeKey: `${AppJob.UpdateCard}:${cardId}:${reason}` }, tx);
}
