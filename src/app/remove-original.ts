// Taking an original out of the chat once Loupe has secured it (queued by
// ingestAsset). The asset's removal goes pending -> removed (the platform
// deleted it, or it was already gone), not_possible (the platform refused;
// the channel's admins are told), or requested (Loupe may not delete it here:
// the uploader is asked, and a check is scheduled, see recheckRemoval). Each
// state change is written with its audit event.
import { AuditAction } from '../core/audit/event.js';
import type { ChatUseCaseDeps } from './deps.js';
import { AppJob } from './job-names.js';
import { messageShouldGo } from './message-should-go.js';
import { setRemoval } from './removal-state.js';

export interface RemoveOriginalDeps extends ChatUseCaseDeps {
  /** How long to wait before checking whether an uploader removed their file. */
  recheckAfterMs: number;
}

export async function removeOriginal(deps: RemoveOriginalDeps, { assetId }: { assetId: string }): Promise<void> {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true } });
  const consult = asset.consult!;
  if (asset.removal !== 'pending') return;
  const { gateway } = await deps.platforms.forWorkspace(asset.workspaceId);
  const withMessage = asset.sourceMessageId && (await messageShouldGo(deps.db, asset)) ? asset.sourceMessageId : undefined;
  const report = await gateway.removeOriginal({ sourceRef: asset.sourceRef, channelId: consult.channelId, messageId: withMessage });
  if (report.outcome === 'removed') return setRemoval(deps, asset, 'removed', report.detail, AuditAction.OriginalRemoved);
  if (report.outcome === 'refused') {
    await setRemoval(deps, asset, 'not_possible', report.detail, AuditAction.OriginalNotRemovable);
    await gateway.alertAdmins(consult.channelId, { kind: 'original_not_removed' });
    return;
  }
  await gateway.tellUser(asset.uploaderId, { channelId: consult.channelId, threadId: consult.threadId }, { kind: 'removal_request', assetId: asset.id, stillThere: false });
  await setRemoval(deps, asset, 'requested', 'uploader asked to delete it', AuditAction.OriginalRemovalRequested);
  await deps.queue.enqueue({
    type: AppJob.RecheckRemoval,
    payload: { assetId },
    dedupeKey: `${AppJob.RecheckRemoval}:${assetId}`,
    runAt: new Date(deps.clock.now().getTime() + deps.recheckAfterMs),
  });
}
