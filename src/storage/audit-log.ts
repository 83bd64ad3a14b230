// Appends audit events inside the caller's transaction, so an event exists if
// and only if the change it records was committed. An append only inserts (its
// seq from a sequence, no lock): the sealer (audit-sealer.ts) links committed
// events into the hash chain shortly after, so concurrent writers never wait
// on each other for the chain head.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { isSealed, type AuditCheckpointRecord, type AuditEventInput, type AuditOutcome, type AuditRecord, type SealedAuditRecord } from '../core/audit/event.js';
import type { AuditFilter, AuditScope } from '../core/audit/filter.js';
import { verifyChain, type ChainReport, type UnsealedSummary } from '../core/audit/verify.js';
import type { KeyRing } from '../crypto/keyring.js';
import { AUDIT_MAX_UNSEALED_MS, AuditSealer } from './audit-sealer.js';
import type { Database } from './database.js';
import type { Tx } from './transaction.js';
import type { Prisma } from './prisma/client.js';

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
  /** A signed checkpoint every this many chain positions. */
  checkpointInterval: number;
  /** Called as the event is written (unsealed), before the caller's transaction commits. */
  onAppend?: (record: AuditRecord) => void;
  /** Verification fails when an event stays unsealed longer (default AUDIT_MAX_UNSEALED_MS). */
  maxUnsealedMs?: number;
}

export class AuditLog {
  /** Links committed events into the chain: start it in a running Loupe (src/main.ts). */
  readonly sealer: AuditSealer;

  constructor(private readonly options: AuditLogOptions) {
    this.sealer = new AuditSealer({
      db: options.db,
      keyRing: options.keyRing,
      clock: options.clock,
      checkpointInterval: options.checkpointInterval,
    });
  }

  /** Appends within `tx`; the event commits or rolls back with the change it records, and is sealed after commit. */
  async append(tx: Tx, input: AuditEventInput): Promise<AuditRecord> {
    const row = await tx.auditEvent.create({
      data: {
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
        details: (input.details ?? {}) as Prisma.InputJsonValue,
      },
    });
    const record = row as AuditRecord;
    this.options.onAppend?.(record);
    this.sealer.nudge();
    return record;
  }

  /** Appends on its own, for events that accompany no other change: one statement, atomic by itself (no BEGIN and COMMIT round trips). */
  record(input: AuditEventInput): Promise<AuditRecord> {
    return this.append(this.options.db.prisma, input);
  }

  /** Seals every committed event now; answers how many it sealed. */
  seal(): Promise<number> {
    return this.sealer.sealAll();
  }

  /** Seals, then signs the current head (if not yet signed): run at shutdown and on a schedule. */
  checkpoint(): Promise<AuditCheckpointRecord | null> {
    return this.sealer.signHead();
  }

  /** Committed events not yet in the chain (for /metrics and verification). */
  unsealed(): Promise<UnsealedSummary> {
    return this.sealer.unsealed();
  }

  /** The sealing lag now, for /metrics: events waiting and how long the oldest has (seconds, 0 when none). */
  async lag(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const { count, oldest } = await this.unsealed();
    const ageMs = oldest ? Math.max(0, this.options.clock.now().getTime() - oldest.at.getTime()) : 0;
    return { count, oldestAgeSeconds: ageMs / 1000 };
  }

  /** The sealed chain in chain order, in batches keyed on chainSeq. */
  async *chain(batchSize = 1000): AsyncGenerator<SealedAuditRecord> {
    let after = 0n;
    for (;;) {
      const batch = await this.options.db.prisma.auditEvent.findMany({ where: { chainSeq: { gt: after } }, orderBy: { chainSeq: 'asc' }, take: batchSize });
      for (const row of batch) {
        const record = row as AuditRecord;
        // chainSeq set without a hash is a tampered row: hand it on so the walk names it.
        yield isSealed(record) ? record : ({ ...record, prevHash: record.prevHash ?? '', hash: record.hash ?? '' } as SealedAuditRecord);
      }
      const last = batch.at(-1);
      if (!last?.chainSeq || batch.length < batchSize) return;
      after = last.chainSeq;
    }
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

  /**
   * Seals what is committed, walks the sealed chain and its checkpoints, and
   * reports events still unsealed (committed meanwhile) apart: they fail the
   * verification only when older than the allowed sealing lag.
   */
  async verify(options: { seal?: boolean } = {}): Promise<ChainReport> {
    // Without sealing first, a check shows whether the running sealer keeps up (what the lag limit is for).
    if (options.seal ?? true) await this.seal();
    const checkpoints = await this.options.db.prisma.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } });
    const ring = this.options.keyRing;
    const verifySignature = (message: string, signature: string, keyId: string) => keyId === ring.auditKeyId && ring.verifyCheckpoint(message, signature);
    const unsealed = { summary: await this.unsealed(), now: this.options.clock.now(), maxLagMs: this.options.maxUnsealedMs ?? AUDIT_MAX_UNSEALED_MS };
    return verifyChain(this.chain(), checkpoints, verifySignature, unsealed);
  }
}
