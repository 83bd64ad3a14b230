import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/keyring.js';
import { deadLetterJob, JobQueue } from '../../src/storage/job-queue.js';
import { Worker, type JobHandler } from '../../src/jobs/worker.js';
import { createLogger } from '../../src/logging.js';
import { AuditLog } from '../../src/storage/audit-log.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEngines } from '../support/engines.js';
import { retryDelayMs } from '../../src/jobs/backoff.js';

const keyJson = JSON.stringify(KeyRing.generateFile(new Date()));
const silent = createLogger('silent');

function queueFor(db: Database, now = () => new Date()) {
  const clock = { now };
  const audit = new AuditLog({ db, keyRing: KeyRing.parse(keyJson), clock, checkpointInterval: 100 });
  return { queue: new JobQueue({ db, clock, audit, random: () => 0.5 }), audit, clock };
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('retry backoff', () => {
  it('doubles per attempt within ±20 % and is capped', () => {
    expect(retryDelayMs(1, 0.5)).toBe(5000);
    expect(retryDelayMs(3, 0.5)).toBe(20000);
    expect(retryDelayMs(3, 0)).toBe(16000);
    expect(retryDelayMs(3, 1)).toBe(24000);
    expect(retryDelayMs(40, 0.5)).toBe(3_600_000);
  });
});

describe.each(testEngines())('job queue on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(async () => t.drop());

  it('enqueues once per dedupe key', async () => {
    const { queue } = queueFor(t.db);
    const a = await queue.enqueue({ type: 'x', dedupeKey: 'slack:F1', payload: { fileId: 'F1' } });
    const b = await queue.enqueue({ type: 'x', dedupeKey: 'slack:F1', payload: { fileId: 'F1' } });
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    await t.db.prisma.job.deleteMany();
  });

  it('retries a failing job with backoff, then dead-letters it with its error and an audit event', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const { queue } = queueFor(t.db, () => now);
    const { id } = await queue.enqueue({ type: 'flaky', maxAttempts: 2 });
    const first = await queue.claim('w1', 10_000);
    expect(first).toMatchObject({ id, attempt: 1 });
    expect(await queue.fail(id, 'w1', new Error('boom'))).toBe('retry');
    const retried = await t.db.prisma.job.findUniqueOrThrow({ where: { id } });
    expect(retried.status).toBe('queued');
    expect(retried.runAt.getTime() - now.getTime()).toBe(5000);
    expect(retried.lastError).toBe('LOUPE_UNEXPECTED: unexpected Error');
    expect(await queue.claim('w1', 10_000)).toBeNull(); // not yet due
    now = new Date(now.getTime() + 5000);
    expect(await queue.claim('w1', 10_000)).toMatchObject({ id, attempt: 2 });
    expect(await queue.fail(id, 'w1', new Error('boom'))).toBe('dead');
    const dead = await t.db.prisma.job.findUniqueOrThrow({ where: { id } });
    expect(dead.status).toBe('dead');
    expect(dead.lastError).toContain('LOUPE_UNEXPECTED');
    const event = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'job.dead' }, orderBy: { seq: 'desc' } });
    expect(event.details).toMatchObject({ jobId: id, type: 'flaky' });
    await t.db.prisma.job.deleteMany();
  });

  it('follows a dead letter with its registered follow-up job (same payload, same transaction), whether it failed or kept killing its worker', async () => {
    let now = new Date('2026-03-01T00:00:00Z');
    const { queue } = queueFor(t.db, () => now);
    const followed = new Set(['told']);
    const failing = await queue.enqueue({ type: 'told', maxAttempts: 1, payload: { assetId: 'A1' } });
    await queue.claim('w1', 10_000, followed);
    expect(await queue.fail(failing.id, 'w1', new Error('boom'), followed)).toBe('dead');
    const told = await queue.claim('w1', 10_000, followed);
    expect(told).toMatchObject({ type: deadLetterJob('told'), payload: { assetId: 'A1' } });
    await queue.complete(told!.id, 'w1');
    // A job whose worker died with it every time: its last lease ran out.
    const killer = await queue.enqueue({ type: 'told', maxAttempts: 1, payload: { assetId: 'A2' } });
    expect(await queue.claim('w1', 1000, followed)).toMatchObject({ id: killer.id });
    now = new Date(now.getTime() + 10_001);
    expect(await queue.claim('w2', 1000, followed)).toMatchObject({ type: deadLetterJob('told'), payload: { assetId: 'A2' } });
    expect((await t.db.prisma.job.findUniqueOrThrow({ where: { id: killer.id } })).status).toBe('dead');
    // A type nobody follows up dead-letters alone.
    const alone = await queue.enqueue({ type: 'untold', maxAttempts: 1 });
    await queue.claim('w1', 10_000, followed);
    expect(await queue.fail(alone.id, 'w1', new Error('boom'), followed)).toBe('dead');
    expect(await t.db.prisma.job.count({ where: { type: deadLetterJob('untold') } })).toBe(0);
    await t.db.prisma.job.deleteMany();
  });

  it('takes over a job whose lease ran out, and the old owner can no longer complete it', async () => {
    let now = new Date('2026-02-01T00:00:00Z');
    const { queue } = queueFor(t.db, () => now);
    const { id } = await queue.enqueue({ type: 'slow' });
    await queue.claim('w1', 1000);
    expect(await queue.claim('w2', 1000)).toBeNull();
    now = new Date(now.getTime() + 1001);
    expect(await queue.claim('w2', 1000)).toMatchObject({ id, attempt: 2 });
    expect(await queue.complete(id, 'w1')).toBe(false);
    expect(await queue.complete(id, 'w2')).toBe(true);
    await t.db.prisma.job.deleteMany();
  });

  it('runs handlers in a worker and gives unfinished jobs back at shutdown', async () => {
    const { queue, clock } = queueFor(t.db);
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handlers: Record<string, JobHandler> = {
      quick: async (payload) => {
        seen.push((payload as { n: string }).n);
      },
      stuck: async () => gate,
    };
    const worker = new Worker({ queue, clock, handlers, concurrency: 2, leaseMs: 5000, pollMs: 20, logger: silent });
    await queue.enqueue({ type: 'quick', payload: { n: 'a' } });
    await queue.enqueue({ type: 'quick', payload: { n: 'b' } });
    const stuck = await queue.enqueue({ type: 'stuck' });
    worker.start();
    await until(async () => seen.length === 2 && worker.active === 1);
    await worker.stop(200);
    release();
    const job = await t.db.prisma.job.findUniqueOrThrow({ where: { id: stuck.id } });
    expect(job).toMatchObject({ status: 'queued', leaseOwner: null, attempts: 0 });
    expect(seen.sort()).toEqual(['a', 'b']);
    await t.db.prisma.job.deleteMany();
  });

  it('runs a lane\'s job types only in the lane: a burst of slow imaging jobs never holds up the quick ones', async () => {
    const { queue, clock } = queueFor(t.db);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handlers: Record<string, JobHandler> = {
      clean: async (payload) => {
        order.push(`clean ${(payload as { n: number }).n}`);
        await gate;
      },
      remove: async (payload) => {
        order.push(`remove ${(payload as { n: number }).n}`);
      },
    };
    // Five cleanings queued first, then five removals: one imaging slot, one slot for the rest.
    for (let n = 0; n < 5; n++) await queue.enqueue({ type: 'clean', payload: { n } });
    for (let n = 0; n < 5; n++) await queue.enqueue({ type: 'remove', payload: { n } });
    const worker = new Worker({ queue, clock, handlers, concurrency: 1, lanes: [{ types: ['clean'], concurrency: 1 }], leaseMs: 5000, pollMs: 20, logger: silent });
    worker.start();
    await until(async () => order.filter((o) => o.startsWith('remove')).length === 5);
    // Every removal ran while the first cleaning still held the only imaging slot.
    expect(order.filter((o) => o.startsWith('clean'))).toEqual(['clean 0']);
    expect(order.filter((o) => o.startsWith('remove'))).toEqual(['remove 0', 'remove 1', 'remove 2', 'remove 3', 'remove 4']);
    release();
    await until(async () => order.length === 10);
    await worker.stop(1000);
    await t.db.prisma.job.deleteMany();
  });

  it('polls with one idle slot at a time: an idle worker of four slots asks the database about once per poll, not four times', async () => {
    const { queue, clock } = queueFor(t.db);
    const claims: number[] = [];
    const claim = queue.claim.bind(queue);
    queue.claim = (...args) => {
      claims.push(performance.now());
      return claim(...args);
    };
    const pollMs = 100;
    const worker = new Worker({ queue, clock, handlers: {}, concurrency: 4, leaseMs: 5000, pollMs, logger: silent });
    worker.start();
    // Each slot looks once as it starts; then only the poller looks, once per poll.
    await until(async () => claims.length >= 4 + 10);
    await worker.stop(1000);
    const polls = claims.slice(4, 14);
    // Four slots polling on their own would make these ten claims in about 2.5 polls' time.
    expect(polls.at(-1)! - polls[0]!).toBeGreaterThanOrEqual(8 * pollMs);
  });

  it('runs jobs another instance enqueued side by side: the slot whose poll found one wakes a sibling to look for the next', async () => {
    const { queue, clock } = queueFor(t.db);
    const other = queueFor(t.db).queue;
    let started = 0;
    let allStarted!: () => void;
    const barrier = new Promise<void>((r) => (allStarted = r));
    // Each job waits for the other two: they finish only if all three run at once.
    const handlers: Record<string, JobHandler> = {
      work: async () => {
        if (++started === 3) allStarted();
        await barrier;
      },
    };
    const worker = new Worker({ queue, clock, handlers, concurrency: 3, leaseMs: 5000, pollMs: 200, logger: silent });
    worker.start();
    for (let n = 0; n < 3; n++) await other.enqueue({ type: 'work', payload: { n } });
    await until(async () => (await t.db.prisma.job.count({ where: { status: 'done' } })) === 3, 10_000);
    expect(started).toBe(3);
    await worker.stop(1000);
    await t.db.prisma.job.deleteMany();
  });

  it('takes a job dated at its upload\'s arrival before later uploads\' jobs, and wakes for a job enqueued in this process instead of waiting for its poll', async () => {
    const { queue, clock } = queueFor(t.db);
    const seen: string[] = [];
    const handlers: Record<string, JobHandler> = { work: async (payload) => void seen.push((payload as { n: string }).n) };
    const arrived = new Date(Date.now() - 10_000);
    await queue.enqueue({ type: 'work', payload: { n: 'second upload' } });
    await queue.enqueue({ type: 'work', payload: { n: 'first upload, dated at its arrival' }, runAt: arrived });
    // A poll of a minute: only being woken can run the third job within the test's time.
    const worker = new Worker({ queue, clock, handlers, concurrency: 1, leaseMs: 5000, pollMs: 60_000, logger: silent });
    worker.start();
    await until(async () => seen.length === 2);
    expect(seen).toEqual(['first upload, dated at its arrival', 'second upload']);
    await queue.enqueue({ type: 'work', payload: { n: 'third' } });
    await until(async () => seen.length === 3, 10_000);
    await worker.stop(1000);
    await t.db.prisma.job.deleteMany();
  });

  it('holds a lease per slot: a slot whose job was taken over by its sibling cannot complete it', async () => {
    let now = new Date('2026-02-01T00:00:00Z');
    const { queue, clock } = queueFor(t.db, () => now);
    const gates: (() => void)[] = [];
    const outcomes: string[] = [];
    const worker = new Worker({
      queue,
      clock,
      // Each run waits until the test lets it go.
      handlers: { slow: () => new Promise<void>((r) => gates.push(r)) },
      concurrency: 2,
      // Long enough that no heartbeat runs in this test: only the lease in the database decides.
      leaseMs: 60_000,
      pollMs: 20,
      logger: silent,
      onOutcome: (_type, outcome) => outcomes.push(outcome),
    });
    const { id } = await queue.enqueue({ type: 'slow' });
    worker.start();
    await until(async () => gates.length === 1);
    // The first slot's lease runs out in the database's eyes; the second slot takes the job over.
    now = new Date(now.getTime() + 61_000);
    await until(async () => gates.length === 2);
    gates[0]!();
    await until(async () => outcomes.length === 1);
    expect(outcomes).toEqual(['lost']);
    gates[1]!();
    await until(async () => outcomes.length === 2);
    expect(outcomes).toEqual(['lost', 'done']);
    expect(await t.db.prisma.job.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'done', attempts: 2 });
    await worker.stop(1000);
    await t.db.prisma.job.deleteMany();
  });

  it('keeps the lease of a long job alive, so no other worker takes it over', async () => {
    const { queue, clock } = queueFor(t.db);
    let finished = false;
    const worker = new Worker({
      queue,
      clock,
      handlers: {
        long: async () => {
          await sleep(2500);
          finished = true;
        },
      },
      concurrency: 1,
      leaseMs: 900,
      pollMs: 20,
      logger: silent,
    });
    const { id } = await queue.enqueue({ type: 'long' });
    worker.start();
    await until(async () => worker.active === 1);
    const thief = queueFor(t.db).queue;
    while (!finished) {
      expect(await thief.claim('thief', 900)).toBeNull();
      await sleep(100);
    }
    await until(async () => (await t.db.prisma.job.findUniqueOrThrow({ where: { id } })).status === 'done');
    await worker.stop(1000);
    expect((await t.db.prisma.job.findUniqueOrThrow({ where: { id } })).attempts).toBe(1);
    await t.db.prisma.job.deleteMany();
  });

  it('resumes a job after its worker process is killed mid-job', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-kill-'));
    // PGlite is one process's database: the test hands it over to the child and back.
    const own = engine === 'pglite' ? await createTestDatabase('pglite', { dataDir: join(dir, 'db') }) : undefined;
    const db = own?.db ?? t.db;
    const { queue } = queueFor(db);
    const { id } = await queue.enqueue({ type: 'test.block', payload: { ref: 'kill-test' } });
    if (own) await own.db.close();

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/job-worker.ts'], {
      env: {
        ...process.env,
        LOUPE_KEYS: keyJson,
        LEASE_MS: '1500',
        ...(engine === 'postgres' ? { DATABASE_URL: t.url } : { PGLITE_DIR: join(dir, 'db') }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    });
    expect(started).toBe(`started ${id} attempt 1`);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;

    const after = engine === 'pglite' ? await openDatabase({ dataDir: join(dir, 'db') }) : t.db;
    try {
      const mid = await after.prisma.job.findUniqueOrThrow({ where: { id } });
      expect(mid.status).toBe('running');
      const ran: number[] = [];
      const { queue: resumed, clock } = queueFor(after);
      const worker = new Worker({
        queue: resumed,
        clock,
        handlers: {
          'test.block': async (_p, ctx) => {
            ran.push(ctx.attempt);
          },
        },
        concurrency: 1,
        leaseMs: 1500,
        pollMs: 50,
        logger: silent,
      });
      worker.start();
      await until(async () => (await after.prisma.job.findUniqueOrThrow({ where: { id } })).status === 'done');
      await worker.stop(1000);
      expect(ran).toEqual([2]);
    } finally {
      if (engine === 'pglite') await after.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
