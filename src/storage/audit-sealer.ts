// Links committed audit events into the hash chain, in batches, one sealer at
// a time across instances (a transaction-scoped advisory lock keyed by
// schema). Appends only insert, so writers never wait on each other; the
// chain's order is the sealing order (chainSeq), since an event with a lower
// seq may commit after a higher one was sealed.
//
// How long an event stays unsealed: in a running Loupe, an event appended by
// this instance is sealed about AUDIT_SEAL_INTERVAL_MS after its commit (the
// append nudges the loop), and one committed by another instance (or left by
// one that stopped) within AUDIT_SEAL_IDLE_MS, plus the time to seal any
// backlog (AUDIT_SEAL_BATCH events per transaction). Verification reports
// unsealed events and fails only when one is older than
// AUDIT_MAX_UNSEALED_MS, counted from its `at` (taken at append, before the
// transaction commits, hence room for the 60 s transaction timeout).
import { GENESIS_HASH, checkpointMessage, hashEvent } from '../core/audit/chain.js';
import type { AuditCheckpointRecord, AuditRecord, SealedAuditRecord } from '../core/audit/event.js';
import type { UnsealedSummary } from '../core/audit/verify.js';
import type { Clock } from '../core/clock.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { KeyRing } from '../crypto/keyring.js';
import type { Database } from './database.js';
import { transaction, type Tx } from './transaction.js';

export const AUDIT_SEAL_INTERVAL_MS = 150;
export const AUDIT_SEAL_IDLE_MS = 1_000;
export const AUDIT_SEAL_BATCH = 1_000;
export const AUDIT_MAX_UNSEALED_MS = 120_000;

/** Arbitrary constant naming the audit head lock among advisory locks. */
const AUDIT_HEAD_LOCK = 0x4c4f5541;

