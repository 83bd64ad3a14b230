// What the chat sees of an ingest's outcome: its card in the thread (posted,
// then recorded with its audit event), the uploader's prompt for the patient
// while it waits for one; or, for a failure, a private word to the uploader
// and, when someone must look at it, to the channel's admins. Safe to repeat:
// `mayHavePosted` (a run after one that died) looks for the card in the
// thread before posting it again. An image of a kind the channel does not
// take is left in the chat, and only its uploader hears why.
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import { ErrorCode } from '../core/errors.js';
import type { IngestResult } from './ingest-asset.js';
import { issueLinkToken } from '../intake/link-token.js';
import { transaction } from '../storage/transaction.js';
import { queueCardUpdate } from './queue-card-update.js';
import { consentWithdrawnFor } from './card-consent.js';
import { previewForDrawing } from './card-preview.js';
import type { ChatUseCaseDeps } from './deps.js';

const SYSTEM: AuditActor = { type: 'system', id: 'chat' };

export interface DeliverCardOptions {
  assetId: string;
  result: IngestResult;
  mayHavePosted: boolean;
}

export async function deliverCard(deps: ChatUseCaseDeps, { assetId, result, mayHavePosted }: DeliverCardOptions): Promise<void> {
  if (result.outcome === 'left_alone' || result.outcome === 'preparing' || result.outcome === 'prepared') return;
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true } });
  const consult = asset.consult!;
  const { gateway } = await deps.platforms.forWorkspace(asset.workspaceId);
  const thread = { channelId: consult.channelId, threadId: consult.threadId };
  if (result.outcome === 'not_accepted') {
    // Not Loupe's to take here, but an image the uploader meant to share: they hear why it stayed, and nobody else does.
    await gateway.tellUser(asset.uploaderId, thread, { kind: 'kind_not_accepted', family: result.family, accepted: result.accepted });
    return;
  }
  if (result.outcome === 'failed') {
    await gateway.tellUser(asset.uploaderId, thread, { kind: 'upload_failed', code: result.code, originalKept: result.originalKept });
    // A clinical image Loupe holds but cannot show, or an upload it could not secure at all: someone must look at it.
    if (result.originalKept || result.code === ErrorCode.IngestAbandoned) await gateway.alertAdmins(consult.channelId, { kind: 'upload_failed_alert', originalKept: result.originalKept });
    return;
  }
  const card = await deps.db.prisma.card.findUniqueOrThrow({ where: { id: result.card.cardId } });
  if (card.messageId) return;
  let messageId = mayHavePosted ? await gateway.findPostedCard(result.card) : undefined;
  if (!messageId) {
    // A run that died after the previous one had no link to show: a fresh one.
    const token = result.linkToken ?? (await transaction(deps.db, (tx) => issueLinkToken(tx, card.id, card.expiresAt, deps.clock.now())));
    const live = (result.card.state === 'active' || result.card.state === 'waiting_for_patient') && card.state === result.card.state && asset.status !== 'failed' && !(await consentWithdrawnFor(deps, card, asset));
    const preview = await previewForDrawing(deps, gateway, { ...card, asset }, live);
    messageId = await gateway.postCard({ ...result.card, preview: preview.preview }, deps.viewUrl(token));
    await preview.drawn();
  }
  await transaction(deps.db, async (tx) => {
    await tx.card.update({ where: { id: card.id }, data: { messageId } });
    await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.CardPosted, outcome: 'success', workspaceId: card.workspaceId, assetId, consultId: card.consultId });
    // A photo whose clean-up failed while its card was being posted (failAsset writes the card too, so one of the two sees the other).
    const now = await tx.asset.findUniqueOrThrow({ where: { id: assetId }, select: { status: true } });
    if (now.status === 'failed') await queueCardUpdate(deps, tx, card.id, 'asset_failed_as_posted');
    // A card that died while it was being posted (revoked, expired, shredded): its redraw then found nothing to redraw.
    const drawnAs = await tx.card.findUniqueOrThrow({ where: { id: card.id }, select: { state: true } });
    if (drawnAs.state !== result.card.state) await queueCardUpdate(deps, tx, card.id, `changed_as_posted:${drawnAs.state}`);
    // Its export queued or settled while it was being posted (a channel's policy sends it at once): its redraw found nothing to redraw either.
    const exported = await tx.pacsExport.findUnique({ where: { assetId }, select: { status: true } });
    if (exported && exported.status !== result.card.pacs?.status) await queueCardUpdate(deps, tx, card.id, `pacs_as_posted:${exported.status}`, { keepLinks: true });
  });
  if (card.state === 'waiting_for_patient') await gateway.tellUser(asset.uploaderId, thread, { kind: 'patient_prompt', cardId: card.id });
  // Whatever the outcome, the upload leaves the chat: its removal was queued when its original was secured (ingestAsset).
}
