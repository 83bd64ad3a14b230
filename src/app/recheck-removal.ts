// Whether an uploader asked to delete their original did: gone means removed.
// A check the uploader asked for ("I deleted it", `final: false`) that finds it
// still there reminds them; the scheduled check decides, and finding it still
// there makes it not_possible and tells the channel's admins.
import { AuditAction } from '../core/audit/event.js';
import type { ChatUseCaseDeps } from './deps.js';
import { setRemoval } from './removal-state.js';

export interface RecheckRemovalOptions {
  assetId: string;
  /** False when the uploader said they had deleted it; the scheduled check is final. */
  final: boolean;
}

export async function recheckRemoval(deps: ChatUseCaseDeps, { assetId, final }: RecheckRemovalOptions): Promise<void> {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true } });
  if (asset.removal !== 'requested') return;
  const consult = asset.consult!;
  const { gateway } = await deps.platforms.forWorkspace(asset.workspaceId);
  if (await gateway.isOriginalGone(asset.sourceRef)) return setRemoval(deps, asset, 'removed', 'deleted by the uploader', AuditAction.OriginalRemoved);
  if (!final) {
    await gateway.tellUser(asset.uploaderId, { channelId: consult.channelId, threadId: consult.threadId }, { kind: 'removal_request', assetId: asset.id, stillThere: true });
    return;
  }
  await setRemoval(deps, asset, 'not_possible', 'still in the chat after the uploader was asked', AuditAction.OriginalNotRemovable);
  await gateway.alertAdmins(consult.channelId, { kind: 'original_not_removed' });
}
