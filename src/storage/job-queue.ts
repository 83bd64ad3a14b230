// Durable jobs in the database: at-least-once delivery through leases. A
// worker that dies leaves its job "running" with a lease that runs out; the
// next claim takes it over. A claim locks the job it picks (SKIP LOCKED) and
// counts the attempt in the same statement, so two workers never run the
// same attempt.
import type { Clock } from '../core/clock.js';
import { AuditAction } from '../core/audit/event.js';
import { ErrorCode, describeError } from '../core/errors.js';
import type { AuditLog } from './audit-log.js';
import type { Database } from './database.js';
import { Prisma, type JobStatus } from './prisma/client.js';
import { transaction, type Tx } from './transaction.js';
import { retryDelayMs } from '../jobs/backoff.js';

export interface NewJob {
  type: string;
  /** Ids and options only: never patient data. */
  payload?: Record<string, unknown>;
  /** Enqueueing the same key twice yields one job. */
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

/**
 * The job that follows a job of `type` into the dead-letter state, with its
 * payload, queued in the same transaction: a job whose failure must be told
 * (an upload nobody could secure) registers a handler under this name.
 */
export const deadLetterJob = (type: string) => `${type}.dead_letter`;

/** The job types whose dead letters are followed up (those with a `deadLetterJob` handler). */
export type FollowedUp = ReadonlySet<string>;

/** Which job types a claim may take: only these, or any but these (a worker's lanes, see Worker). */
export type JobTypes = { only: readonly string[] } | { except: readonly string[] };

export interface ClaimedJob {
  id: string;
  type: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
}

export interface JobQueueOptions {
  db: Database;
  clock: Clock;
  audit: AuditLog;
  random?: () => number;
}

export class JobQueue {
  private readonly listeners = new Set<(type: string) => void>();

  constructor(private readonly o: JobQueueOptions) {}

