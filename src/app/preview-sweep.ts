// Previews a card may no longer carry, whatever changed: an admin turned the
// channel's (or the workspace's) card preview back to none, tightened its
// consent rule, a consent lapsed, or the card died without a redraw that
// could take its preview away. Each such card is redrawn, which takes the
// preview off the platform (card-preview.ts). Run with the card sweep, so
// within its period of the change, whichever way it came about.
import type { ChannelPolicies } from '../storage/channel-policies.js';
import { transaction } from '../storage/transaction.js';
import type { CardLifecycleDeps } from './card-lifecycle-deps.js';
import { consentWithdrawnFor } from './card-consent.js';
import { previewDisallowed } from './card-preview.js';
import { queueCardUpdate } from './queue-card-update.js';

export async function withdrawDisallowedPreviews(deps: CardLifecycleDeps & { policies: Pick<ChannelPolicies, 'effective'> }): Promise<number> {
  const cards = await deps.db.prisma.card.findMany({ where: { previewRef: { not: null } }, include: { asset: true } });
  // Once per placement and sweep period: a redraw that found it allowed again does not silence the next change.
  const period = Math.floor(deps.clock.now().getTime() / 60_000);
  let queued = 0;
  for (const card of cards) {
    const live = card.asset.status !== 'failed' && !(await consentWithdrawnFor(deps, card, card.asset));
    if (!(await previewDisallowed(deps, card, live))) continue;
    await transaction(deps.db, (tx) => queueCardUpdate(deps, tx, card.id, `preview_off:${card.previewRef}:${period}`, { keepLinks: true }));
    queued++;
  }
  return queued;
}
