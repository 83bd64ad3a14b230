// Walks the chain in seq order and reports the first event that does not fit.
import { GENESIS_HASH, checkpointMessage, hashEvent } from './chain.js';
import type { AuditCheckpointRecord, AuditRecord } from './event.js';

export type ChainProblem =
  | 'altered'
  | 'missing-before'
  | 'out-of-order'
  | 'broken-link'
  | 'checkpoint-signature'
  | 'checkpoint-mismatch'
  | 'truncated';

export interface ChainFault {
  problem: ChainProblem;
  /** The first bad event (or, for a truncated chain, the checkpoint's seq). */
  seq: bigint;
  id: string | null;
  detail: string;
}

export interface ChainReport {
  ok: boolean;
  events: number;
  checkpoints: number;
  head: { seq: bigint; hash: string } | null;
  fault: ChainFault | null;
}

export async function verifyChain(
  events: AsyncIterable<AuditRecord>,
  checkpoints: AuditCheckpointRecord[],
  verifySignature: (message: string, signature: string, keyId: string) => boolean,
): Promise<ChainReport> {
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let head: ChainReport['head'] = null;
  const fail = (fault: ChainFault): ChainReport => ({
    ok: false,
    events: count,
    checkpoints: checkpoints.length,
    head,
    fault,
  });

  for await (const event of events) {
    if (event.seq !== expectedSeq) {
      const problem = event.seq > expectedSeq ? 'missing-before' : 'out-of-order';
      return fail({
        problem,
        seq: event.seq,
        id: event.id,
        detail:
          problem === 'missing-before'
            ? `events ${expectedSeq}..${event.seq - 1n} are missing (deleted)`
            : `expected seq ${expectedSeq}`,
      });
    }
    if (event.prevHash !== prevHash) {
      return fail({ problem: 'broken-link', seq: event.seq, id: event.id, detail: 'does not follow its predecessor (inserted or reordered)' });
    }
    const { hash, ...rest } = event;
    if (hashEvent(rest) !== hash) {
      return fail({ problem: 'altered', seq: event.seq, id: event.id, detail: 'content does not match its hash (altered)' });
    }
    const checkpoint = bySeq.get(event.seq);
    if (checkpoint) {
      if (checkpoint.hash !== hash) {
        return fail({ problem: 'checkpoint-mismatch', seq: event.seq, id: event.id, detail: 'differs from the signed checkpoint (rewritten)' });
      }
      if (!verifySignature(checkpointMessage(checkpoint.seq, checkpoint.hash), checkpoint.signature, checkpoint.keyId)) {
        return fail({ problem: 'checkpoint-signature', seq: event.seq, id: event.id, detail: 'checkpoint signature is invalid' });
      }
    }
    count++;
    prevHash = hash;
    head = { seq: event.seq, hash };
    expectedSeq++;
  }

  const beyond = checkpoints.filter((c) => c.seq >= expectedSeq).sort((a, b) => (a.seq < b.seq ? -1 : 1))[0];
  if (beyond) {
    return fail({
      problem: 'truncated',
      seq: beyond.seq,
      id: null,
      detail: `a signed checkpoint names event ${beyond.seq}, but the chain ends at ${expectedSeq - 1n} (events deleted from the end)`,
    });
  }
  return { ok: true, events: count, checkpoints: checkpoints.length, head, fault: null };
}
