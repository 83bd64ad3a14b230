// Revokes access through a card, at its uploader's or an admin's request: its
// links stop working, its asset can no longer be viewed. The change, its audit
// event and the card's redraw are written together; a refusal is audited too.
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import { mayRevoke, type WorkspaceRequester } from '../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { transaction } from '../storage/transaction.js';
import type { CardLifecycleDeps } from './card-lifecycle-deps.js';
import { queueCardUpdate } from './queue-card-update.js';

export async function revokeCard(deps: CardLifecycleDeps, { cardId, who }: { cardId: string; who: WorkspaceRequester }): Promise<void> {
  const now = deps.clock.now();
  const actor: AuditActor = { type: who.isAdmin ? 'admin' : 'user', id: who.userId };
  await transaction(deps.db, async (tx) => {
    const card = await tx.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId }, include: { asset: { select: { uploaderId: true } } } });
    if (!card) throw new LoupeError(ErrorCode.NotFound, 'no such card');
    if (!mayRevoke(who, card.asset.uploaderId)) {
      // A refusal is recorded too; it must commit, so it is not thrown inside this transaction.
      await deps.audit.append(tx, { actor, action: AuditAction.AssetRevoked, outcome: 'denied', reason: 'only the sender or an admin may revoke', workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId });
      return;
    }
    // Already revoked, or its asset shredded (a deleted card must stay so, never turn back into a revoked one).
    if (card.state === 'revoked' || card.state === 'deleted') return;
    await tx.card.update({ where: { id: cardId, workspaceId: who.workspaceId }, data: { state: 'revoked' } });
    await tx.linkToken.updateMany({ where: { cardId, revokedAt: null }, data: { revokedAt: now } });
    await tx.asset.update({ where: { id: card.assetId }, data: { status: 'revoked', revokedAt: now, revokedBy: who.userId } });
    await deps.audit.append(tx, { actor, action: AuditAction.AssetRevoked, outcome: 'success', workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId });
    await queueCardUpdate(deps, tx, cardId, 'revoked');
  });
  const card = await deps.db.prisma.card.findUniqueOrThrow({ where: { id: cardId, workspaceId: who.workspaceId }, include: { asset: { select: { uploaderId: true } } } });
  if (card.state !== 'revoked' && card.state !== 'deleted') throw new LoupeError(ErrorCode.Forbidden, 'only the sender or an admin may revoke this card');
}
