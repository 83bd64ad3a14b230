// The alerts the admin console lists: audit events that ask a person to look
// (an original left in the chat, break-glass access, a job given up on, a
// broken audit chain). They are read from the audit trail itself, so nothing
// can happen that the trail has and the alerts miss.
import { AuditAction, type AuditRecord } from '../core/audit/event.js';
import type { AuditScope } from '../core/audit/filter.js';
import type { AuditKind, AuditLog, PageAt } from '../storage/audit-log.js';

export interface AlertKind extends AuditKind {
  /** Plain English, the same for every alert of the kind: what happened is told by the record's ids, never by patient data. */
  title: string;
  /** Shown to every reader of alerts, though it names no workspace: it concerns them all (the trail's integrity). */
  everyone?: true;
}

export const ALERT_ACTIONS: readonly AlertKind[] = [
  { action: AuditAction.OriginalNotRemovable, title: 'An original could not be removed from the chat' },
  // A refused break-glass request is the rule working; one granted is access to check afterwards.
  { action: AuditAction.BreakGlass, outcome: 'success', title: 'Break-glass access was used' },
  { action: AuditAction.JobDead, title: 'A background job failed and will not be retried' },
  { action: AuditAction.AuditVerifyFailed, title: 'The audit trail failed its integrity check', everyone: true },
];

export interface Alert {
  title: string;
  record: AuditRecord;
}

export interface AlertPage {
  alerts: Alert[];
  /** Pass as `before` for the next (older) page; undefined on the last. */
  nextBefore: bigint | undefined;
}

function titleOf(record: AuditRecord): string {
  const kind = ALERT_ACTIONS.find((k) => k.action === record.action && (!k.outcome || k.outcome === record.outcome));
  // The query asked for these kinds only; a title is still never missing.
  return kind?.title ?? 'Audit event';
}

/** Newest first, within the reader's scope: a workspace admin sees their workspaces' alerts and a broken chain, not other system events (a dead job may name another workspace's asset). */
export async function listAlerts(audit: AuditLog, scope: AuditScope, at: PageAt): Promise<AlertPage> {
  const page = await audit.pageOfKinds(ALERT_ACTIONS, scope, at, ALERT_ACTIONS.filter((k) => k.everyone));
  return { alerts: page.events.map((record) => ({ title: titleOf(record), record })), nextBefore: page.nextBefore };
}
