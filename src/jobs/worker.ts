// Runs jobs off the request path. Each slot claims a job, keeps its lease
// alive while the handler runs, and records the outcome. Stopping finishes
// what it can within the timeout and gives the rest back to the queue.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.js';
import { ErrorCode, LoupeError, describeError } from '../core/errors.js';
import type { Logger } from '../logging.js';
import { deadLetterJob, type ClaimedJob, type FollowedUp, type JobQueue } from '../storage/job-queue.js';

export interface JobContext {
  jobId: string;
  attempt: number;
  /** Aborted when the worker stops or loses the lease: stop and leave things consistent. */
  signal: AbortSignal;
}

/** Handlers must be idempotent: a job can run again after a crash. */
export type JobHandler = (payload: unknown, context: JobContext) => Promise<void>;

export interface WorkerOptions {
  queue: JobQueue;
  /** The queue's clock: a lease the queue counts as lapsed is lapsed here too. */
  clock: Clock;
  handlers: Record<string, JobHandler>;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  logger: Logger;
  owner?: string;
  onOutcome?: (type: string, outcome: 'done' | 'retry' | 'dead' | 'lost' | 'released') => void;
}

interface Running {
  job: ClaimedJob;
  /** The slot's lease owner. */
  owner: string;
  controller: AbortController;
  done: Promise<void>;
}

export class Worker {
  /** The worker's name; each slot holds leases as `<owner>/<slot>`. */
  readonly owner: string;
  private stopping = new AbortController();
  private slots: Promise<void>[] = [];
  private readonly running = new Set<Running>();

  /** Types whose dead letters a handler follows up (see deadLetterJob). */
  private readonly followUps: FollowedUp;

  constructor(private readonly o: WorkerOptions) {
    this.owner = o.owner ?? `worker-${randomUUID()}`;
    this.followUps = new Set(Object.keys(o.handlers).filter((type) => o.handlers[deadLetterJob(type)]));
  }

  start(): void {
    // A lease per slot: were they one owner, a slot could renew or complete a job another slot has since taken over.
    for (let i = 0; i < this.o.concurrency; i++) this.slots.push(this.loop(`${this.owner}/${i}`));
  }

  /** Number of jobs in hand right now. */
  get active(): number {
    return this.running.size;
  }

  async stop(timeoutMs: number): Promise<void> {
    this.stopping.abort();
    const all = Promise.all([...this.running].map((r) => r.done));
    // Unref'd: a deadline left pending once the jobs are done must not keep the process alive.
    const finished = await Promise.race([all.then(() => true), sleep(timeoutMs, undefined, { ref: false }).then(() => false)]);
    if (!finished) {
      for (const r of this.running) r.controller.abort(new LoupeError(ErrorCode.JobLeaseLost, 'worker stopping'));
      await Promise.all(
        [...this.running].map(async (r) => {
          await this.o.queue.release(r.job.id, r.owner);
          this.o.onOutcome?.(r.job.type, 'released');
          this.o.logger.info({ jobId: r.job.id, type: r.job.type }, 'job released at shutdown');
        }),
      );
    }
    // A handler that ignores its signal must not hold shutdown hostage.
    await Promise.race([Promise.all(this.slots), sleep(1000, undefined, { ref: false })]);
  }

  private async loop(owner: string): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let job: ClaimedJob | null = null;
      try {
        job = await this.o.queue.claim(owner, this.o.leaseMs, this.followUps);
      } catch (error) {
        this.o.logger.error({ err: describeError(error) }, 'job claim failed');
      }
      if (!job) {
        await sleep(this.o.pollMs, undefined, { signal }).catch(() => {});
        continue;
      }
      if (signal.aborted) {
        // Claimed while stopping began: give it straight back.
        await this.o.queue.release(job.id, owner).catch(() => {});
        this.o.onOutcome?.(job.type, 'released');
        return;
      }
      await this.run(job, owner);
    }
  }

  private async run(job: ClaimedJob, owner: string): Promise<void> {
    const controller = new AbortController();
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const running: Running = { job, owner, controller, done };
    this.running.add(running);
    const now = () => this.o.clock.now().getTime();
    let leaseEnds = now() + this.o.leaseMs;
    const lost = () => controller.abort(new LoupeError(ErrorCode.JobLeaseLost, 'job lease lost'));
    const heartbeat = setInterval(() => {
      // Renewals that keep failing (database down) must not let the handler outlive its lease.
      if (now() >= leaseEnds) return lost();
      const renewing = now() + this.o.leaseMs;
      this.o.queue.extendLease(job.id, owner, this.o.leaseMs).then(
        (held) => {
          if (held) leaseEnds = renewing;
          else lost();
        },
        () => {},
      );
    }, Math.max(250, Math.floor(this.o.leaseMs / 3)));
    const log = this.o.logger.child({ jobId: job.id, type: job.type, attempt: job.attempt });
    try {
      const handler = this.o.handlers[job.type];
      if (!handler) throw new LoupeError(ErrorCode.JobHandlerMissing, `no handler for job type ${job.type}`);
      await handler(job.payload, { jobId: job.id, attempt: job.attempt, signal: controller.signal });
      if (controller.signal.aborted) return; // released or taken over: not ours to complete
      const completed = await this.o.queue.complete(job.id, owner);
      this.o.onOutcome?.(job.type, completed ? 'done' : 'lost');
      log.info(completed ? 'job done' : 'job finished after its lease was lost');
    } catch (error) {
      if (controller.signal.aborted) return;
      const outcome = await this.o.queue.fail(job.id, owner, error, this.followUps).catch(() => 'lost' as const);
      this.o.onOutcome?.(job.type, outcome);
      log.warn({ err: describeError(error), outcome }, 'job failed');
    } finally {
      clearInterval(heartbeat);
      this.running.delete(running);
      resolveDone();
    }
  }
}
