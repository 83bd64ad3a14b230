// Breach monitoring's scheduled job: reads the audit trail from where the last
// evaluation stopped (a cursor row in the database, so restarts and every
// instance agree), asks the rules (src/core/alerts/rules.ts) what to raise,
// and writes each alert with its `alert.raised` audit event and the moved
// cursor in one transaction. A transaction-scoped advisory lock lets one
// instance evaluate at a time, so two never raise the same alert (the
// alert's unique key would refuse the second anyway). Delivery (chat) comes
// after commit; /metrics reads the open alerts from the database.
import { ALERT_FACT_ACTIONS, alertKey, evaluateAlertRules, type AlertDraft, type AlertRule, type AlertThresholds } from '../core/alerts/rules.js';
import { AuditAction } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { repeatEvery } from '../jobs/schedule-every.js';
import type { JobHandler } from '../jobs/worker.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { Database } from '../storage/database.js';
import type { JobQueue } from '../storage/job-queue.js';
import { transaction } from '../storage/transaction.js';
import { deliverAlerts, type AlertDelivery } from './deliver-alert.js';

export const ALERT_SWEEP_JOB = 'alerts.evaluate';

/** Arbitrary constant naming the breach rules' lock among advisory locks (the audit head's is 0x4c4f5541). */
const ALERT_LOCK = 0x4c4f5542;
const CURSOR_ID = 'breach-rules';
/** New facts read per transaction; a backlog is read in several. */
const BATCH = 2000;
const SYSTEM = { type: 'system', id: 'breach-monitor' } as const;

const FACT_COLUMNS = { seq: true, chainSeq: true, at: true, action: true, outcome: true, actorId: true, workspaceId: true, patientId: true, assetId: true, consultId: true } as const;

export interface RaisedAlert {
  id: string;
  rule: AlertRule;
  workspaceId: string | null;
  count: number;
  /** Where the newest fact happened, for telling that channel's admins. */
  consultId: string | null;
}

export interface EvaluateAlertsDeps {
  db: Database;
  audit: AuditLog;
  clock: Clock;
  thresholds: AlertThresholds;
}

/** Evaluates every fact since the cursor; answers the alerts it raised, oldest first. */
export async function evaluateAlerts(d: EvaluateAlertsDeps): Promise<RaisedAlert[]> {
  const raised: RaisedAlert[] = [];
  // The cursor walks the sealed chain (see evaluateBatch): seal what is committed, so no fact waits for the sealer.
  await d.audit.seal();
  for (;;) {
    const batch = await evaluateBatch(d);
    raised.push(...batch.raised);
    if (!batch.more) return raised;
  }
}

async function evaluateBatch(d: EvaluateAlertsDeps): Promise<{ raised: RaisedAlert[]; more: boolean }> {
  return transaction(d.db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ALERT_LOCK}::int, hashtext(current_schema()))`;
    const cursor = (await tx.alertCursor.findUnique({ where: { id: CURSOR_ID } }))?.lastSeq ?? 0n;
    const actions = { in: [...ALERT_FACT_ACTIONS] };
    // The cursor is a chain position: events are sealed one sealer at a time, in order, only once committed,
    // so no event below the cursor can appear later (a seq cursor could skip a late-committing lower seq).
    const fresh = (await tx.auditEvent.findMany({ where: { chainSeq: { gt: cursor }, action: actions }, orderBy: { chainSeq: 'asc' }, take: BATCH, select: FACT_COLUMNS })).map(inChain);
    const first = fresh[0];
    if (!first) return { raised: [], more: false };
    const since = new Date(first.at.getTime() - d.thresholds.windowMs);
    const earlier = (await tx.auditEvent.findMany({ where: { chainSeq: { lte: cursor }, at: { gte: since }, action: actions }, orderBy: { chainSeq: 'asc' }, select: FACT_COLUMNS })).map(inChain);
    const covered = await tx.alert.findMany({ where: { windowEnd: { gt: since } }, select: { rule: true, workspaceId: true, subject: true, windowEnd: true } });
    // Rules order and cut facts by `seq`: hand them the chain position, then name events by their own seq again.
    const seqAt = new Map([...earlier, ...fresh].map((f) => [f.seq, f.eventSeq]));
    const drafts = evaluateAlertRules({ facts: [...earlier, ...fresh], cursor, covered: covered.map((c) => ({ ...c, rule: c.rule as AlertRule })), thresholds: d.thresholds }).map((draft) => ({
      ...draft,
      firstSeq: seqAt.get(draft.firstSeq) ?? draft.firstSeq,
      lastSeq: seqAt.get(draft.lastSeq) ?? draft.lastSeq,
    }));
    const raised: RaisedAlert[] = [];
    for (const draft of drafts) {
      const key = alertKey(draft);
      // Under the lock nobody else raises; the key still guards a cursor lost to a restore.
      if (await tx.alert.findUnique({ where: { key }, select: { id: true } })) continue;
      const alert = await tx.alert.create({ data: { key, ...columnsOf(draft), raisedAt: d.clock.now() } });
      await d.audit.append(tx, {
        actor: SYSTEM,
        action: AuditAction.AlertRaised,
        outcome: 'success',
        workspaceId: draft.workspaceId,
        // Ids and counts only: the subject is a user id, an asset id or a fixed word, never a patient.
        details: { alertId: alert.id, rule: draft.rule, subject: draft.subject, count: draft.count, firstSeq: draft.firstSeq.toString(), lastSeq: draft.lastSeq.toString(), windowStart: draft.windowStart.toISOString(), windowEnd: draft.windowEnd.toISOString() },
      });
      raised.push({ id: alert.id, rule: draft.rule, workspaceId: draft.workspaceId, count: draft.count, consultId: draft.consultId });
    }
    const last = fresh.at(-1)!.seq;
    await tx.alertCursor.upsert({ where: { id: CURSOR_ID }, create: { id: CURSOR_ID, lastSeq: last }, update: { lastSeq: last } });
    return { raised, more: fresh.length === BATCH };
  });
}

/** A sealed fact with its chain position as `seq` (what the cursor counts) and its own seq kept. */
function inChain<F extends { seq: bigint; chainSeq: bigint | null }>(f: F): Omit<F, 'chainSeq' | 'seq'> & { seq: bigint; eventSeq: bigint } {
  const { chainSeq, seq, ...rest } = f;
  return { ...rest, seq: chainSeq ?? seq, eventSeq: seq };
}

function columnsOf(d: AlertDraft) {
  return { rule: d.rule, workspaceId: d.workspaceId, subject: d.subject, windowStart: d.windowStart, windowEnd: d.windowEnd, count: d.count, firstSeq: d.firstSeq, lastSeq: d.lastSeq };
}

export interface AlertSweepDeps extends EvaluateAlertsDeps, AlertDelivery {
  queue: JobQueue;
  /** Counts each alert raised (the /metrics counter). */
  onRaised?: (alert: RaisedAlert) => void;
}

export function alertSweepHandler(d: AlertSweepDeps, periodMs: number): JobHandler {
  return repeatEvery(d, { type: ALERT_SWEEP_JOB, periodMs }, async () => {
    const raised = await evaluateAlerts(d);
    for (const alert of raised) d.onRaised?.(alert);
    await deliverAlerts(d, raised);
  });
}