/** Keyed by schema too, so Loupe installations sharing one database do not wait on each other. */
async function lockHead(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_HEAD_LOCK}::int, hashtext(current_schema()))`;
}

export interface AuditSealerOptions {
  db: Database;
  keyRing: KeyRing;
  clock: Clock;
  /** A signed checkpoint every this many chain positions. */
  checkpointInterval: number;
  batchSize?: number;
}

export class AuditSealer {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private current: Promise<unknown> | undefined;
  private nudged = false;
  private onError: ((error: unknown) => void) | undefined;

  constructor(private readonly options: AuditSealerOptions) {}

  private get batchSize(): number {
    return this.options.batchSize ?? AUDIT_SEAL_BATCH;
  }

  /** Seals up to one batch of committed unsealed events, oldest seq first; answers how many. */
  sealBatch(): Promise<number> {
    return transaction(this.options.db, async (tx) => {
      await lockHead(tx);
      const pending = (await tx.auditEvent.findMany({ where: { chainSeq: null }, orderBy: { seq: 'asc' }, take: this.batchSize })) as AuditRecord[];
      if (!pending.length) return 0;
      const head = await tx.auditEvent.findFirst({ where: { chainSeq: { not: null } }, orderBy: { chainSeq: 'desc' }, select: { chainSeq: true, hash: true } });
      let position = head?.chainSeq ?? 0n;
      let prevHash = head?.hash ?? GENESIS_HASH;
      const sealed: SealedAuditRecord[] = [];
      for (const event of pending) {
        position++;
        const unsigned = { ...event, chainSeq: position, prevHash };
        const record = { ...unsigned, hash: hashEvent(unsigned) };
        sealed.push(record);
        prevHash = record.hash;
      }
      // One statement for the batch: a round trip per event would cap the sealer near the old append rate.
      const rows = JSON.stringify(sealed.map((e) => ({ s: e.seq.toString(), c: e.chainSeq.toString(), p: e.prevHash, h: e.hash })));
      const updated = await tx.$executeRaw`
        UPDATE "AuditEvent" AS e SET "chainSeq" = v.c, "prevHash" = v.p, "hash" = v.h
        FROM json_to_recordset(${rows}::json) AS v(s bigint, c bigint, p text, h text)
        WHERE e."seq" = v.s AND e."chainSeq" IS NULL`;
      if (updated !== sealed.length) throw new LoupeError(ErrorCode.AuditChainBroken, 'audit events changed while being sealed');
      const interval = BigInt(this.options.checkpointInterval);
      for (const e of sealed) if (e.chainSeq % interval === 0n) await this.writeCheckpoint(tx, { seq: e.chainSeq, hash: e.hash });
      return sealed.length;
    });
  }

  /** Seals until nothing committed is left unsealed: before a verification, an export, a checkpoint. */
  async sealAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.sealBatch();
      total += n;
      if (n < this.batchSize) return total;
    }
  }

  /** Seals, then signs the chain head (if not yet signed): at shutdown and on a schedule. */
  async signHead(): Promise<AuditCheckpointRecord | null> {
    await this.sealAll();
    return transaction(this.options.db, async (tx) => {
      await lockHead(tx);
      const head = await tx.auditEvent.findFirst({ where: { chainSeq: { not: null } }, orderBy: { chainSeq: 'desc' }, select: { chainSeq: true, hash: true } });
      if (!head?.chainSeq || !head.hash) return null;
      const existing = await tx.auditCheckpoint.findUnique({ where: { seq: head.chainSeq } });
      return existing ?? this.writeCheckpoint(tx, { seq: head.chainSeq, hash: head.hash });
    });
  }

  /** How many committed events wait for sealing, and the oldest of them. */
  async unsealed(): Promise<UnsealedSummary> {
    const events = this.options.db.prisma.auditEvent;
    const [count, oldest] = await Promise.all([
      events.count({ where: { chainSeq: null } }),
      events.findFirst({ where: { chainSeq: null }, orderBy: { at: 'asc' }, select: { seq: true, id: true, at: true } }),
    ]);
    return { count, oldest };
  }

  /** Starts sealing in the background until stop(); `onError` hears a failed seal (the loop keeps going). */
  start(onError?: (error: unknown) => void): void {
    if (this.running) return;
    this.running = true;
    this.onError = onError;
    this.schedule(0);
  }

  /** Waits for a seal under way; events left unsealed are sealed by the next start (or another instance). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  /** An event was appended: seal soon after its transaction has committed. */
  nudge(): void {
    if (!this.running) return;
    if (this.current) {
      this.nudged = true;
      return;
    }
    if (this.timer && this.dueAt <= Date.now() + AUDIT_SEAL_INTERVAL_MS) return;
    this.schedule(AUDIT_SEAL_INTERVAL_MS);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (!this.running) return;
    this.nudged = false;
    const run = this.sealBatch().catch((error: unknown) => {
      this.onError?.(error);
      return 0;
    });
    this.current = run;
    const sealed = await run;
    this.current = undefined;
    if (!this.running) return;
    // A full batch means a backlog: go on at once. Otherwise poll slowly for other instances' events.
    const busy = sealed > 0 || this.nudged;
    this.schedule(sealed >= this.batchSize ? 0 : busy ? AUDIT_SEAL_INTERVAL_MS : AUDIT_SEAL_IDLE_MS);
  }

  private async writeCheckpoint(tx: Tx, head: { seq: bigint; hash: string }): Promise<AuditCheckpointRecord> {
    const ring = this.options.keyRing;
    const checkpoint: AuditCheckpointRecord = {
      seq: head.seq,
      hash: head.hash,
      signature: ring.signCheckpoint(checkpointMessage(head.seq, head.hash)),
      keyId: ring.auditKeyId,
      at: this.options.clock.now(),
    };
    // A position signed before (an event's seal rolled back by hand and redone) keeps its first signature.
    await tx.auditCheckpoint.createMany({ data: [checkpoint], skipDuplicates: true });
    return checkpoint;
  }
}
