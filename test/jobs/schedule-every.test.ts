// A periodic job (the sweeps) keeps its series whatever one run does: the
// next run is queued before this one works, once per period however often it
// is asked, so a run that fails for good does not end the series.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repeatEvery, scheduleEvery } from '../../src/jobs/schedule-every.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-03-01T10:20:00Z');
const JOB = { type: 'test.periodic', periodMs: HOUR };

describe.each(testEngines())('periodic jobs on %s', (engine) => {
  let s: TestStorage;
  let queue: JobQueue;
  const clock = { now: () => NOW };
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
    queue = new JobQueue({ db: s.db, clock, audit: s.audit });
  });
  afterAll(() => s?.cleanup());

  const queued = () => s.db.prisma.job.findMany({ where: { type: JOB.type }, select: { runAt: true } });

  it('queues the next run at the next multiple of the period, once however many ask', async () => {
    for (let i = 0; i < 3; i++) await scheduleEvery(queue, NOW, JOB);
    expect((await queued()).map((j) => j.runAt.toISOString())).toEqual(['2026-03-01T11:00:00.000Z']);
  });

  it('still has its next run queued when a run fails', async () => {
    const handler = repeatEvery({ queue, clock: { now: () => new Date(NOW.getTime() + HOUR) } }, JOB, async () => {
      throw new Error('the database went away');
    });
    await expect(handler({}, { jobId: 'j', attempt: 1, signal: new AbortController().signal })).rejects.toThrow('the database went away');
    expect((await queued()).map((j) => j.runAt.toISOString()).sort()).toEqual(['2026-03-01T11:00:00.000Z', '2026-03-01T12:00:00.000Z']);
  });
});
