// Upload-to-card latency: a clinician drops a 4 MB phone photo into a consult
// channel of the local Slack stand-in; the clock runs until Loupe's card for
// it is posted in the thread (signed event, download, clean-up, encryption,
// database, chat.postMessage). 1, 10 and 50 uploads at once, on the embedded
// database and on PostgreSQL, with the default two workers.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyRing } from '../src/crypto/keyring.js';
import { openDatabase } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { benchMigrations, figure, mb, now, percentile, withPostgresSchema } from './lib.js';
import { makePhoto } from './photos.js';
import { startBenchLoupe } from './slack-loupe.js';

const CHANNEL = 'C0WOUNDS01';
const UPLOADERS = ['U0CLIN0001', 'U0CLIN0002', 'U0NURSE001'];

async function run(label: string, photo: Buffer, env: NodeJS.ProcessEnv): Promise<void> {
  const bench = await startBenchLoupe(env, CHANNEL);
  const { slack, config } = bench;
  try {
    console.log(`${label}: ${config.worker.concurrency} workers`);
    for (const concurrent of [1, 10, 50]) {
      // One upload at a time is measured 10 times; the bursts once each.
      const rounds = concurrent === 1 ? 10 : 1;
      const latencies: number[] = [];
      const started = now();
      for (let r = 0; r < rounds; r++) {
        const uploads = await Promise.all(
          Array.from({ length: concurrent }, async (_, i) => {
            // Date.now(): the stand-in stamps its calls with the same clock.
            const t0 = Date.now();
            const u = await slack.uploadFile({ user: UPLOADERS[i % UPLOADERS.length]!, channel: CHANNEL, name: `bench-${i}.jpg`, bytes: photo });
            return { ts: u.ts, t0 };
          }),
        );
        const pending = new Map(uploads.map((u) => [u.ts, u.t0]));
        while (pending.size) {
          for (const call of slack.calls) {
            const thread = call.method === 'chat.postMessage' ? String(call.params['thread_ts'] ?? '') : '';
            const t0 = pending.get(thread);
            if (t0 === undefined) continue;
            latencies.push(call.at - t0);
            pending.delete(thread);
          }
          if (pending.size) await sleep(10);
        }
      }
      const sorted = latencies.sort((a, b) => a - b);
      const wall = (now() - started) / 1000;
      figure(`${concurrent} at once: p50 / p95`, `${(percentile(sorted, 50) / 1000).toFixed(2)} s / ${(percentile(sorted, 95) / 1000).toFixed(2)} s (${sorted.length} uploads, ${(sorted.length / wall).toFixed(2)} uploads/s)`);
    }
  } finally {
    await bench.stop();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-slack-'));
try {
  const path = join(dir, 'phone.jpg');
  await makePhoto(path, 94); // about 4 MB, as a phone writes a 12 MP photo
  const photo = await readFile(path);
  console.log(`photo: 4000x3000 JPEG, ${mb(photo.length)}`);
  await run('embedded PGlite', photo, { LOUPE_DATA_DIR: join(dir, 'embedded') });
  await withPostgresSchema(async (url, shown) => {
    const db = await openDatabase({ url });
    await migrate(db, await benchMigrations());
    await db.close();
    const keys = JSON.stringify(KeyRing.generateFile(new Date()));
    await run(`PostgreSQL (${shown})`, photo, { LOUPE_DATA_DIR: join(dir, 'pg'), DATABASE_URL: url, LOUPE_KEYS: keys });
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}
