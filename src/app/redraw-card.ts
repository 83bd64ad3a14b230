// Redraws a posted card as it now stands (queued with every change to it, a
// change of its patient's consent included): a live card gets a fresh link,
// earlier ones stop working (unless `keepLinks`: after a consent change the
// links stand and the viewer decides by the consent); a dead one loses its
// buttons; one whose patient's consent no longer covers viewing says so,
// without View. A card's preview goes with its View button (card-preview.ts).
import { cardView } from '../intake/card-view.js';
import { consentWithdrawnFor } from './card-consent.js';
import { previewForDrawing } from './card-preview.js';
import { issueLinkToken } from '../intake/link-token.js';
import { randomUUID } from 'node:crypto';
import { transaction } from '../storage/transaction.js';
import { queueCardUpdate } from './queue-card-update.js';
import type { ChatUseCaseDeps } from './deps.js';

export async function redrawCard(deps: ChatUseCaseDeps, { cardId, keepLinks = false }: { cardId: string; keepLinks?: boolean }): Promise<void> {
  const card = await deps.db.prisma.card.findUniqueOrThrow({ where: { id: cardId }, include: { asset: { include: { pacsExport: true } } } });
  if (!card.messageId && !card.previewRef) return;
  const { gateway } = await deps.platforms.forWorkspace(card.workspaceId);
  // Never posted, yet a preview placed for it (its posting failed for good): taken off the platform all the same.
  if (!card.messageId) return (await previewForDrawing(deps, gateway, card, false)).drawn();
  const live = (card.state === 'active' || card.state === 'waiting_for_patient') && card.asset.status !== 'failed';
  const token = live ? await transaction(deps.db, (tx) => issueLinkToken(tx, card.id, card.expiresAt, deps.clock.now(), keepLinks)) : undefined;
  const withdrawn = live && (await consentWithdrawnFor(deps, card, card.asset));
  // Off the platform first when the card may no longer carry it: a redraw that fails is retried without it.
  const preview = await previewForDrawing(deps, gateway, card, live && !withdrawn);
  await gateway.updateCard(card.messageId, { ...cardView(card, card.asset, withdrawn), preview: preview.preview }, token ? deps.viewUrl(token) : undefined);
  await preview.drawn();
  // The card changed while it was being drawn (it died, or another drawing placed or took away a preview): drawn again as it now stands.
  const now = await deps.db.prisma.card.findUniqueOrThrow({ where: { id: cardId }, select: { state: true, previewRef: true } });
  if (now.state !== card.state || now.previewRef !== (preview.preview ? preview.preview.ref : null)) {
    await transaction(deps.db, (tx) => queueCardUpdate(deps, tx, cardId, `changed_while_drawn:${randomUUID()}`, { keepLinks: true }));
  }
}
