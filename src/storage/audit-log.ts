// Appends audit events inside the caller's transaction, so an event exists if
// and only if the change it records was committed. A transaction-scoped
// advisory lock makes concurrent writers (several instances on PostgreSQL)
// take turns at the chain head, keeping one gapless chain.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { GENESIS_HASH, checkpointMessage, hashEvent } from '../core/audit/chain.js';
import type { AuditCheckpointRecord, AuditEventInput, AuditOutcome, AuditRecord } from '../core/audit/event.js';
import type { AuditFilter, AuditScope } from '../core/audit/filter.js';
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

/** The most events one page of the trail holds, whatever the caller asks. */
export const AUDIT_PAGE_MAX = 200;

export interface AuditPage {
  events: AuditRecord[];
  /** Pass as `before` for the next (older) page; undefined on the last. */
  nextBefore: bigint | undefined;
}

export interface PageAt {
  /** Only events older than this seq: the previous page's nextBefore. */
  before?: bigint | undefined;
  /** At most AUDIT_PAGE_MAX. */
  limit: number;
}

/** One kind of event: an action, with a given outcome only when set. */
export interface AuditKind {
  action: string;
  outcome?: AuditOutcome;
}

/** The filter and the reader's scope as one SQL condition, so the database does the filtering. */
function whereOf(filter: AuditFilter, scope: AuditScope): Prisma.AuditEventWhereInput {
  const at: Prisma.DateTimeFilter = {};
  if (filter.since) at.gte = filter.since;
  if (filter.until) at.lt = filter.until;
  const where: Prisma.AuditEventWhereInput = {};
  if (filter.since || filter.until) where.at = at;
  if (filter.actorId !== undefined) where.actorId = filter.actorId;
  if (filter.action !== undefined) where.action = filter.action;
  if (filter.outcome !== undefined) where.outcome = filter.outcome;
  if (filter.patientId !== undefined) where.patientId = filter.patientId;
  if (filter.assetId !== undefined) where.assetId = filter.assetId;
  // A workspace outside the scope matches nothing: both conditions hold at once.
  const workspace: Prisma.StringNullableFilter = {};
  if (filter.workspaceId !== undefined) workspace.equals = filter.workspaceId;
  // `in` never matches NULL: events with no workspace stay hidden from a workspace admin.
  if (scope !== 'all') workspace.in = [...scope.workspaceIds];
  if (Object.keys(workspace).length) where.workspaceId = workspace;
  return where;
}

/** One patient's events of some actions in a period (see AuditLog.aboutPatient). */
export interface PatientEventsQuery {
  patientIds: readonly string[];
  /** The patients' assets, for events that name an asset but not its patient. */
  assetIds: readonly string[];
  actions: readonly string[];
  /** Inclusive. */
  since: Date;
  /** Exclusive. */
  until: Date;
}

function patientWhere(q: PatientEventsQuery): Prisma.AuditEventWhereInput {
  const about: Prisma.AuditEventWhereInput[] = [{ patientId: { in: [...q.patientIds] } }];
  if (q.assetIds.length) about.push({ assetId: { in: [...q.assetIds] } });
  return { action: { in: [...q.actions] }, at: { gte: q.since, lt: q.until }, OR: about };
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

  events(batchSize = 1000): AsyncGenerator<AuditRecord> {
    return this.matching({}, 'all', batchSize);
  }

  /** Newest first, one page at a time, keyed on seq (an OFFSET would skip or repeat events as the trail grows). */
  page(filter: AuditFilter, scope: AuditScope, at: PageAt): Promise<AuditPage> {
    return this.pageWhere(whereOf(filter, scope), at);
  }

  /** As page, for events of any of these kinds (an action, and an outcome when given): the alerts, the verifications. */
  pageOfKinds(kinds: readonly AuditKind[], scope: AuditScope, at: PageAt): Promise<AuditPage> {
    const anyOf = kinds.map((k) => (k.outcome ? { action: k.action, outcome: k.outcome } : { action: k.action }));
    return this.pageWhere({ ...whereOf({}, scope), OR: anyOf }, at);
  }

  private async pageWhere(where: Prisma.AuditEventWhereInput, at: PageAt): Promise<AuditPage> {
    const limit = Number.isFinite(at.limit) ? Math.max(1, Math.min(AUDIT_PAGE_MAX, Math.floor(at.limit))) : AUDIT_PAGE_MAX;
    if (at.before !== undefined) where = { ...where, seq: { lt: at.before } };
    // One more than asked says whether an older page exists without a count.
    const rows = await this.options.db.prisma.auditEvent.findMany({ where, orderBy: { seq: 'desc' }, take: limit + 1 });
    const events = rows.slice(0, limit) as AuditRecord[];
    return { events, nextBefore: rows.length > limit ? events.at(-1)?.seq : undefined };
  }

  /** Oldest first, in batches keyed on seq: for exports, which must not hold the whole trail in memory. */
  async *matching(filter: AuditFilter, scope: AuditScope, batchSize = 1000): AsyncGenerator<AuditRecord> {
    const where = whereOf(filter, scope);
    let after = 0n;
    for (;;) {
      const batch = await this.options.db.prisma.auditEvent.findMany({
        where: { ...where, seq: { gt: after } },
        orderBy: { seq: 'asc' },
        take: batchSize,
      });
      for (const row of batch) yield row as AuditRecord;
      const last = batch.at(-1);
      if (!last || batch.length < batchSize) return;
      after = last.seq;
    }
  }

  /**
   * Oldest first, in batches: the events of these actions about one patient in
   * [since, until), whether they name the patient or only one of the patient's
   * assets (a break-glass request names the asset and consult).
   */
  async *aboutPatient(q: PatientEventsQuery, batchSize = 500): AsyncGenerator<AuditRecord> {
    const where = patientWhere(q);
    let after = 0n;
    for (;;) {
      const batch = await this.options.db.prisma.auditEvent.findMany({ where: { ...where, seq: { gt: after } }, orderBy: { seq: 'asc' }, take: batchSize });
      for (const row of batch) yield row as AuditRecord;
      const last = batch.at(-1);
      if (!last || batch.length < batchSize) return;
      after = last.seq;
    }
  }

  /** How many events aboutPatient would give, allowed (success) and not. */
  async countAboutPatient(q: PatientEventsQuery): Promise<{ total: number; allowed: number }> {
    const where = patientWhere(q);
    const [total, allowed] = await Promise.all([
      this.options.db.prisma.auditEvent.count({ where }),
      this.options.db.prisma.auditEvent.count({ where: { ...where, outcome: 'success' } }),
    ]);
    return { total, allowed };
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