  /** Told of each job enqueued through this queue (this process's workers wake for it instead of waiting for their next poll). */
  listen(listener: (type: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Enqueues inside `tx` when given, so a job exists only if the change that needs it committed. */
  async enqueue(job: NewJob, tx?: Tx): Promise<{ id: string; created: boolean }> {
    const client = tx ?? this.o.db.prisma;
    const data = {
      type: job.type,
      payload: (job.payload ?? {}) as Prisma.InputJsonValue,
      runAt: job.runAt ?? this.o.clock.now(),
      ...(job.dedupeKey ? { dedupeKey: job.dedupeKey } : {}),
      ...(job.maxAttempts ? { maxAttempts: job.maxAttempts } : {}),
    };
    if (!job.dedupeKey) {
      const created = await client.job.create({ data, select: { id: true } });
      this.announce(job);
      return { id: created.id, created: true };
    }
    const [created] = await client.job.createManyAndReturn({ data: [data], skipDuplicates: true, select: { id: true } });
    if (created) {
      this.announce(job);
      return { id: created.id, created: true };
    }
    const row = await client.job.findUniqueOrThrow({ where: { dedupeKey: job.dedupeKey }, select: { id: true } });
    return { id: row.id, created: false };
  }

  private announce(job: NewJob): void {
    // A job for later wakes nobody; the poll finds it when it is due.
    if (job.runAt && job.runAt.getTime() > this.o.clock.now().getTime()) return;
    for (const listener of this.listeners) listener(job.type);
  }

  /**
   * Takes the next due job (or one whose lease ran out) in one statement: the
   * candidate is locked as it is picked (SKIP LOCKED: concurrent claims take
   * different jobs), so a heartbeat that renewed a lease just now wins.
   */
  async claim(owner: string, leaseMs: number, followUps?: FollowedUp, types?: JobTypes): Promise<ClaimedJob | null> {
    const typeWhere =
      types === undefined ? Prisma.sql`TRUE` : 'only' in types ? Prisma.sql`"type" = ANY(${[...types.only]}::text[])` : Prisma.sql`NOT ("type" = ANY(${[...types.except]}::text[]))`;
    for (let tries = 0; tries < 8; tries++) {
      const now = this.o.clock.now();
      const [job] = await this.o.db.prisma.$queryRaw<{ id: string; type: string; payload: unknown; attempts: number; maxAttempts: number }[]>`
        UPDATE "Job" SET "status" = 'running', "leaseOwner" = ${owner}, "leaseUntil" = ${new Date(now.getTime() + leaseMs)}, "attempts" = "attempts" + 1, "updatedAt" = ${now}
        WHERE "id" = (
          SELECT "id" FROM "Job"
          WHERE ${typeWhere} AND (("status" = 'queued' AND "runAt" <= ${now}) OR ("status" = 'running' AND "leaseUntil" < ${now}))
          ORDER BY "runAt" LIMIT 1
          FOR UPDATE SKIP LOCKED)
        RETURNING "id", "type", "payload", "attempts", "maxAttempts"`;
      if (!job) return null;
      if (job.attempts > job.maxAttempts) {
        // Its leases kept running out: it takes its worker down with it. Stop retrying.
        await this.bury(
          job,
          owner,
          {
            code: ErrorCode.JobLeaseExhausted,
            message: 'the job was abandoned by its worker too many times',
          },
          followUps,
        );
        continue;
      }
      return { id: job.id, type: job.type, payload: job.payload, attempt: job.attempts, maxAttempts: job.maxAttempts };
    }
    return null;
  }

  /** False when the lease was lost (it ran out and another worker took the job). */
  async extendLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const { count } = await this.o.db.prisma.job.updateMany({
      where: { id, leaseOwner: owner, status: 'running' },
      data: { leaseUntil: new Date(this.o.clock.now().getTime() + leaseMs) },
    });
    return count === 1;
  }

  async complete(id: string, owner: string): Promise<boolean> {
    const { count } = await this.o.db.prisma.job.updateMany({
      where: { id, leaseOwner: owner, status: 'running' },
      data: { status: 'done', leaseOwner: null, leaseUntil: null, finishedAt: this.o.clock.now(), lastError: null },
    });
    return count === 1;
  }

  /** Schedules a retry with backoff, or moves the job to the dead-letter state with its error. */
  async fail(id: string, owner: string, error: unknown, followUps?: FollowedUp): Promise<'retry' | 'dead' | 'lost'> {
    const job = await this.o.db.prisma.job.findUnique({ where: { id } });
    if (!job || job.leaseOwner !== owner || job.status !== 'running') return 'lost';
    const described = describeError(error);
    if (job.attempts >= job.maxAttempts) return (await this.bury(job, owner, described, followUps)) ? 'dead' : 'lost';
    const delay = retryDelayMs(job.attempts, (this.o.random ?? Math.random)());
    const { count } = await this.o.db.prisma.job.updateMany({
      where: { id, leaseOwner: owner, status: 'running' },
      data: {
        status: 'queued',
        leaseOwner: null,
        leaseUntil: null,
        runAt: new Date(this.o.clock.now().getTime() + delay),
        lastError: `${described.code}: ${described.message}`,
      },
    });
    return count === 1 ? 'retry' : 'lost';
  }

  /** Gives a job back untouched (shutdown): the attempt does not count. */
  async release(id: string, owner: string): Promise<void> {
    await this.o.db.prisma.job.updateMany({
      where: { id, leaseOwner: owner, status: 'running' },
      data: { status: 'queued', leaseOwner: null, leaseUntil: null, attempts: { decrement: 1 } },
    });
  }

  async counts(): Promise<Record<JobStatus, number>> {
    const groups = await this.o.db.prisma.job.groupBy({ by: ['status'], _count: { _all: true } });
    const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, dead: 0 };
    for (const g of groups) counts[g.status] = g._count._all;
    return counts;
  }

  private async bury(job: { id: string; type: string; payload: unknown }, owner: string, error: { code: string; message: string }, followUps: FollowedUp | undefined): Promise<boolean> {
    const { id, type } = job;
    return transaction(this.o.db, async (tx) => {
      const { count } = await tx.job.updateMany({
        where: { id, leaseOwner: owner, status: 'running' },
        data: {
          status: 'dead',
          leaseOwner: null,
          leaseUntil: null,
          finishedAt: this.o.clock.now(),
          lastError: `${error.code}: ${error.message}`,
        },
      });
      if (count === 0) return false; // the lease moved to another worker meanwhile
      await this.o.audit.append(tx, {
        actor: { type: 'system', id: 'job-queue' },
        action: AuditAction.JobDead,
        outcome: 'failure',
        reason: error.code,
        details: { jobId: id, type },
      });
      if (followUps?.has(type)) {
        const next = deadLetterJob(type);
        await this.enqueue({ type: next, payload: job.payload as Record<string, unknown>, dedupeKey: `${next}:${id}` }, tx);
      }
      return true;
    });
  }
}
