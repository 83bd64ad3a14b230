// Breach monitoring's alerts as the console shows and changes them: listed
// newest first within the reader's scope, acknowledged with a note, closed.
// Each change and its audit event are one transaction; the note (staff's free
// text) stays in the alert, never in the audit event or a log.
import { ALERT_RULES, RULE_TITLES, type AlertDraft, type AlertRule } from '../core/alerts/rules.js';
import { AuditAction } from '../core/audit/event.js';
import type { AuditScope } from '../core/audit/filter.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { isLoupeId } from '../core/ids.js';
import type { Database } from '../storage/database.js';
import type { Prisma } from '../storage/prisma/client.js';
import { transaction } from '../storage/transaction.js';
import { requireConsoleActionAnywhere, refused, type ConsoleCaller } from './console/console-caller.js';

export const ALERT_STATES = ['open', 'acknowledged', 'closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const MAX_ALERT_NOTE = 2000;

/** A raised alert as stored: the rule's draft (no consult: chat delivery alone needs it), its title, and its handling. */
export interface Alert extends Omit<AlertDraft, 'consultId'> {
  id: string;
  title: string;
  state: AlertState;
  raisedAt: Date;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  closedBy: string | null;
  closedAt: Date | null;
  note: string | null;
}

export interface AlertPage {
  alerts: Alert[];
  /** Whether an older page follows. */
  more: boolean;
}

type AlertRow = Prisma.AlertGetPayload<object>;

function alertOf(row: AlertRow): Alert {
  const rule = row.rule as AlertRule;
  return { ...row, rule, title: RULE_TITLES[rule] ?? 'Alert', state: row.state };
}

/** What a reader sees: a privacy officer everything; a workspace admin their workspaces' alerts and those that concern every workspace. */
function whereOf(scope: AuditScope, state: AlertState | undefined): Prisma.AlertWhereInput {
  const where: Prisma.AlertWhereInput = state ? { state } : {};
  if (scope !== 'all') where.OR = [{ workspaceId: { in: [...scope.workspaceIds] } }, { workspaceId: null }];
  return where;
}

export async function listAlerts(c: Pick<ConsoleCaller, 'storage'>, scope: AuditScope, o: { state?: AlertState | undefined; page: number; limit: number }): Promise<AlertPage> {
  const rows = await c.storage.db.prisma.alert.findMany({
    where: whereOf(scope, o.state),
    orderBy: [{ raisedAt: 'desc' }, { lastSeq: 'desc' }],
    skip: o.page * o.limit,
    take: o.limit + 1,
  });
  return { alerts: rows.slice(0, o.limit).map(alertOf), more: rows.length > o.limit };
}

export async function findAlert(c: Pick<ConsoleCaller, 'storage'>, scope: AuditScope, alertId: string): Promise<Alert | undefined> {
  if (!isLoupeId(alertId)) return undefined;
  const row = await c.storage.db.prisma.alert.findFirst({ where: { id: alertId, ...whereOf(scope, undefined) } });
  return row ? alertOf(row) : undefined;
}

/** Whether this person may acknowledge or close the alert: its workspace's admins; privacy officers any, and alone those that concern every workspace. */
export function mayManageAlert(c: Pick<ConsoleCaller, 'access'>, alert: Pick<Alert, 'workspaceId'>): boolean {
  if (alert.workspaceId === null) return c.access.privacyOfficer && c.access.may('manage_alerts').allow;
  return c.access.may('manage_alerts', { workspaceId: alert.workspaceId }).allow;
}

export type AlertChangeResult = { ok: true } | { ok: false; problem: 'note' | 'state' };

const NEXT: Record<'acknowledge' | 'close', { from: readonly AlertState[]; action: string }> = {
  acknowledge: { from: ['open'], action: AuditAction.AlertAcknowledged },
  close: { from: ['open', 'acknowledged'], action: AuditAction.AlertClosed },
};

/** Acknowledges (a note required) or closes (a note optional, added to the alert's) an alert, audited in the same transaction. */
export async function changeAlert(c: ConsoleCaller, input: { alertId: string; change: 'acknowledge' | 'close'; note: string }): Promise<AlertChangeResult> {
  await requireConsoleActionAnywhere(c, 'manage_alerts');
  const note = input.note.trim();
  if (note.length > MAX_ALERT_NOTE || (input.change === 'acknowledge' && note.length === 0)) return { ok: false, problem: 'note' };
  const found = isLoupeId(input.alertId) ? await c.storage.db.prisma.alert.findUnique({ where: { id: input.alertId } }) : null;
  if (!found) throw new LoupeError(ErrorCode.NotFound, 'no such alert');
  if (!mayManageAlert(c, found)) {
    await refused(c.storage.audit, c, { action: 'manage_alerts', workspaceId: found.workspaceId ?? undefined, details: { alertId: found.id } });
    throw new LoupeError(ErrorCode.Forbidden, 'not allowed to change this alert');
  }
  const step = NEXT[input.change];
  const by = c.actor.id ?? 'console';
  const now = c.clock.now();
  return transaction(c.storage.db, async (tx) => {
    // The state is the condition of the update: a concurrent change wins once.
    const data: Prisma.AlertUpdateManyMutationInput =
      input.change === 'acknowledge'
        ? { state: 'acknowledged', acknowledgedBy: by, acknowledgedAt: now, note }
        : { state: 'closed', closedBy: by, closedAt: now, ...(note ? { note: found.note ? `${found.note}\n\n${note}` : note } : {}) };
    const { count } = await tx.alert.updateMany({ where: { id: found.id, state: { in: [...step.from] } }, data });
    if (count === 0) return { ok: false, problem: 'state' } as const;
    await c.storage.audit.append(tx, {
      actor: c.actor,
      action: step.action,
      outcome: 'success',
      workspaceId: found.workspaceId,
      requestId: c.requestId,
      // Never the note: it is staff's free text.
      details: { alertId: found.id, rule: found.rule, from: found.state, withNote: note.length > 0 },
    });
    return { ok: true } as const;
  });
}

/** Open alerts by rule, every rule named (0 when none): what /metrics shows. */
export async function openAlertCounts(db: Database): Promise<Record<AlertRule, number>> {
  const counts = Object.fromEntries(ALERT_RULES.map((r) => [r, 0])) as Record<AlertRule, number>;
  const groups = await db.prisma.alert.groupBy({ by: ['rule'], where: { state: 'open' }, _count: { _all: true } });
  for (const g of groups) if (Object.hasOwn(counts, g.rule)) counts[g.rule as AlertRule] = g._count._all;
  return counts;
}
