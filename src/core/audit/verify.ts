// Walks the sealed chain in chain order (chainSeq) and reports the first event
// that does not fit; then judges the events not yet sealed, which no hash
// covers yet: they pass while younger than the allowed sealing lag, since
// deleting or editing one within that window cannot be detected.
import { GENESIS_HASH, checkpointMessage, hashEvent } from './chain.js';
import type { AuditCheckpointRecord, SealedAuditRecord } from './event.js';

export type ChainProblem =
  | 'altered'
  | 'missing-before'
  | 'out-of-order'
  | 'broken-link'
  | 'checkpoint-signature'
  | 'checkpoint-mismatch'
  | 'truncated'
  | 'unsealed-too-long';

export interface ChainFault {
  problem: ChainProblem;
  /**
   * The first bad event's seq (as the console shows it); for a truncated
   * chain, the checkpoint's chain position.
   */
  seq: bigint;
  /** The chain position where the fault is; null for an unsealed event. */
  position: bigint | null;
  id: string | null;
  detail: string;
}

/** Committed events the sealer has not linked yet. */
export interface UnsealedSummary {
  count: number;
  /** The oldest one (by its time), when any. */
  oldest: { seq: bigint; id: string; at: Date } | null;
}

export interface UnsealedReport extends UnsealedSummary {
  /** How long the oldest has waited, in seconds (0 when none). */
  oldestAgeSeconds: number;
}

export interface ChainReport {
  ok: boolean;
  /** Sealed events verified. */
  events: number;
  checkpoints: number;
  /** The chain head: `seq` is its chain position (what checkpoints sign). */
  head: { seq: bigint; hash: string } | null;
  fault: ChainFault | null;
  unsealed: UnsealedReport;
}

export interface UnsealedJudgement {
  summary: UnsealedSummary;
  now: Date;
  /** An unsealed event older than this fails the verification. */
  maxLagMs: number;
}

const NONE: UnsealedJudgement = { summary: { count: 0, oldest: null }, now: new Date(0), maxLagMs: Infinity };

export async function verifyChain(
  events: AsyncIterable<SealedAuditRecord>,
  checkpoints: AuditCheckpointRecord[],
  verifySignature: (message: string, signature: string, keyId: string) => boolean,
  unsealedJudgement: UnsealedJudgement = NONE,
): Promise<ChainReport> {
  const { summary, now, maxLagMs } = unsealedJudgement;
  const ageMs = summary.oldest ? Math.max(0, now.getTime() - summary.oldest.at.getTime()) : 0;
  const unsealed: UnsealedReport = { ...summary, oldestAgeSeconds: ageMs / 1000 };
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  let expected = 1n;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let head: ChainReport['head'] = null;
  const fail = (fault: ChainFault): ChainReport => ({ ok: false, events: count, checkpoints: checkpoints.length, head, fault, unsealed });

  for await (const event of events) {
    const at = { seq: event.seq, position: event.chainSeq, id: event.id };
    if (event.chainSeq !== expected) {
      const problem = event.chainSeq > expected ? 'missing-before' : 'out-of-order';
      return fail({
        problem,
        ...at,
        detail:
          problem === 'missing-before'
            ? `chain positions ${expected}..${event.chainSeq - 1n} are missing (deleted)`
            : `expected chain position ${expected}`,
      });
    }
    if (event.prevHash !== prevHash) {
      return fail({ problem: 'broken-link', ...at, detail: 'does not follow its predecessor (inserted or reordered)' });
    }
    const { hash, ...rest } = event;
    if (hashEvent(rest) !== hash) {
      return fail({ problem: 'altered', ...at, detail: 'content does not match its hash (altered)' });
    }
    const checkpoint = bySeq.get(event.chainSeq);
    if (checkpoint) {
      if (checkpoint.hash !== hash) {
        return fail({ problem: 'checkpoint-mismatch', ...at, detail: 'differs from the signed checkpoint (rewritten)' });
      }
      if (!verifySignature(checkpointMessage(checkpoint.seq, checkpoint.hash), checkpoint.signature, checkpoint.keyId)) {
        return fail({ problem: 'checkpoint-signature', ...at, detail: 'checkpoint signature is invalid' });
      }
    }
    count++;
    prevHash = hash;
    head = { seq: event.chainSeq, hash };
    expected++;
  }

  const beyond = checkpoints.filter((c) => c.seq >= expected).sort((a, b) => (a.seq < b.seq ? -1 : 1))[0];
  if (beyond) {
    return fail({
      problem: 'truncated',
      seq: beyond.seq,
      position: beyond.seq,
      id: null,
      detail: `a signed checkpoint names chain position ${beyond.seq}, but the chain ends at ${expected - 1n} (events deleted from the end)`,
    });
  }
  if (summary.oldest && ageMs > maxLagMs) {
    return fail({
      problem: 'unsealed-too-long',
      seq: summary.oldest.seq,
      position: null,
      id: summary.oldest.id,
      detail: `${summary.count} events are not sealed into the chain, the oldest for ${Math.round(ageMs / 1000)} s (allowed ${Math.round(maxLagMs / 1000)} s): is the sealer running?`,
    });
  }
  return { ok: true, events: count, checkpoints: checkpoints.length, head, fault: null, unsealed };
}
