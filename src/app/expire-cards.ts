// Expires every card whose time has come, as its channel policy set it,
// including those missed while Loupe was down. Each expiry, its links'
// revocation, its audit event and the card's redraw are written together.
import { AuditAction } from '../core/audit/event.js';
import { transaction } from '../storage/transaction.js';
import type { CardLifecycleDeps } from './card-lifecycle-deps.js';
import { queueCardUpdate } from './queue-card-update.js';

const LIVE = ['pending', 'waiting_for_patient', 'active'] as const;

export async function expireDueCards(deps: CardLifecycleDeps, { limit = 200 }: { limit?: number } = {}): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.db.prisma.card.findMany({ where: { state: { in: [...LIVE] }, expiresAt: { lte: now } }, take: limit, select: { id: true } });
  let expired = 0;
  for (const { id } of due) {
    const done = await transaction(deps.db, async (tx) => {
      // Conditional on the state, so two instances sweeping at once expire a card once.
      const { count } = await tx.card.updateMany({ where: { id, state: { in: [...LIVE] } }, data: { state: 'expired' } });
      if (!count) return false;
      const card = await tx.card.findUniqueOrThrow({ where: { id } });
      await tx.linkToken.updateMany({ where: { cardId: id, revokedAt: null }, data: { revokedAt: now } });
      await deps.audit.append(tx, {
        actor: { type: 'system', id: 'card-expiry' },
        action: AuditAction.CardExpired,
        outcome: 'success',
        workspaceId: card.workspaceId,
        assetId: card.assetId,
        consultId: card.consultId,
      });
      await queueCardUpdate(deps, tx, id, 'expired');
      return true;
    });
    if (done) expired++;
  }
  return expired;
}
