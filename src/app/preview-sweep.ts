// Previews a channel's policy no longer allows: when an admin turns a
// channel's (or the workspace's) card preview back to none, each live card
// still carrying one is redrawn, which takes the preview off the platform
// (card-preview.ts). Run with the card sweep, so within its period of the
// change, whichever way the policy was changed (console, command, CLI).
import type { ChannelPolicies } from '../storage/channel-policies.js';
import { transaction } from '../storage/transaction.js';
import type { CardLifecycleDeps } from './card-lifecycle-deps.js';
import { queueCardUpdate } from './queue-card-update.js';

export async function withdrawDisallowedPreviews(deps: CardLifecycleDeps & { policies: Pick<ChannelPolicies, 'effective'> }): Promise<number> {
  const cards = await deps.db.prisma.card.findMany({
    where: { previewRef: { not: null }, state: { in: ['active', 'waiting_for_patient'] } },
    select: { id: true, workspaceId: true, channelId: true, previewRef: true },
  });
  const allowed = new Map<string, boolean>();
  let queued = 0;
  for (const card of cards) {
    const place = `${card.workspaceId}\u0000${card.channelId}`;
    if (!allowed.has(place)) allowed.set(place, (await deps.policies.effective(card.workspaceId, card.channelId)).previewMode !== 'none');
    if (allowed.get(place)) continue;
    // Once per placement: a preview placed again later is withdrawn again.
    await transaction(deps.db, (tx) => queueCardUpdate(deps, tx, card.id, `preview_off:${card.previewRef}`, { keepLinks: true }));
    queued++;
  }
  return queued;
}
