// Upload-to-card latency: a clinician drops a 4 MB phone photo into a consult
// channel of the local Slack stand-in; the clock runs until Loupe's card for
// it is posted in the thread (signed event acknowledged, download,
// encryption, database, chat.postMessage; the clean-up follows in its own
// job). 1, 10, 50 and 200 uploads at once, on the embedded database and on
// PostgreSQL, with Loupe's default settings. Each burst also reports how long
// Slack waited for its events to be acknowledged, when each original left the
// chat, and the floor: the same photos downloaded from the stand-in,
// encrypted and written to a folder with nothing else.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createEncryptStream } from '../src/crypto/stream-cipher.js';
import { FolderBlobStore } from '../src/storage/folder-blob-store.js';
import { jobsSettled, measureUploadToCard, now, onBothDatabases } from './lib.js';
import { startBenchLoupe, type BenchLoupe } from './slack-loupe.js';
import { AppJob } from '../src/app/job-names.js';

const CHANNEL = 'C0WOUNDS01';
/** Interception is off here: the floor's photos are not Loupe's to take. */
const FLOOR_CHANNEL = 'C0RADIOL01';
const UPLOADERS = ['U0CLIN0001', 'U0CLIN0002', 'U0NURSE001'];
/** An upload's own jobs: settled when none is due. */
const UPLOAD_JOBS = [AppJob.Ingest, AppJob.Prepare, AppJob.RemoveOriginal, AppJob.UpdateCard];

/** What Loupe's own path does before a card, and nothing else: files.info, the download, encryption, an atomic write. */
async function floor(bench: BenchLoupe, photo: Buffer, concurrent: number): Promise<number[]> {
  const { slack } = bench;
  const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-floor-'));
  const store = new FolderBlobStore(dir);
  const auth = { authorization: 'Bearer xoxb-bench' };
  try {
    const files = await Promise.all(Array.from({ length: concurrent }, (_, i) => slack.uploadFile({ user: UPLOADERS[0]!, channel: FLOOR_CHANNEL, name: `floor-${i}.jpg`, bytes: photo }, { deliver: false })));
    return await Promise.all(
      files.map(async ({ fileId }) => {
        const t0 = now();
        const info = (await (await fetch(`${slack.apiUrl}files.info?file=${fileId}`, { headers: auth })).json()) as { file: { url_private_download: string } };
        const bytes = Buffer.from(await (await fetch(info.file.url_private_download, { headers: auth })).arrayBuffer());
        await store.put(randomBytes(20).toString('hex'), Readable.from([bytes]).pipe(createEncryptStream(randomBytes(32), 'floor')));
        return now() - t0;
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function run(label: string, photo: Buffer, env: NodeJS.ProcessEnv, engine: 'embedded' | 'PostgreSQL'): Promise<void> {
  const bench = await startBenchLoupe(env, CHANNEL);
  const { slack, config, loupe } = bench;
  const threadOfFile = new Map<string, string>();
  try {
    console.log(`${label}: ${config.worker.concurrency} imaging jobs and ${config.worker.chatConcurrency} other jobs at once`);
    await measureUploadToCard(
      {
        upload: async (i) => {
          const posted = await slack.uploadFile({ user: UPLOADERS[i % UPLOADERS.length]!, channel: CHANNEL, name: `bench-${i}.jpg`, bytes: photo });
          threadOfFile.set(posted.fileId, posted.ts);
          return { thread: posted.ts, ackMs: posted.responses.map((r) => r.ms ?? Number.NaN) };
        },
        cards: () => slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => [String(c.params['thread_ts'] ?? ''), c.at] as const),
        removals: () => slack.calls.filter((c) => c.method === 'files.delete').map((c) => [threadOfFile.get(String(c.params['file'])) ?? '', c.at] as const),
        settled: () => jobsSettled(() => loupe.services.storage.db.prisma.job.count({ where: { status: { in: ['queued', 'running'] }, runAt: { lte: new Date() }, type: { in: [...UPLOAD_JOBS] } } })),
        floor: (concurrent) => floor(bench, photo, concurrent),
      },
      { engine, cardP95At50: engine === 'PostgreSQL' ? 1.5 : 2, ackP95At200: 500 },
    );
  } finally {
    await bench.stop();
  }
}

await onBothDatabases('slack', run);
