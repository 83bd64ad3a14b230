// Stores and reads back one large blob through the real EncryptedBlobs,
// watching RSS: the cipher and the blob store stream, so memory must stay flat
// whatever the blob size.
//
// BENCH_ENGINE=postgres (default): the production shape, the database outside
// the process; the 200 MB target applies to the whole process.
// BENCH_ENGINE=pglite: the embedded default, where PGlite's WebAssembly heap
// (a fixed few hundred MB) lives in the process; reported, and the target
// applies to the growth over that baseline.
// BENCH_BLOB_STORE=folder (default): bodies in a folder; s3: in an
// S3-compatible store (Debian's Swift with s3api on loopback, started for the
// run, test/support/swift-s3.ts, and stopped on every way out), through the
// S3 store's multipart upload; the same figures and target.
// BENCH_BLOB_BYTES overrides the size (default 2 GiB) for quick runs.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditActor } from '../src/core/audit/event.js';
import { systemClock } from '../src/core/clock.js';
import { KeyRing } from '../src/crypto/keyring.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import type { BlobStore } from '../src/storage/blob-store.js';
import { FolderBlobStore } from '../src/storage/folder-blob-store.js';
import { syncKeyVersions } from '../src/storage/key-versions.js';
import { migrate } from '../src/storage/migrate.js';
import { createStorage } from '../src/storage/services.js';
import { MB, MiB, RssSampler, figure, maxRssBytes, mb, mbPerSecond, now, reportLine, seconds, withPostgresSchema, benchMigrations } from './lib.js';

const DEFAULT_BYTES = 2 * 1024 * MiB;
const TARGET_RSS = 200 * MB;
const ACTOR: AuditActor = { type: 'system', id: 'bench' };

/** A reason not to start, worth one clear line rather than a stack trace. */
class Refusal extends Error {}

