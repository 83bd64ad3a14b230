// A card's life after it is posted: it expires when its channel policy says,
// or is revoked by its uploader or an admin. Each change, its audit event and
// the job that updates the card in the chat are written together, so a crash
// cannot leave a dead card showing a View button.
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { mayRevoke, type Requester } from '../core/consult/rules.js';
import type { JobQueue } from '../jobs/queue.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { Database } from '../storage/database.js';
import { transaction, type Tx } from '../storage/transaction.js';

export interface CardLifecycleDeps {
  db: Database;
  audit: AuditLog;
  queue: JobQueue;
  clock: Clock;
}

/** The job each platform registers to redraw a card in its chat: `${platform}.update_card`. */
export const updateCardJob = (platform: string) => `${platform}.update_card`;

const LIVE = ['pending', 'waiting_for_patient', 'active'] as const;

/** Queues the redraw of a card in its chat, once per reason, in the transaction that changed it. */
export async function queueUpdate(deps: Pick<CardLifecycleDeps, 'queue'>, tx: Tx, cardId: string, workspaceId: string, reason: string): Promise<void> {
  const ws = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { platform: true } });
  await deps.queue.enqueue({ type: updateCardJob(ws.platform), payload: { cardId }, dedupeKey: `${updateCardJob(ws.platform)}:${cardId}:${reason}` }, tx);
}

/** Expires every card whose time has come, including those missed while Loupe was down. */
export async function expireDueCards(deps: CardLifecycleDeps, limit = 200): Promise<number> {
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
      await queueUpdate(deps, tx, id, card.workspaceId, 'expired');
      return true;
    });
    if (done) expired++;
  }
  return expired;
}

/** Revokes access through a card: its links stop working, its asset can no longer be viewed. */
export async function revokeCard(deps: CardLifecycleDeps, cardId: string, who: Requester): Promise<void> {
  const now = deps.clock.now();
  const actor: AuditActor = { type: who.isAdmin ? 'admin' : 'user', id: who.userId };
  await transaction(deps.db, async (tx) => {
    const card = await tx.card.findUnique({ where: { id: cardId }, include: { asset: { select: { uploaderId: true } } } });
    if (!card) throw new LoupeError(ErrorCode.NotFound, 'no such card');
    if (!mayRevoke(who, card.asset.uploaderId)) {
      // A refusal is recorded too; it must commit, so it is not thrown inside this transaction.
      await deps.audit.append(tx, { actor, action: AuditAction.AssetRevoked, outcome: 'denied', reason: 'only the sender or an admin may revoke', workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId });
      return;
    }
    if (card.state === 'revoked') return;
    await tx.card.update({ where: { id: cardId }, data: { state: 'revoked' } });
    await tx.linkToken.updateMany({ where: { cardId, revokedAt: null }, data: { revokedAt: now } });
    await tx.asset.update({ where: { id: card.assetId }, data: { status: 'revoked', revokedAt: now, revokedBy: who.userId } });
    await deps.audit.append(tx, { actor, action: AuditAction.AssetRevoked, outcome: 'success', workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId });
    await queueUpdate(deps, tx, cardId, card.workspaceId, 'revoked');
  });
  const card = await deps.db.prisma.card.findUniqueOrThrow({ where: { id: cardId }, include: { asset: { select: { uploaderId: true } } } });
  if (card.state !== 'revoked') throw new LoupeError(ErrorCode.Forbidden, 'only the sender or an admin may revoke this card');
}
