// What a consent change does beyond its version and audit event: in its
// transaction, the redraw of each live card of the patient's images is queued
// (so the card says when consent no longer covers viewing, and says so no
// more once a new permit does); after commit, the process is told
// (ConsentChanges), so open viewers decide their next request afresh.
import type { ConsentChanges } from '../../storage/consent-changes.js';
import type { JobQueue } from '../../storage/job-queue.js';
import type { Tx } from '../../storage/transaction.js';
import { queueCardUpdate } from '../queue-card-update.js';

export interface ConsentEffectDeps {
  /** Queues the cards' redraws. Required, so no caller can forget it: a card would keep its View button. */
  queue: Pick<JobQueue, 'enqueue'>;
  /** Told after commit: the storage's own. */
  consentChanges: ConsentChanges;
}

/** In the change's transaction: one redraw per live card of the patient's images, once per consent version. */
export async function queuePatientCardRedraws(deps: ConsentEffectDeps, tx: Tx, patientId: string, consentId: string): Promise<void> {
  const queue = deps.queue;
  const cards = await tx.card.findMany({
    where: { asset: { patientId }, state: { in: ['active', 'waiting_for_patient'] }, messageId: { not: null } },
    select: { id: true },
  });
    // Links already given out keep working: an open viewer is then refused for the consent itself, and says so, not for a revoked link.
  for (const card of cards) await queueCardUpdate({ queue }, tx, card.id, `consent:${consentId}`, { keepLinks: true });
}

/** After commit. */
export function tellConsentChanged(deps: ConsentEffectDeps, patientId: string): void {
  deps.consentChanges.changed(patientId);
}
