// One Loupe for the upload benchmark, in a process of its own as a hospital
// runs it: Slack (the stand-in) and the clinicians' load stay in the
// benchmark's process, so what they spend is not counted as Loupe's time.
// Configured from its environment like `loupe serve`, with interception on in
// BENCH_CHANNEL. Over its IPC channel it answers: how many of the upload's
// jobs are due or running, the floor for a list of files (in this process,
// so Loupe and the floor run alike), and stop.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../src/config.js';
import { createEncryptStream } from '../src/crypto/stream-cipher.js';
import { createLogger } from '../src/logging.js';
import { createLoupe } from '../src/main.js';
import { FolderBlobStore } from '../src/storage/folder-blob-store.js';
import { now, pendingUploadJobs } from './lib.js';
import { configureBenchWorkspace } from './slack-loupe.js';

/** A request from the benchmark, and its answer under the same id. */
export type LoupeProcessRequest = { id: number } & ({ type: 'pending' } | { type: 'floor'; fileIds: string[] } | { type: 'stop' });
export interface LoupeProcessReady {
  ready: { port: number; imagingJobs: number; otherJobs: number };
}

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', PORT: '0' });
const loupe = await createLoupe(config, createLogger('silent'));
const { port } = await loupe.listen();
await configureBenchWorkspace(loupe, process.env.BENCH_CHANNEL ?? '');

/** What Loupe's own path does before a card, and nothing else: files.info, the download, encryption, an atomic write. */
async function floor(fileIds: string[]): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-floor-'));
  const store = new FolderBlobStore(dir);
  const api = config.slack!.apiUrl.href;
  const auth = { authorization: `Bearer ${config.slack!.botToken}` };
  try {
    return await Promise.all(
      fileIds.map(async (fileId) => {
        const t0 = now();
        const info = (await (await fetch(`${api}files.info?file=${fileId}`, { headers: auth })).json()) as { file: { url_private_download: string } };
        const bytes = Buffer.from(await (await fetch(info.file.url_private_download, { headers: auth })).arrayBuffer());
        await store.put(randomBytes(20).toString('hex'), Readable.from([bytes]).pipe(createEncryptStream(randomBytes(32), 'floor')));
        return now() - t0;
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

process.on('message', (m: LoupeProcessRequest) => {
  const answer = async (): Promise<unknown> => {
    if (m.type === 'pending') return pendingUploadJobs(loupe.services.storage.db.prisma);
    if (m.type === 'floor') return floor(m.fileIds);
    await loupe.stop();
    return null;
  };
  answer().then(
    (value) => process.send!({ id: m.id, value }, () => m.type === 'stop' && process.exit(0)),
    (error: unknown) => process.send!({ id: m.id, error: String(error) }),
  );
});
process.send!({ ready: { port, imagingJobs: config.worker.concurrency, otherJobs: config.worker.chatConcurrency } } satisfies LoupeProcessReady);
