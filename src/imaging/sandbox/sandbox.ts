// Untrusted files are decoded, de-identified and rendered in child processes,
// never on the server's event loop: each task has a time budget and a memory
// budget, and a child that exceeds either is killed (SIGKILL) and the task
// fails with a typed error. A child process rather than a worker thread,
// because its whole memory (Buffers and WebAssembly included, which a
// worker's resourceLimits do not count) is visible as its resident set, and
// because killing it also stops native code. Built in main.ts or by the CLI
// and closed on shutdown.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { TaskInput, TaskName, TaskOutput } from './tasks.js';

export interface SandboxBudget {
  timeMs: number;
  /** The child's resident set size, in bytes. */
  memoryBytes: number;
}

export interface SandboxOptions {
  /** Children kept at most (tasks beyond wait their turn). */
  processes: number;
  /** The budget for a task given its input's size in bytes. */
  budget: (inputBytes: number) => SandboxBudget;
  /** How often a busy child's memory is read. */
  pollMs: number;
  /** How long the parent counts on an idle child still holding the file it was last sent (see runHeld); less than the child keeps it. */
  holdMs?: number;
  /**
   * A child idle this long is stopped (its memory, 80 to 130 MB after an
   * image, goes back to the system); the next task starts another. Longer
   * than `holdMs`, so a viewer's held file is not thrown away early.
   */
  idleMs?: number;
}

const MiB = 1024 * 1024;

/**
 * A minute plus a quarter second per MB; 1 GiB plus four times the input
 * (the original, the cleaned copy and a decoded frame or two). A constant for
 * now: the limits belong with the configuration once it has a place for them.
 */
export function defaultBudget(inputBytes: number): SandboxBudget {
  return { timeMs: 60_000 + Math.ceil(inputBytes / 1e6) * 250, memoryBytes: 1024 * MiB + 4 * inputBytes };
}

export const DEFAULT_SANDBOX: SandboxOptions = { processes: 1, budget: defaultBudget, pollMs: 20, idleMs: 60_000 };

/**
 * The viewer's: two children, so one slow image does not hold up every other
 * viewer; a frame gets 20 s plus a quarter second per MB of its file (a
 * reader waits for it), the same memory as an upload.
 */
export const VIEWER_SANDBOX: SandboxOptions = {
  processes: 2,
  budget: (inputBytes) => ({ ...defaultBudget(inputBytes), timeMs: 20_000 + Math.ceil(inputBytes / 1e6) * 250 }),
  pollMs: 20,
  idleMs: 60_000,
};

interface Job {
  id: number;
  task: TaskName;
  input: unknown;
  /** For runHeld: the file's key, and the input with or without the file. */
  held?: { key: string; build: (childHoldsIt: boolean) => unknown };
  budget: SandboxBudget;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Running {
  job: Job;
  timer: NodeJS.Timeout;
  poll: NodeJS.Timeout;
  /** Why the sandbox killed the child, when it did. */
  killed?: string;
  peakRss: number;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; code: ErrorCode; message: string; foreign?: string };

/** The cause of a typed error that the imaging code did not raise itself: a library's error, by class only. */
export class ForeignImagingError extends Error {
  override readonly name = 'ForeignImagingError';
}

const PAGE_SIZE = 4096;

/** The resident set of a process, from /proc (Linux); undefined elsewhere or once it is gone. */
function residentBytes(pid: number): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]);
    return Number.isFinite(pages) ? pages * PAGE_SIZE : undefined;
  } catch {
    return undefined;
  }
}

