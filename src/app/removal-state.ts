// An original's removal state and its audit event, written together.
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { Database } from '../storage/database.js';
import { transaction } from '../storage/transaction.js';

export type RemovalState = 'removed' | 'requested' | 'not_possible';
type RemovalAction = typeof AuditAction.OriginalRemoved | typeof AuditAction.OriginalRemovalRequested | typeof AuditAction.OriginalNotRemovable;

const SYSTEM: AuditActor = { type: 'system', id: 'chat' };

export async function setRemoval(
  deps: { db: Database; audit: AuditLog },
  asset: { id: string; workspaceId: string },
  removal: RemovalState,
  detail: string,
  action: RemovalAction,
): Promise<void> {
  await transaction(deps.db, async (tx) => {
    await tx.asset.update({ where: { id: asset.id }, data: { removal, removalDetail: detail } });
    await deps.audit.append(tx, {
      actor: SYSTEM,
      action,
      outcome: removal === 'not_possible' ? 'failure' : 'success',
      workspaceId: asset.workspaceId,
      assetId: asset.id,
      details: { removal, detail },
    });
  });
}