function blobSize(): number {
  const raw = process.env.BENCH_BLOB_BYTES;
  if (raw === undefined || raw === '') return DEFAULT_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Refusal(`BENCH_BLOB_BYTES must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Pseudo-random plaintext made 1 MiB at a time (AES-CTR keystream: fast and
 * never repeating, so a misplaced chunk changes the hash). Its own time is
 * counted so it can be told apart from Loupe's.
 */
class PseudoRandomSource extends Readable {
  readonly digest = createHash('sha256');
  busyMs = 0;
  private sent = 0;
  private readonly keystream = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  private readonly zeros = Buffer.alloc(MiB);

  constructor(private readonly total: number) {
    super({ highWaterMark: MiB });
  }

  override _read(): void {
    const start = now();
    const n = Math.min(MiB, this.total - this.sent);
    if (n <= 0) {
      this.push(null);
      return;
    }
    const chunk = this.keystream.update(n === MiB ? this.zeros : this.zeros.subarray(0, n));
    this.digest.update(chunk);
    this.sent += n;
    this.busyMs += now() - start;
    this.push(chunk);
  }
}

class HashingSink extends Writable {
  readonly digest = createHash('sha256');
  bytes = 0;
  busyMs = 0;

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    const start = now();
    this.digest.update(chunk);
    this.bytes += chunk.length;
    this.busyMs += now() - start;
    callback();
  }
}

/** The setup's garbage may be collected mid-phase, so RSS can end up below where it started. */
function growth(peak: number, baseline: number): string {
  return peak > baseline ? mb(peak - baseline) : 'none (RSS stayed at or below the setup level)';
}

async function checkDiskSpace(dir: string, size: number): Promise<void> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  // Ciphertext is about the size of the blob; the rest is headroom for the
  // database and for whatever else shares the disk.
  if (free >= 3 * size) return;
  throw new Refusal(
    `not enough free disk space in ${dir}: ${mb(free)} free, ${mb(3 * size)} needed (3x the blob size); ` +
      'set BENCH_BLOB_BYTES to a smaller size or TMPDIR to a roomier disk',
  );
}

type Engine = 'postgres' | 'pglite';
type StoreKind = 'folder' | 's3';

function engine(): Engine {
  const raw = process.env.BENCH_ENGINE ?? 'postgres';
  if (raw !== 'postgres' && raw !== 'pglite') throw new Refusal(`BENCH_ENGINE must be postgres or pglite, got ${JSON.stringify(raw)}`);
  return raw;
}

function storeKind(): StoreKind {
  const raw = process.env.BENCH_BLOB_STORE ?? 'folder';
  if (raw !== 'folder' && raw !== 's3') throw new Refusal(`BENCH_BLOB_STORE must be folder or s3, got ${JSON.stringify(raw)}`);
  return raw;
}

/** The blob store the run writes to, what to call it, and how to let it go. */
interface Store {
  blobStore: BlobStore;
  /** How the printed setup names it. */
  shown: string;
  /** In the summary line's name ('' for the folder store, as before). */
  label: string;
  close(): Promise<void>;
}

/**
 * Swift on loopback with a bucket, and Loupe's S3 store on it. The AWS SDK is
 * imported only here, so it weighs nothing on the folder store's figures.
 */
async function startS3Store(): Promise<Store> {
  const [{ startSwiftS3, clientConfig }, { CreateBucketCommand, S3Client }, { S3BlobStore }] = await Promise.all([
    import('../test/support/swift-s3.js'),
    import('@aws-sdk/client-s3'),
    import('../src/storage/s3-blob-store.js'),
  ]);
  const swift = await startSwiftS3();
  try {
    const bucket = 'loupe-bench';
    const admin = new S3Client(clientConfig(swift));
    try {
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      admin.destroy();
    }
    const blobStore = new S3BlobStore({
      kind: 's3',
      endpoint: swift.endpoint,
      region: swift.region,
      bucket,
      prefix: 'loupe/',
      credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
      forcePathStyle: true,
    });
    return {
      blobStore,
      shown: `S3BlobStore on Swift ${swift.endpoint} (s3api), bucket ${bucket}`,
      label: ' + S3',
      close: async () => {
        blobStore.close();
        await swift.stop();
      },
    };
  } catch (error) {
    await swift.stop();
    throw error;
  }
}

async function run(dir: string, size: number, engine: Engine, url: string | undefined, backend: Store): Promise<boolean> {
  let db: Database | undefined;
  try {
    db = await openDatabase(engine === 'pglite' ? { dataDir: join(dir, 'db') } : { url });
    // Migrated before the baseline is taken, so the baseline is a running instance's.
    if (engine === 'pglite') await migrate(db, await benchMigrations());
    const keyRing = KeyRing.parse(JSON.stringify(KeyRing.generateFile(new Date())));
    await syncKeyVersions(db, keyRing);
    const storage = createStorage({
      db,
      keyRing,
      clock: systemClock,
      blobStore: backend.blobStore,
      checkpointInterval: 1000,
      maxBlobBytes: size,
    });
    const workspace = await storage.workspaces.ensure('slack', 'TBENCH', 'Bench Hospital', ACTOR);
    const asset = await db.prisma.asset.create({
      data: { workspaceId: workspace.id, uploaderId: 'UBENCH', kind: 'photo', sourceRef: `F${randomBytes(6).toString('hex')}` },
    });

    console.log(`blob of ${size} bytes (${mb(size)}), ${engine === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'} + ${backend.shown}`);
    // Whatever is resident before the blob (the runtime, the TypeScript
    // loader, PGlite's heap) is the baseline; growth over it is the blob path.
    const baseline = process.memoryUsage().rss;
    figure('RSS after setup (before the blob)', mb(baseline));
    const usage = process.memoryUsage();
    figure('  of which V8 heap / external', `${mb(usage.heapTotal)} / ${mb(usage.external)}`);

    const sampler = new RssSampler();
    const source = new PseudoRandomSource(size);
    sampler.start();
    let start = now();
    const stored = await storage.blobs.put({
      assetId: asset.id,
      kind: 'original',
      mediaType: 'application/octet-stream',
      body: source,
      actor: ACTOR,
    });
    const storeMs = now() - start;
    const store = sampler.stop();
    if (stored.plaintextSize !== BigInt(size)) throw new Error(`stored ${stored.plaintextSize} bytes, expected ${size}`);

    console.log('store: EncryptedBlobs.put');
    figure('store time', seconds(storeMs));
    figure('store throughput', `${mbPerSecond(size, storeMs).toFixed(1)} MB/s`);
    figure('  of which making the source (bench)', seconds(source.busyMs));
    figure('ciphertext size', `${stored.ciphertextSize} bytes`);
    figure('peak RSS during store', mb(store.peakRss));
    figure('  growth over setup', growth(store.peakRss, baseline));
    figure('peak ArrayBuffer memory during store', mb(store.peakArrayBuffers));

    const sink = new HashingSink();
    sampler.start();
    start = now();
    await pipeline(await storage.blobs.open(stored.id, ACTOR), sink);
    const readMs = now() - start;
    const read = sampler.stop();

    console.log('read: EncryptedBlobs.open');
    figure('read time', seconds(readMs));
    figure('read throughput', `${mbPerSecond(size, readMs).toFixed(1)} MB/s`);
    figure('  of which hashing the output (bench)', seconds(sink.busyMs));
    figure('peak RSS during read', mb(read.peakRss));
    figure('  growth over setup', growth(read.peakRss, baseline));
    figure('peak ArrayBuffer memory during read', mb(read.peakArrayBuffers));

    const written = source.digest.digest('hex');
    const readBack = sink.digest.digest('hex');
    const same = sink.bytes === size && written === readBack;
    console.log('result');
    figure('maxRSS (whole process, resourceUsage)', mb(maxRssBytes()));
    figure('SHA-256 written', written);
    figure('SHA-256 read back', `${readBack} (${sink.bytes} bytes)`);
    figure('read back identical', same ? 'yes' : 'NO');
    const peak = Math.max(store.peakRss, read.peakRss);
    const judged = engine === 'pglite' ? peak - baseline : peak;
    const pass = judged < TARGET_RSS;
    reportLine({
      name: engine === 'pglite' ? `blob memory, embedded${backend.label} (growth over PGlite)` : `blob memory, PostgreSQL${backend.label} (peak RSS)`,
      figure: engine === 'pglite' ? `${mb(Math.max(0, judged))} (peak ${mb(peak)}, ${mb(size)} blob)` : `${mb(peak)} (${mb(size)} blob)`,
      target: `< ${mb(TARGET_RSS)}`,
      pass,
    });
    return same && pass;
  } finally {
    await db?.close();
  }
}

async function main(): Promise<void> {
  const size = blobSize();
  const base = tmpdir();
  await checkDiskSpace(base, size);
  const dir = await mkdtemp(join(base, 'loupe-bench-blob-'));
  // A 2 GB leftover in /tmp is worth a synchronous cleanup on Ctrl-C.
  const onSignal = (signal: NodeJS.Signals): void => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const which = engine();
    const kind = storeKind();
    // Swift's processes are stopped on the way out; on a signal, process.exit above runs startSwiftS3's exit handler, which kills them.
    const withStore = async (fn: (store: Store) => Promise<boolean>): Promise<boolean> => {
      const store: Store =
        kind === 's3'
          ? await startS3Store()
          : { blobStore: new FolderBlobStore(join(dir, 'blobs')), shown: `FolderBlobStore in ${dir}`, label: '', close: async () => {} };
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    };
    const ok =
      which === 'pglite'
        ? await withStore((store) => run(dir, size, which, undefined, store))
        : await withPostgresSchema(async (url) => {
            const db = await openDatabase({ url });
            try {
              await migrate(db, await benchMigrations());
            } finally {
              await db.close();
            }
            return withStore((store) => run(dir, size, which, url, store));
          });
    if (ok === false) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof Refusal) console.error(`blob-memory refused: ${error.message}`);
  else console.error('blob-memory failed:', error);
  process.exitCode = 1;
}
