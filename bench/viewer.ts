// Server time to first image in the viewer: for a signed-in viewer, the
// page's two requests (the image's description, then its first frame or the
// photo) against a running Loupe on the embedded database, for a 512x512
// 16-bit CT slice and a 12-megapixel photo, with 1, 20 and 50 viewers at
// once. Each first image is a new viewer session's, as on a page load: both
// requests are decided, and the first is audited (the viewer audits a
// session's allowing decision for an image once per window); the image is
// decrypted and decoded once for all the viewers of one card (kept a minute
// in memory), but every viewer's decisions are their own. The server runs
// on Loupe's defaults, as every chat benchmark does; the viewers' browsers
// (sending, and reading megabytes of photo) run on a thread of their own,
// each burst's sessions opened before it starts.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { readInstance, writeInstance } from '../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../src/imaging/limits.js';
import { ViewerSessions } from '../src/storage/viewer-sessions.js';
import { figure, percentile, reportLine } from './lib.js';
import { makePhoto } from './photos.js';
import { startBenchLoupe } from './slack-loupe.js';
import type { Burst } from './viewer-clients.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const SENDER = 'U0CLIN0001';

/** CT_small (128x128, 16-bit) enlarged to 512x512 by repeating each pixel, as a native explicit little endian file. */
async function ct512(): Promise<Buffer> {
  const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
  const small = instance.pixelData!.subarray(12);
  const big = Buffer.alloc(512 * 512 * 2);
  for (let y = 0; y < 512; y++) for (let x = 0; x < 512; x++) small.copy(big, (y * 512 + x) * 2, ((y >> 2) * 128 + (x >> 2)) * 2, ((y >> 2) * 128 + (x >> 2)) * 2 + 2);
  const head = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, 0, 0, 0, 0]);
  head.writeUInt32LE(big.length, 8);
  instance.pixelData = Buffer.concat([head, big]);
  instance.dicom.dict['00280010'] = { vr: 'US', Value: [512] };
  instance.dicom.dict['00280011'] = { vr: 'US', Value: [512] };
  instance.dicom.dict['00100020'] = { vr: 'LO', Value: ['MRN-BENCH'] };
  return writeInstance(instance);
}

const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-viewer-'));
const bench = await startBenchLoupe({ LOUPE_DATA_DIR: join(dir, 'data') }, 'C0RADIOL01', { identifierPattern: '(MRN-BENCH)' });
const { loupe, slack, config, port } = bench;
try {
  const { storage } = loupe.services;

  // The sender signs in; sign-in itself is not what is measured, so the session is opened directly.
  const link = await storage.db.prisma.identityLink.create({
    data: { workspaceId: bench.workspaceId, chatUserId: SENDER, oidcIssuer: 'https://idp.bench', oidcSubject: 'bench', method: 'email', verifiedAt: new Date() },
  });
  const sessions = new ViewerSessions(storage.db, loupe.services.clock, config.session);
  const newCookie = async () => {
    const session = await sessions.create({ issuer: 'https://idp.bench', subject: 'bench', displayName: 'Bench Viewer', email: undefined, acr: undefined, amr: ['pwd'], identityLinkId: link.id });
    return `loupe_session=${session.token}`;
  };

  async function posted(name: string, bytes: Buffer, text: string): Promise<string> {
    const up = await slack.uploadFile({ user: SENDER, channel: 'C0RADIOL01', name, bytes, text });
    for (;;) {
      const call = slack.calls.find((c) => c.method === 'chat.postMessage' && c.params['thread_ts'] === up.ts);
      const token = call && /\/view\/([A-Za-z0-9_-]+)/.exec(String(call.params['blocks']))?.[1];
      if (token) return token;
      await sleep(20);
    }
  }

  const photoPath = join(dir, 'phone.jpg');
  await makePhoto(photoPath, 94);
  const targets = [
    { label: '512x512 16-bit CT', token: await posted('ct.dcm', await ct512(), ''), last: '/frames/0', targetMs: 150 },
    { label: '12 MP photo', token: await posted('phone.jpg', await readFile(photoPath), 'MRN-BENCH'), last: '/photo', targetMs: 400 },
  ];

  // The viewers' browsers run on a thread of their own (viewer-clients.ts); their sessions are opened before each burst.
  const clients = new Worker(new URL('./viewer-clients.js', import.meta.url), { workerData: { port } });
  const burst = (paths: string[], cookies: string[]) =>
    new Promise<number[]>((resolve, reject) => {
      clients.once('message', (m: { times?: number[]; error?: string }) => (m.times ? resolve(m.times) : reject(new Error(m.error))));
      clients.postMessage({ paths, cookies } satisfies Burst);
    });
  try {
    for (const t of targets) {
      const paths = [`/viewer/api/${t.token}/info`, `/viewer/api/${t.token}${t.last}`];
      // The image's first viewer: nothing of it decrypted or decoded yet (nor, for the first, a sandbox child started).
      const [cold] = await burst(paths, [await newCookie()]);
      figure(`${t.label}, first viewer (cold)`, `${cold!.toFixed(0)} ms`);
      for (const viewers of [1, 20, 50]) {
        const rounds = viewers === 1 ? 20 : 3;
        const times: number[] = [];
        for (let r = 0; r < rounds; r++) {
          const cookies = await Promise.all(Array.from({ length: viewers }, () => newCookie()));
          times.push(...(await burst(paths, cookies)));
        }
        times.sort((a, b) => a - b);
        const p95 = percentile(times, 95);
        const line = `${t.label}, ${viewers} viewer(s): p50 / p95`;
        const text = `${percentile(times, 50).toFixed(0)} ms / ${p95.toFixed(0)} ms (${times.length} first images)`;
        if (viewers === 1) figure(line, text);
        else reportLine({ name: `viewer, ${t.label}, ${viewers} at once (p50 / p95)`, figure: text, target: `p95 < ${t.targetMs} ms`, pass: p95 < t.targetMs });
      }
    }
  } finally {
    await clients.terminate();
  }
} finally {
  await bench.stop();
  await rm(dir, { recursive: true, force: true });
}
