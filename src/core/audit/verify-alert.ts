// Whether the scheduled check of a broken chain raises an alert. One alert per
// break: the console shows it until someone deals with it, and the same break
// reported every six hours would only bury the other alerts. Decided from the
// newest verification in the trail, so restarts and other instances agree.
import { AuditAction, type AuditRecord } from './event.js';
import type { ChainFault } from './verify.js';

/**
 * True unless the newest verification already reported this break (the same
 * first bad seq and problem); after a passing check, any break is new.
 */
export function isNewBreak(fault: Pick<ChainFault, 'seq' | 'problem'>, last: Pick<AuditRecord, 'action' | 'details'> | undefined): boolean {
  if (last?.action !== AuditAction.AuditVerifyFailed) return true;
  const seen = (last.details ?? {}) as { faultSeq?: unknown; problem?: unknown };
  return seen.faultSeq !== fault.seq.toString() || seen.problem !== fault.problem;
}
