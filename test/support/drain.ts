// Before a test asserts that something did not happen, every job that could
// have made it happen has run: nothing queued is due, nothing is running. A
// fixed sleep instead passes whenever the worker is merely slow.
import type { Loupe } from '../../src/main.js';
import { until } from './until.js';

/** Resolves once the queue holds no due or running job and the worker's slots are idle. */
export async function drained(loupe: Loupe, ms = 20_000): Promise<void> {
  const { prisma } = loupe.services.storage.db;
  await until(
    'the queue drained',
    async () => {
      const now = loupe.services.clock.now();
      // One statement, so a job handing over to the one it queued is never missed between two counts.
      const busy = await prisma.job.count({ where: { OR: [{ status: 'running' }, { status: 'queued', runAt: { lte: now } }] } });
      return busy === 0 && loupe.worker.active === 0;
    },
    ms,
  );
}
