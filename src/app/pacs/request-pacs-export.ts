// "Send to PACS" on a card: the request is decided by one rule
// (src/core/access/pacs-export.ts), then the export's row, its job, its audit
// event and the card's redraw (it now says it is being sent) commit together
// (queue-pacs-export.ts). A refusal is audited and returned with its reason, for the requester alone.
import { pacsExportRefusal, type PacsExportRefusal } from '../../core/access/pacs-export.js';
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { transaction } from '../../storage/transaction.js';
import { consentCoversCare } from '../card-consent.js';
import { consultStanding } from '../consult-standing.js';
import type { PacsDeps } from './pacs-deps.js';
import { queuePacsExport } from './queue-pacs-export.js';

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
  const queued = await transaction(deps.db, (tx) =>
    queuePacsExport(deps, tx, { cardId, assetId: asset.id, workspaceId: card.workspaceId, copy: deps.pacs!.copy, requestedBy: who.userId, event }),
  );
  if (queued) return refuse(queued);
  return { outcome: 'queued', channelId };
}
