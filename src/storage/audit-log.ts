// Appends audit events inside the caller's transaction, so an event exists if
// and only if the change it records was committed. A transaction-scoped
// advisory lock makes concurrent writers (several instances on PostgreSQL)
// take turns at the chain head, keeping one gapless chain.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { GENESIS_HASH, checkpointMessage, hashEvent } from '../core/audit/chain.js';
import type { AuditCheckpointRecord, AuditEventInput, AuditRecord } from '../core/audit/event.js';
import { verifyChain, type ChainReport } from '../core/audit/verify.js';
import type { KeyRing } from '../crypto/keyring.js';
import type { Database } from './database.js';
import { transaction, type Tx } from './transaction.js';
import type { Prisma } from './prisma/client.js';

/** Arbitrary constant naming the audit head lock among advisory locks. */
const AUDIT_HEAD_LOCK = 0x4c4f5541;

/** Keyed by schema too, so Loupe installations sharing one database do not wait on each other. */
async function lockHead(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_HEAD_LOCK}::int, hashtext(current_schema()))`;
}

export interface AuditLogOptions {
  db: Database;
  keyRing: KeyRing;
  clock: Clock;
  /** A signed checkpoint every this many events. */
  checkpointInterval: number;
  /** Called as the event is written, before the caller's transaction commits. */
  onAppend?: (record: AuditRecord) => void;
}

export class AuditLog {
  constructor(private readonly options: AuditLogOptions) {}

  /** Appends within `tx`; the event commits or rolls back with the change it records. */
  async append(tx: Tx, input: AuditEventInput): Promise<AuditRecord> {
    await lockHead(tx);
    const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    const unsigned: Omit<AuditRecord, 'hash'> = {
      seq: (last?.seq ?? 0n) + 1n,
      id: randomUUID(),
      at: this.options.clock.now(),
      workspaceId: input.workspaceId ?? null,
      actorType: input.actor.type,
      actorId: input.actor.id,
      action: input.action,
      outcome: input.outcome,
      reason: input.reason ?? null,
      patientId: input.patientId ?? null,
      assetId: input.assetId ?? null,
      consultId: input.consultId ?? null,
      sourceIp: input.sourceIp ?? null,
      requestId: input.requestId ?? null,
      details: input.details ?? {},
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const record: AuditRecord = { ...unsigned, hash: hashEvent(unsigned) };
    await tx.auditEvent.create({ data: { ...record, details: record.details as Prisma.InputJsonValue } });
    if (record.seq % BigInt(this.options.checkpointInterval) === 0n) await this.writeCheckpoint(tx, record);
    this.options.onAppend?.(record);
    return record;
  }

  /** Appends in a transaction of its own, for events that accompany no other change. */
  record(input: AuditEventInput): Promise<AuditRecord> {
    return transaction(this.options.db, (tx) => this.append(tx, input));
  }

  /** Signs the current head (if not yet signed): run at shutdown and on a schedule. */
  async checkpoint(): Promise<AuditCheckpointRecord | null> {
    return transaction(this.options.db, async (tx) => {
      await lockHead(tx);
      const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
      if (!head) return null;
      const existing = await tx.auditCheckpoint.findUnique({ where: { seq: head.seq } });
      return existing ?? this.writeCheckpoint(tx, head);
    });
  }

  async *events(batchSize = 1000): AsyncGenerator<AuditRecord> {
    let after = 0n;
    for (;;) {
      const batch = await this.options.db.prisma.auditEvent.findMany({
        where: { seq: { gt: after } },
        orderBy: { seq: 'asc' },
        take: batchSize,
      });
      for (const row of batch) yield row as AuditRecord;
      const last = batch.at(-1);
      if (!last || batch.length < batchSize) return;
      after = last.seq;
    }
  }

  async verify(): Promise<ChainReport> {
    const checkpoints = await this.options.db.prisma.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } });
    const ring = this.options.keyRing;
    return verifyChain(
      this.events(),
      checkpoints,
      (message, signature, keyId) => keyId === ring.auditKeyId && ring.verifyCheckpoint(message, signature),
    );
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
    await tx.auditCheckpoint.create({ data: checkpoint });
    return checkpoint;
  }
}
