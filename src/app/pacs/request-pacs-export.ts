// "Send to PACS" on a card: the request is decided by one rule
// (src/core/access/pacs-export.ts), then the export's row, its job, its audit
// event and the card's redraw (it now says it is being sent) commit together.
// A refusal is audited and returned with its reason, for the requester alone.
import { pacsExportRefusal, type PacsExportRefusal } from '../../core/access/pacs-export.js';
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { transaction } from '../../storage/transaction.js';
import { consentCoversCare } from '../card-consent.js';
import { consultStanding } from '../consult-standing.js';
import { queueCardUpdate } from '../queue-card-update.js';
import { PACS_EXPORT_JOB, type PacsDeps } from './pacs-deps.js';

export type RequestPacsExportResult = { outcome: 'queued'; channelId: string } | { outcome: 'refused'; reason: PacsExportRefusal; channelId: string };

export async function requestPacsExport(deps: PacsDeps, { cardId, who }: { cardId: string; who: WorkspaceRequester }): Promise<RequestPacsExportResult> {
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId }, include: { asset: { include: { pacsExport: true } } } });
  if (!card) throw new LoupeError(ErrorCode.NotFound, 'no such card');
  const { asset, channelId } = card;
  const actor: AuditActor = { type: who.isAdmin ? 'admin' : 'user', id: who.userId };
  const event = { actor, action: AuditAction.PacsExportRequested, workspaceId: card.workspaceId, assetId: asset.id, consultId: card.consultId, patientId: asset.patientId };
  const now = deps.clock.now();
  const facts = {
    configured: deps.pacs !== undefined,
    card,
    asset,
    standing: await consultStanding(deps.db, card.consultId, who, now),
    consentCoversCare: await consentCoversCare(deps, card, asset),
    current: asset.pacsExport,
  };
  const refuse = async (reason: PacsExportRefusal): Promise<RequestPacsExportResult> => {
    await deps.audit.record({ ...event, outcome: 'denied', reason, details: { cardId } });
    return { outcome: 'refused', reason, channelId };
  };
  const refusal = pacsExportRefusal(facts, now);
  if (refusal) return refuse(refusal);
  const copy = deps.pacs!.copy;
  const queued = await transaction(deps.db, async (tx) => {
    // Under the asset's row lock (shredding takes it): two presses at once queue one export.
    const rows = await tx.$queryRaw<{ status: string }[]>`SELECT status::text AS status FROM "Asset" WHERE id = ${asset.id} FOR UPDATE`;
    if (rows[0]?.status !== 'stored') return 'asset_shredded' as const;
    const current = await tx.pacsExport.findUnique({ where: { assetId: asset.id } });
    if (current?.status === 'sent') return 'already_sent' as const;
    if (current?.status === 'queued') return 'in_progress' as const;
    const row = current
      ? await tx.pacsExport.update({ where: { id: current.id }, data: { status: 'queued', copy, requestedBy: who.userId, requestedAt: now, requests: { increment: 1 }, failureCode: null } })
      : await tx.pacsExport.create({ data: { assetId: asset.id, workspaceId: card.workspaceId, copy, requestedBy: who.userId, requestedAt: now } });
    await deps.queue.enqueue({ type: PACS_EXPORT_JOB, payload: { exportId: row.id, cardId }, dedupeKey: `${PACS_EXPORT_JOB}:${row.id}:${row.requests}` }, tx);
    await deps.audit.append(tx, { ...event, outcome: 'success', details: { cardId, copy, request: row.requests } });
    await queueCardUpdate(deps, tx, cardId, `pacs:${row.id}:${row.requests}:queued`, { keepLinks: true });
    return undefined;
  });
  if (queued) return refuse(queued);
  return { outcome: 'queued', channelId };
}
