// What every way of asking for an export shares (a press of Send to PACS, a
// channel's policy): under the asset's row lock, the export's row, its job,
// its audit event and the card's redraw (it now says it is being sent), in
// the caller's transaction. An image shredded meanwhile, or already sent or
// being sent, is not queued again: the reason is returned, for the caller to
// audit as its refusal.
import type { PacsExportRefusal } from '../../core/access/pacs-export.js';
import type { AuditEventInput } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import type { PacsConfig } from '../../config.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { JobQueue } from '../../storage/job-queue.js';
import type { Tx } from '../../storage/transaction.js';
import { queueCardUpdate } from '../queue-card-update.js';
import { PACS_EXPORT_JOB } from './pacs-deps.js';

export interface QueuePacsExportDeps {
  queue: Pick<JobQueue, 'enqueue'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}

export interface PacsExportAsk {
  cardId: string;
  assetId: string;
  workspaceId: string;
  copy: PacsConfig['copy'];
  /** A user's id, or the name of what asked for them (the channel's policy). */
  requestedBy: string;
  /** The success event's who and what; its details are the export's (ids and counts), plus `details`. */
  event: Omit<AuditEventInput, 'outcome' | 'details'>;
  details?: Record<string, unknown>;
}

export type QueueRefusal = Extract<PacsExportRefusal, 'asset_shredded' | 'already_sent' | 'in_progress'>;

export async function queuePacsExport(deps: QueuePacsExportDeps, tx: Tx, a: PacsExportAsk): Promise<QueueRefusal | undefined> {
  // Under the asset's row lock (shredding takes it): two requests at once queue one export.
  const rows = await tx.$queryRaw<{ status: string }[]>`SELECT status::text AS status FROM "Asset" WHERE id = ${a.assetId} FOR UPDATE`;
  if (rows[0]?.status !== 'stored') return 'asset_shredded';
  const current = await tx.pacsExport.findUnique({ where: { assetId: a.assetId } });
  if (current?.status === 'sent') return 'already_sent';
  if (current?.status === 'queued') return 'in_progress';
  const now = deps.clock.now();
  const row = current
    ? await tx.pacsExport.update({ where: { id: current.id }, data: { status: 'queued', copy: a.copy, requestedBy: a.requestedBy, requestedAt: now, requests: { increment: 1 }, failureCode: null } })
    : await tx.pacsExport.create({ data: { assetId: a.assetId, workspaceId: a.workspaceId, copy: a.copy, requestedBy: a.requestedBy, requestedAt: now } });
  await deps.queue.enqueue({ type: PACS_EXPORT_JOB, payload: { exportId: row.id, cardId: a.cardId }, dedupeKey: `${PACS_EXPORT_JOB}:${row.id}:${row.requests}` }, tx);
  await deps.audit.append(tx, { ...a.event, outcome: 'success', details: { cardId: a.cardId, copy: a.copy, request: row.requests, ...a.details } });
  await queueCardUpdate(deps, tx, a.cardId, `pacs:${row.id}:${row.requests}:queued`, { keepLinks: true });
  return undefined;
}
