// Work a chat event asks for, done after the platform has its answer: Slack
// retries an event not acknowledged within 3 seconds, and under a burst the
// database may be slower than that. Events are taken in arrival order, a few
// at a time (so a burst of 200 does not hold every database connection, and
// acknowledgements keep theirs). What a crash loses here is found again by
// the platform's reconciliation (Slack's history sweep, on start and every
// few minutes), whose accepting is idempotent like the live event's.
import { describeError } from '../core/errors.js';
import type { Logger } from '../logging.js';

export class AfterAck {
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly o: {
      concurrency: number;
      logger: Logger;
      /** Called when work failed: the platform's reconciliation should look again soon, before later events move its cursor past this one. */
      onFailure?: () => void;
    },
  ) {}

  /** Queues `work`; its failure is logged (the reconciliation retries it). */
  run(work: () => Promise<void>): void {
    this.waiting.push(work);
    this.next();
  }

  /** Work queued or running. */
  get pending(): number {
    return this.waiting.length + this.running;
  }

  /** Resolves once nothing is queued or running, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      const that = this;
      function done() {
        clearTimeout(timer);
        that.idle.delete(done);
        resolve();
      }
      this.idle.add(done);
    });
  }

  private next(): void {
    while (this.running < this.o.concurrency && this.waiting.length) {
      const work = this.waiting.shift()!;
      this.running++;
      work()
        .catch((error: unknown) => {
          this.o.logger.error({ err: describeError(error) }, 'chat event work failed; the reconciliation will find it');
          this.o.onFailure?.();
        })
        .finally(() => {
          this.running--;
          this.next();
          if (this.pending === 0) for (const done of [...this.idle]) done();
        });
    }
  }
}
