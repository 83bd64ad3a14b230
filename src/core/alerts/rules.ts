// Breach monitoring rules: which facts of the audit trail raise an alert. Pure:
// the job (src/app/evaluate-alerts.ts) hands in the facts since its cursor,
// the earlier facts still inside a window, and the windows alerts already
// cover; the rules answer the alerts to raise.
//
// Windowed rules count, per subject, the facts inside a sliding window ending
// at each new fact; at the threshold they raise an alert whose window starts
// at the first fact counted and lasts one window. Facts inside a window an
// alert already covers (open or not) are not counted again: a rule keeps
// quiet for that subject until the window has run out, then counts afresh.
// With the alert's unique key (rule, workspace, subject, window start; for a
// one-event rule, the event's seq) this
// makes raising idempotent: evaluating the same facts twice raises once.
import { AuditAction } from '../audit/event.js';

export const ALERT_RULES = ['distinct_patients', 'break_glass', 'refused_views', 'failed_sign_ins', 'original_not_removable', 'chain_verify_failed', 'job_dead'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export interface AlertThresholds {
  windowMs: number;
  /** Distinct patients one user viewed within the window. */
  distinctPatients: number;
  /** Refused views by one user within the window. */
  refusedViews: number;
  /** Refused sign-ins (everyone's) within the window. */
  failedSignIns: number;
}

/** The columns of an audit event the rules read. */
export interface AlertFact {
  seq: bigint;
  at: Date;
  action: string;
  outcome: string;
  actorId: string | null;
  workspaceId: string | null;
  patientId: string | null;
  assetId: string | null;
  consultId: string | null;
}

export interface AlertDraft {
  rule: AlertRule;
  workspaceId: string | null;
  /** Who or what the alert is about: a user id, an asset id, or a fixed word; never a patient identifier. */
  subject: string;
  windowStart: Date;
  windowEnd: Date;
  count: number;
  firstSeq: bigint;
  lastSeq: bigint;
  /** The consult of the newest fact, where it had one: its channel's admins are told. */
  consultId: string | null;
}

/** A window an alert already covers. */
export interface CoveredWindow {
  rule: AlertRule;
  workspaceId: string | null;
  subject: string;
  windowEnd: Date;
}

/** The plain words of each rule, the same for every alert of it: what happened is told by counts and ids, never patient data. */
export const RULE_TITLES: Record<AlertRule, string> = {
  distinct_patients: 'One user viewed images of many different patients',
  break_glass: 'Break-glass access was used',
  refused_views: 'One user was refused images repeatedly',
  failed_sign_ins: 'Many sign-ins were refused',
  original_not_removable: 'An original could not be removed from the chat',
  chain_verify_failed: 'The audit trail failed its integrity check',
  job_dead: 'A background job failed and will not be retried',
};

interface Windowed {
  kind: 'windowed';
  matches(f: AlertFact): boolean;
  subject(f: AlertFact): string | null;
  threshold(t: AlertThresholds): number;
  /** What is counted among the facts in the window. */
  measure(facts: readonly AlertFact[]): number;
  /** Workspace-wide facts (sign-ins) carry none: the alert concerns every workspace. */
  perWorkspace: boolean;
}

interface EachOne {
  kind: 'each';
  matches(f: AlertFact): boolean;
  subject(f: AlertFact): string | null;
}

const distinctPatients = (facts: readonly AlertFact[]) => new Set(facts.map((f) => f.patientId)).size;

const RULES: Record<AlertRule, Windowed | EachOne> = {
  distinct_patients: {
    kind: 'windowed',
    matches: (f) => f.action === AuditAction.AssetViewed && f.outcome === 'success' && f.patientId !== null,
    subject: (f) => f.actorId,
    threshold: (t) => t.distinctPatients,
    measure: distinctPatients,
    perWorkspace: true,
  },
  refused_views: {
    kind: 'windowed',
    matches: (f) => f.action === AuditAction.AssetViewed && f.outcome === 'denied',
    subject: (f) => f.actorId,
    threshold: (t) => t.refusedViews,
    measure: (facts) => facts.length,
    perWorkspace: true,
  },
  failed_sign_ins: {
    kind: 'windowed',
    matches: (f) => f.action === AuditAction.ViewerSignInRefused,
    // Refused sign-ins name nobody Loupe knows yet: the spike is everyone's.
    subject: () => 'sign-in',
    threshold: (t) => t.failedSignIns,
    measure: (facts) => facts.length,
    perWorkspace: false,
  },
  // A refused break-glass request is the rule working; a granted one is access to check afterwards.
  break_glass: { kind: 'each', matches: (f) => f.action === AuditAction.BreakGlass && f.outcome === 'success', subject: (f) => f.actorId },
  original_not_removable: { kind: 'each', matches: (f) => f.action === AuditAction.OriginalNotRemovable, subject: (f) => f.assetId ?? 'upload' },
  chain_verify_failed: { kind: 'each', matches: (f) => f.action === AuditAction.AuditVerifyFailed, subject: () => 'audit-chain' },
  job_dead: { kind: 'each', matches: (f) => f.action === AuditAction.JobDead, subject: () => 'jobs' },
};

/** The audit actions any rule reads: the job loads only these. */
export const ALERT_FACT_ACTIONS: readonly string[] = [AuditAction.AssetViewed, AuditAction.ViewerSignInRefused, AuditAction.BreakGlass, AuditAction.OriginalNotRemovable, AuditAction.AuditVerifyFailed, AuditAction.JobDead];

/** Unique per alert: a counting rule's window by its start; a one-event rule's by the event's seq (two dead jobs may share a millisecond). */
export function alertKey(a: Pick<AlertDraft, 'rule' | 'workspaceId' | 'subject' | 'windowStart' | 'firstSeq'>): string {
  const window = RULES[a.rule].kind === 'each' ? `#${a.firstSeq}` : a.windowStart.toISOString();
  return [a.rule, a.workspaceId ?? '-', a.subject, window].join('|');
}

const groupKey = (rule: AlertRule, workspaceId: string | null, subject: string) => [rule, workspaceId ?? '-', subject].join('|');

export interface EvaluateInput {
  /** Oldest first: the facts since the cursor, and before them every fact within one window of the first of them. */
  facts: readonly AlertFact[];
  /** Facts at or below this seq were evaluated before: they are counted, never raise. */
  cursor: bigint;
  covered: readonly CoveredWindow[];
  thresholds: AlertThresholds;
}

/** The alerts the new facts raise, oldest first. */
export function evaluateAlertRules(input: EvaluateInput): AlertDraft[] {
  const { facts, cursor, thresholds: t } = input;
  const quietUntil = new Map<string, number>();
  for (const c of input.covered) {
    const key = groupKey(c.rule, c.workspaceId, c.subject);
    quietUntil.set(key, Math.max(quietUntil.get(key) ?? 0, c.windowEnd.getTime()));
  }
  const drafts: AlertDraft[] = [];
  const windows = new Map<string, AlertFact[]>();
  for (const f of [...facts].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))) {
    for (const rule of ALERT_RULES) {
      const r = RULES[rule];
      if (!r.matches(f)) continue;
      const subject = r.subject(f);
      if (subject === null) continue;
      const fresh = f.seq > cursor;
      if (r.kind === 'each') {
        if (fresh) drafts.push({ rule, workspaceId: f.workspaceId, subject, windowStart: f.at, windowEnd: f.at, count: 1, firstSeq: f.seq, lastSeq: f.seq, consultId: f.consultId });
        continue;
      }
      const workspaceId = r.perWorkspace ? f.workspaceId : null;
      const key = groupKey(rule, workspaceId, subject);
      const quiet = quietUntil.get(key) ?? 0;
      if (f.at.getTime() < quiet) continue;
      const inWindow = (windows.get(key) ?? []).filter((w) => w.at.getTime() > f.at.getTime() - t.windowMs && w.at.getTime() >= quiet);
      inWindow.push(f);
      windows.set(key, inWindow);
      const count = r.measure(inWindow);
      if (!fresh || count < r.threshold(t)) continue;
      const first = inWindow[0]!;
      const windowEnd = new Date(first.at.getTime() + t.windowMs);
      drafts.push({ rule, workspaceId, subject, windowStart: first.at, windowEnd, count, firstSeq: first.seq, lastSeq: f.seq, consultId: f.consultId });
      quietUntil.set(key, windowEnd.getTime());
      windows.set(key, []);
    }
  }
  return drafts;
}
