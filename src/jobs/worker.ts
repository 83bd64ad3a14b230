// Runs jobs off the request path. Each slot claims a job, keeps its lease
// alive while the handler runs, and records the outcome. Stopping finishes
// what it can within the timeout and gives the rest back to the queue.
// Idle slots of a lane poll one at a time: the others wait to be woken, by a
// job enqueued in this process or by the sibling that last claimed one (so a
// batch found by a poll, jobs another instance enqueued, is taken in parallel).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.js';
import { ErrorCode, LoupeError, describeError } from '../core/errors.js';
import type { Logger } from '../logging.js';
import { deadLetterJob, type ClaimedJob, type FollowedUp, type JobQueue, type JobTypes } from '../storage/job-queue.js';

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
  /** Slots for every job type not in a lane of its own. */
  concurrency: number;
  /**
   * Job types with slots of their own: work bound by something scarce (the
   * imaging sandbox's children) waits in its lane, and never holds up the
   * quick jobs behind it (securing uploads, posting cards, removing originals).
   */
  lanes?: readonly { types: readonly string[]; concurrency: number }[];
  leaseMs: number;
  pollMs: number;
  logger: Logger;
  owner?: string;
  onOutcome?: (type: string, outcome: 'done' | 'retry' | 'dead' | 'lost' | 'released') => void;
}

/**
 * After a wake that found nothing (its job's transaction not yet committed), how soon a slot looks again: 20 ms,
 * then twice as long each time, for up to half a second (a few claims per wake, not one every 20 ms when commits are slow).
 */
const WAKE_RETRY_MS = 20;
const WAKE_WINDOW_MS = 500;

/** An idle slot, waiting for its poll or for a job of its lane. */
interface Idle {
  types: JobTypes;
  /** `job`: one was enqueued here (its transaction may not have committed yet); `sibling`: another slot found one. */
  wake: (why: Woken) => void;
}

type Woken = 'job' | 'sibling';

const takes = (types: JobTypes, type: string) => ('only' in types ? types.only.includes(type) : !types.except.includes(type));

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
  private readonly idle = new Set<Idle>();
  /** Lanes with an idle slot resting on the poll's timer (a lane's slots share one JobTypes object). */
  private readonly polling = new Set<JobTypes>();
  /** Types enqueued while no slot of theirs was idle: the next slot of their lane to rest looks again first. */
  private readonly missed = new Set<string>();
  private unlisten: (() => void) | undefined;

  /** Types whose dead letters a handler follows up (see deadLetterJob). */
  private readonly followUps: FollowedUp;

  constructor(private readonly o: WorkerOptions) {
    this.owner = o.owner ?? `worker-${randomUUID()}`;
    this.followUps = new Set(Object.keys(o.handlers).filter((type) => o.handlers[deadLetterJob(type)]));
  }

  start(): void {
    // A lease per slot: were they one owner, a slot could renew or complete a job another slot has since taken over.
    const lanes = this.o.lanes ?? [];
    const rest: JobTypes = { except: lanes.flatMap((l) => l.types) };
    this.unlisten = this.o.queue.listen((type) => this.wakeFor(type));
    let slot = 0;
    for (let i = 0; i < this.o.concurrency; i++) this.slots.push(this.loop(`${this.owner}/${slot++}`, rest));
    for (const lane of lanes) {
      const types: JobTypes = { only: lane.types };
      for (let i = 0; i < lane.concurrency; i++) this.slots.push(this.loop(`${this.owner}/${slot++}`, types));
    }
  }

  /** Number of jobs in hand right now. */
  get active(): number {
    return this.running.size;
  }

  async stop(timeoutMs: number): Promise<void> {
    this.stopping.abort();
    this.unlisten?.();
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

  /** Wakes one idle slot whose lane takes this type (or, all busy, the next that would rest). */
  private wakeFor(type: string): void {
    for (const slot of this.idle) {
      if (!takes(slot.types, type)) continue;
      this.idle.delete(slot);
      slot.wake('job');
      return;
    }
    this.missed.add(type);
  }

  /** Wakes one idle slot of the lane, if any: another job may be waiting. */
  private wakeSibling(types: JobTypes): void {
    for (const slot of this.idle) {
      if (slot.types !== types) continue;
      this.idle.delete(slot);
      slot.wake('sibling');
      return;
    }
  }

  /**
   * Sleeps `ms`, or less when woken meanwhile; says why it was woken, or
   * null. A full poll's rest is timed only for the lane's one poller: its
   * other idle slots rest until woken.
   */
  private rest(types: JobTypes, ms: number, signal: AbortSignal): Promise<Woken | null> {
    const missed = [...this.missed].filter((type) => takes(types, type));
    if (missed.length) {
      for (const type of missed) this.missed.delete(type);
      return Promise.resolve('job');
    }
    const polls = ms >= this.o.pollMs && !this.polling.has(types);
    const timed = polls || ms < this.o.pollMs;
    if (polls) this.polling.add(types);
    return new Promise((resolve) => {
      const slot: Idle = { types, wake: (why) => done(why) };
      const timer = timed ? setTimeout(() => done(null), ms) : undefined;
      const onAbort = () => done(null);
      const done = (woken: Woken | null) => {
        clearTimeout(timer);
        if (polls) this.polling.delete(types);
        signal.removeEventListener('abort', onAbort);
        this.idle.delete(slot);
        resolve(woken);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.idle.add(slot);
    });
  }

  private async loop(owner: string, types: JobTypes): Promise<void> {
    const signal = this.stopping.signal;
    let wokenAt = Number.NEGATIVE_INFINITY;
    let retry = WAKE_RETRY_MS;
    while (!signal.aborted) {
      let job: ClaimedJob | null = null;
      try {
        job = await this.o.queue.claim(owner, this.o.leaseMs, this.followUps, types);
      } catch (error) {
        this.o.logger.error({ err: describeError(error) }, 'job claim failed');
      }
      if (!job) {
        // Woken for a job whose transaction has not committed yet: look again soon rather than at the next poll.
        const soon = performance.now() - wokenAt < WAKE_WINDOW_MS;
        const ms = soon ? Math.min(retry, this.o.pollMs) : this.o.pollMs;
        retry *= 2;
        if ((await this.rest(types, ms, signal)) === 'job') {
          wokenAt = performance.now();
          retry = WAKE_RETRY_MS;
        }
        continue;
      }
      // The poller may have found one of several: a sibling looks for the next (and polls while this one runs).
      this.wakeSibling(types);
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
