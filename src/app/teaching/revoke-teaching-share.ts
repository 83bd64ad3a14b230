// Revokes a teaching share: its link stops working at once. Whoever created
// it, or an admin of its workspace; anyone else is refused (audited). The
// copy itself stays with its image until the image is shredded.
import { AuditAction } from '../../core/audit/event.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { transaction } from '../../storage/transaction.js';
import type { TeachingDeps } from './teaching-deps.js';

export type RevokeTeachingShareResult = { outcome: 'revoked' } | { outcome: 'already_revoked' } | { outcome: 'refused' };

export async function revokeTeachingShare(deps: Pick<TeachingDeps, 'db' | 'audit' | 'clock'>, { shareId, who }: { shareId: string; who: WorkspaceRequester }): Promise<RevokeTeachingShareResult> {
  const share = await deps.db.prisma.teachingShare.findFirst({ where: { id: shareId, workspaceId: who.workspaceId } });
  if (!share) throw new LoupeError(ErrorCode.NotFound, 'no such teaching share');
  const event = { actor: { type: who.isAdmin ? ('admin' as const) : ('user' as const), id: who.userId }, action: AuditAction.TeachingShareRevoked, workspaceId: share.workspaceId, assetId: share.assetId, details: { shareId } };
  if (!who.isAdmin && who.userId !== share.createdBy) {
    await deps.audit.record({ ...event, outcome: 'denied', reason: 'not_creator_or_admin' });
    return { outcome: 'refused' };
  }
  return transaction(deps.db, async (tx) => {
    const done = await tx.teachingShare.updateMany({ where: { id: shareId, revokedAt: null }, data: { revokedAt: deps.clock.now(), revokedBy: who.userId } });
    if (done.count === 0) return { outcome: 'already_revoked' as const };
    await deps.audit.append(tx, { ...event, outcome: 'success' });
    return { outcome: 'revoked' as const };
  });
}
