// Crypto-shreds one asset, by the retention sweep or by hand: its data keys
// destroyed, its blobs deleted, the asset left as a tombstone with its audit
// history. Its cards become 'deleted' (their links revoked, one audit event
// each, the redraw queued) in the same transaction as the shredding, so a
// crash can never leave a card offering an image that no longer exists.
// Teaching shares of the asset end with it (their copies are its blobs).
// Refused (LoupeError LegalHold) while a legal hold covers the asset.
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { EncryptedBlobs } from '../storage/encrypted-blobs.js';
import type { JobQueue } from '../storage/job-queue.js';
import type { Tx } from '../storage/transaction.js';
import { queueCardUpdate } from './queue-card-update.js';

export interface ShredAssetDeps {
  blobs: EncryptedBlobs;
  audit: AuditLog;
  queue: JobQueue;
  clock: Clock;
}

/** True when this call shredded it; false when it was shredded already. */
export async function shredAsset(deps: ShredAssetDeps, { assetId, actor, reason }: { assetId: string; actor: AuditActor; reason: string }): Promise<boolean> {
  const cardsDeleted = async (tx: Tx) => {
    const now = deps.clock.now();
    const cards = await tx.card.findMany({ where: { assetId, state: { not: 'deleted' } }, select: { id: true, workspaceId: true, consultId: true } });
    for (const card of cards) {
      await tx.card.update({ where: { id: card.id }, data: { state: 'deleted' } });
      await tx.linkToken.updateMany({ where: { cardId: card.id, revokedAt: null }, data: { revokedAt: now } });
      await deps.audit.append(tx, { actor, action: AuditAction.CardDeleted, outcome: 'success', reason, workspaceId: card.workspaceId, assetId, consultId: card.consultId });
      await queueCardUpdate(deps, tx, card.id, 'deleted');
    }
    // Its teaching copies are blobs of the asset, shredded with it; their links end too, each audited as a revocation.
    const shares = await tx.teachingShare.findMany({ where: { assetId, revokedAt: null }, select: { id: true, workspaceId: true } });
    for (const share of shares) {
      await tx.teachingShare.update({ where: { id: share.id }, data: { revokedAt: now, revokedBy: actor.id ?? 'retention' } });
      await deps.audit.append(tx, { actor, action: AuditAction.TeachingShareRevoked, outcome: 'success', reason, workspaceId: share.workspaceId, assetId, details: { shareId: share.id } });
    }
  };
  const { shredded } = await deps.blobs.shredAsset(assetId, actor, reason, cardsDeleted);
  return shredded;
}
