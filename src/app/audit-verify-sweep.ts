// The scheduled walk of the audit chain: a job that verifies the whole trail,
// records what it found (a broken chain as an alert, once per break), then
// queues its next run. The console shows the newest result in its header.
import { AuditAction, type AuditRecord } from '../core/audit/event.js';
import { isNewBreak } from '../core/audit/verify-alert.js';
import type { ChainReport } from '../core/audit/verify.js';
import type { Clock } from '../core/clock.js';
import { repeatEvery } from '../jobs/schedule-every.js';
import type { JobHandler } from '../jobs/worker.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { JobQueue } from '../storage/job-queue.js';

export const AUDIT_VERIFY_JOB = 'audit.verify_sweep';

// A constant, not a setting: the configuration (src/config.ts) has no audit
// verification entry yet. Every six hours reads the whole trail four times a
// day, and a broken chain surfaces within a working shift.
export const AUDIT_VERIFY_PERIOD_MS = 6 * 60 * 60_000;

const SYSTEM = { type: 'system', id: 'audit-verify' } as const;

/** Verifies the chain and records the result: AuditVerified, or AuditVerifyFailed naming the first bad event by seq. */
export async function verifyAuditTrail(audit: AuditLog): Promise<AuditRecord> {
  return recordVerification(audit, await audit.verify());
}

/**
 * The scheduled check: as verifyAuditTrail, but a break the newest verification
 * already reported records nothing (undefined). The console's "verify now",
 * asked for by a person, always records its answer.
 */
export async function sweepAuditTrail(audit: AuditLog): Promise<AuditRecord | undefined> {
  const report = await audit.verify();
  if (report.fault && !isNewBreak(report.fault, await lastVerification(audit))) return undefined;
  return recordVerification(audit, report);
}

function recordVerification(audit: AuditLog, report: ChainReport): Promise<AuditRecord> {
  // Seqs are bigints: strings keep them exact in JSON.
  if (report.fault) {
    return audit.record({
      actor: SYSTEM,
      action: AuditAction.AuditVerifyFailed,
      outcome: 'failure',
      reason: report.fault.problem,
      details: { faultSeq: report.fault.seq.toString(), problem: report.fault.problem, events: report.events },
    });
  }
  return audit.record({
    actor: SYSTEM,
    action: AuditAction.AuditVerified,
    outcome: 'success',
    // headSeq is the head's chain position; unsealed: events committed meanwhile, within the allowed lag.
    details: { events: report.events, headSeq: report.head?.seq.toString() ?? null, unsealed: report.unsealed.count },
  });
}

export function auditVerifySweepHandler(deps: { audit: AuditLog; queue: JobQueue; clock: Clock }, periodMs: number): JobHandler {
  return repeatEvery(deps, { type: AUDIT_VERIFY_JOB, periodMs }, async () => {
    await sweepAuditTrail(deps.audit);
  });
}

/** The newest verification, passed or failed; undefined before the first. */
export async function lastVerification(audit: AuditLog): Promise<AuditRecord | undefined> {
  const kinds = [{ action: AuditAction.AuditVerified }, { action: AuditAction.AuditVerifyFailed }];
  // System events carry no workspace: every reader may see them.
  return (await audit.pageOfKinds(kinds, 'all', { limit: 1 })).events[0];
}