/** The highest resident set a process has had (VmHWM), from /proc (Linux). */
function peakResidentBytes(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * The child's entry point: compiled JavaScript, or TypeScript through tsx when
 * run from source. The test suite compiles Loupe before it runs and names the
 * compiled child in LOUPE_SANDBOX_CHILD: it is the child production runs, and
 * tsx would add a second to every child's start.
 */
function childEntry(): { path: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.ts')) return { path: self.replace(/sandbox\.js$/, 'child.js'), execArgv: [] };
  const compiled = process.env.LOUPE_SANDBOX_CHILD;
  return compiled ? { path: compiled, execArgv: [] } : { path: self.replace(/sandbox\.ts$/, 'child.ts'), execArgv: ['--import', 'tsx'] };
}

export class ImagingSandbox {
  private readonly idle: ChildProcess[] = [];
  /** Children still loading their code. */
  private readonly starting = new Set<ChildProcess>();
  private readonly running = new Map<ChildProcess, Running>();
  private readonly waiting: Job[] = [];
  /** The file each child was last sent by runHeld, and when (performance.now()). */
  private readonly holding = new Map<ChildProcess, { key: string; at: number }>();
  private children = 0;
  /** Which rest an idle child is in: a timer from an earlier rest must not stop it. */
  private readonly restedAs = new Map<ChildProcess, number>();
  private rests = 0;
  private nextId = 1;
  private closed = false;
  /** Why the last child was stopped, and its peak resident set (for the fuzz report and the benchmark). */
  lastKill: { reason: string; peakRss: number } | undefined;

  /** Child processes alive now (starting, idle or busy). */
  get processes(): number {
    return this.children;
  }

  constructor(private readonly o: SandboxOptions = DEFAULT_SANDBOX) {}

  run<N extends TaskName>(task: N, input: TaskInput<N>, inputBytes: number): Promise<TaskOutput<N>> {
    if (this.closed) return Promise.reject(new LoupeError(ErrorCode.ImageBudgetExceeded, 'the imaging sandbox is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, task, input, budget: this.o.budget(inputBytes), resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  /**
   * A task about a file a child may already hold (the viewer's frames of one
   * image): it goes to the idle child holding `key` when there is one, and
   * `build(true)` leaves the file out of the input; else `build(false)` sends it.
   */
  runHeld<N extends TaskName>(task: N, key: string, inputBytes: number, build: (childHoldsIt: boolean) => TaskInput<N>): Promise<TaskOutput<N>> {
    if (this.closed) return Promise.reject(new LoupeError(ErrorCode.ImageBudgetExceeded, 'the imaging sandbox is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, task, input: undefined, held: { key, build }, budget: this.o.budget(inputBytes), resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Kills every child; tasks still running or waiting fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new LoupeError(ErrorCode.ImageBudgetExceeded, 'the imaging sandbox is closed'));
    const all = [...this.idle, ...this.starting, ...this.running.keys()];
    await Promise.all(
      all.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.ref(); // an idle child is unreferenced: waiting for its exit must keep the process up
            child.kill('SIGKILL');
          }),
      ),
    );
  }

  private dispatch(): void {
    if (this.closed) return;
    while (this.waiting.length && this.idle.length) {
      const job = this.waiting.shift()!;
      this.start(this.takeIdle(job.held?.key), job);
    }
    // A new child takes work once it has loaded its code: starting up (seconds on a busy machine) is not the task's time.
    while (this.starting.size < this.waiting.length && this.children < this.o.processes) this.spawn();
  }

  /** The idle child for a job: the one holding its file, else one holding nothing, else the longest idle. */
  private takeIdle(key: string | undefined): ChildProcess {
    const holds = (c: ChildProcess) => this.holdingOf(c)?.key;
    let at = key === undefined ? -1 : this.idle.findIndex((c) => holds(c) === key);
    if (at < 0) at = this.idle.findIndex((c) => holds(c) === undefined);
    if (at < 0) at = 0;
    return this.idle.splice(at, 1)[0]!;
  }

  private holdingOf(child: ChildProcess): { key: string; at: number } | undefined {
    const h = this.holding.get(child);
    return h && performance.now() - h.at < (this.o.holdMs ?? 50_000) ? h : undefined;
  }

  private ready(child: ChildProcess): void {
    this.starting.delete(child);
    if (this.closed) {
      child.kill('SIGKILL');
      return;
    }
    this.rest(child);
    this.dispatch();
  }

  /** An idle child must not keep the process alive, and is stopped once it has been idle for `idleMs`. */
  private rest(child: ChildProcess): void {
    child.unref();
    child.channel?.unref();
    this.idle.push(child);
    const idleMs = this.o.idleMs;
    if (idleMs === undefined) return;
    const rested = ++this.rests;
    this.restedAs.set(child, rested);
    setTimeout(() => {
      const at = this.idle.indexOf(child);
      if (at < 0 || this.restedAs.get(child) !== rested) return;
      this.idle.splice(at, 1);
      child.kill('SIGKILL');
    }, idleMs).unref();
  }

  private spawn(): void {
    const entry = childEntry();
    const heapMb = Math.ceil(this.o.budget(0).memoryBytes / MiB);
    // No environment: the child needs no configuration, and must not hold the server's secrets.
    const child = fork(entry.path, [], {
      execArgv: [...entry.execArgv, `--max-old-space-size=${heapMb}`],
      env: {},
      serialization: 'advanced',
      // Library messages may quote header values: nothing of the child's output is kept.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    this.children++;
    this.starting.add(child);
    child.on('message', (reply: Reply | { ready: true }) => ('ready' in reply ? this.ready(child) : this.settle(child, reply)));
    child.on('error', () => child.kill('SIGKILL'));
    child.on('exit', () => this.exited(child));
  }

  private start(child: ChildProcess, job: Job): void {
    child.ref();
    child.channel?.ref();
    const kill = (reason: string) => {
      const r = this.running.get(child);
      if (!r || r.killed) return;
      r.killed = reason;
      r.peakRss = Math.max(r.peakRss, (child.pid !== undefined && peakResidentBytes(child.pid)) || 0);
      child.kill('SIGKILL');
    };
    const running: Running = {
      job,
      peakRss: 0,
      timer: setTimeout(() => kill(`time budget of ${job.budget.timeMs} ms`), job.budget.timeMs),
      poll: setInterval(() => {
        const rss = child.pid === undefined ? undefined : residentBytes(child.pid);
        if (rss === undefined) return;
        running.peakRss = Math.max(running.peakRss, rss);
        if (rss > job.budget.memoryBytes) kill(`memory budget of ${Math.round(job.budget.memoryBytes / MiB)} MiB`);
      }, this.o.pollMs),
    };
    this.running.set(child, running);
    let input = job.input;
    if (job.held) {
      input = job.held.build(this.holdingOf(child)?.key === job.held.key);
      this.holding.set(child, { key: job.held.key, at: performance.now() });
    }
    child.send({ id: job.id, task: job.task, input });
  }

  private finish(child: ChildProcess): Running | undefined {
    const r = this.running.get(child);
    if (!r) return undefined;
    clearTimeout(r.timer);
    clearInterval(r.poll);
    this.running.delete(child);
    return r;
  }

  private settle(child: ChildProcess, reply: Reply): void {
    const r = this.running.get(child);
    if (!r || r.job.id !== reply.id || r.killed) return;
    this.finish(child);
    this.rest(child);
    if (reply.ok) r.job.resolve(reply.result);
    else {
      // A failed task may have left the child holding nothing.
      this.holding.delete(child);
      r.job.reject(new LoupeError(reply.code, reply.message, reply.foreign ? { cause: new ForeignImagingError(reply.foreign) } : undefined));
    }
    this.dispatch();
  }

  private exited(child: ChildProcess): void {
    this.children--;
    // A child that dies before it is ready will not do better the next time: what waits fails instead of respawning forever.
    if (this.starting.delete(child)) {
      for (const job of this.waiting.splice(0)) job.reject(new LoupeError(ErrorCode.ImageBudgetExceeded, 'the imaging sandbox could not start'));
    }
    const at = this.idle.indexOf(child);
    if (at >= 0) this.idle.splice(at, 1);
    this.holding.delete(child);
    this.restedAs.delete(child);
    const r = this.finish(child);
    if (r) {
      const why = r.killed ?? 'memory (the process ran out of memory or crashed)';
      this.lastKill = { reason: why, peakRss: r.peakRss };
      r.job.reject(new LoupeError(ErrorCode.ImageBudgetExceeded, `processing the file was stopped: it exceeded its ${why}`));
    }
    this.dispatch();
  }
}
