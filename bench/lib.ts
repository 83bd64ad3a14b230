// Small helpers shared by the benchmark scripts. Figures use decimal units
// (1 MB = 10^6 bytes) so they compare directly with `openssl speed`, which
// reports in 1000s of bytes per second.
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { migrate, readMigrations, type Migration } from '../src/storage/migrate.js';

export const MiB = 1024 * 1024;
export const MB = 1_000_000;

export function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

export function mbPerSecond(bytes: number, ms: number): number {
  return bytes / MB / (ms / 1000);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Prints one figure per line, labels aligned so runs are easy to compare by eye. */
export function figure(label: string, value: string): void {
  console.log(`  ${`${label}:`.padEnd(40)} ${value}`);
}

/** One line of the summary table: a figure, its target, and whether it meets it (null: reported, no target). */
export interface BenchLine {
  name: string;
  figure: string;
  target: string;
  pass: boolean | null;
}

/**
 * Prints a line and hands it to `npm run bench`, which collects every
 * script's lines (through the file named by BENCH_RESULTS) into one table.
 */
export function reportLine(line: BenchLine): void {
  const verdict = line.pass === null ? '' : line.pass ? ' PASS' : ' FAIL';
  figure(line.name, `${line.figure} (target ${line.target})${verdict}`);
  const file = process.env.BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** The p-th percentile of ascending values (NaN when there are none). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function now(): number {
  return performance.now();
}

/** A few distinct random 1 MiB pieces to cycle through: data is realistic without holding it all. */
export function randomPieces(count: number, size = MiB): Buffer[] {
  return Array.from({ length: count }, () => randomBytes(size));
}

/**
 * Tracks peak RSS over a phase by sampling, topped up with the kernel's
 * lifetime maxRSS when that rose during the phase: a sample every 50 ms can
 * miss a short spike, while maxRSS cannot (but covers the whole process).
 */
export class RssSampler {
  private peak = 0;
  private peakArrayBuffers = 0;
  private maxRssBefore = 0;
  private timer: NodeJS.Timeout | undefined;

  start(intervalMs = 50): void {
    this.peak = 0;
    this.peakArrayBuffers = 0;
    this.maxRssBefore = maxRssBytes();
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    // Sampling must never keep the process alive on its own.
    this.timer.unref();
  }

  stop(): { peakRss: number; peakArrayBuffers: number } {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const maxRssAfter = maxRssBytes();
    const peakRss = maxRssAfter > this.maxRssBefore ? Math.max(this.peak, maxRssAfter) : this.peak;
    return { peakRss, peakArrayBuffers: this.peakArrayBuffers };
  }

  private sample(): void {
    const usage = process.memoryUsage();
    this.peak = Math.max(this.peak, usage.rss);
    this.peakArrayBuffers = Math.max(this.peakArrayBuffers, usage.arrayBuffers);
  }
}

/** process.resourceUsage().maxRSS is in KiB. */
export function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`;
  }
  return String(error);
}

export const DEFAULT_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/test';

export function redactUrl(url: URL): string {
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return shown.toString();
}

/**
 * Runs `fn` with the URL of a fresh schema in the PostgreSQL database named by
 * LOUPE_BENCH_POSTGRES_URL (default: the local `test` database), dropped
 * afterwards. Returns undefined, having said why, when PostgreSQL is unreachable.
 */
export async function withPostgresSchema<T>(fn: (url: string, shown: string) => Promise<T>): Promise<T | undefined> {
  const base = new URL(process.env.LOUPE_BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL);
  const admin = new pg.Client({ connectionString: base.toString(), connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    console.log(`PostgreSQL: unreachable at ${redactUrl(base)} (${errorText(error)}), skipped`);
    await admin.end().catch(() => {});
    return undefined;
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    return await fn(url.toString(), `${redactUrl(base)}, schema ${schema}`);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((error: unknown) => {
      console.error(`could not drop schema ${schema}: ${errorText(error)}`);
    });
    await admin.end();
  }
}

/** Benchmarks run compiled from dist-bench/ with the repository as working directory. */
export function benchMigrations(): Promise<Migration[]> {
  return readMigrations(join(process.cwd(), 'prisma', 'migrations'));
}

/** One chat stand-in as the upload-to-card benchmarks drive it. */
export interface UploadToCard {
  /** Posts the i-th photo of a burst; resolves with the thread its card is expected in. */
  upload(i: number): Promise<string>;
  /** Each card posted so far: its thread and when (Date.now(), the clock the stand-ins stamp with). */
  cards(): Iterable<readonly [thread: string, at: number]>;
}

/** 1 upload at a time (10 rounds), then 10 and 50 at once; prints p50/p95 from posting to the card. */
export async function measureUploadToCard(chat: UploadToCard): Promise<void> {
  for (const concurrent of [1, 10, 50]) {
    const rounds = concurrent === 1 ? 10 : 1;
    const latencies: number[] = [];
    const started = now();
    for (let r = 0; r < rounds; r++) {
      const uploads = await Promise.all(
        Array.from({ length: concurrent }, async (_, i) => {
          const t0 = Date.now();
          return { thread: await chat.upload(i), t0 };
        }),
      );
      const pending = new Map(uploads.map((u) => [u.thread, u.t0]));
      while (pending.size) {
        for (const [thread, at] of chat.cards()) {
          const t0 = pending.get(thread);
          if (t0 === undefined) continue;
          latencies.push(at - t0);
          pending.delete(thread);
        }
        if (pending.size) await sleep(10);
      }
    }
    const sorted = latencies.sort((a, b) => a - b);
    const wall = (now() - started) / 1000;
    figure(`${concurrent} at once: p50 / p95 / max`, `${seconds(percentile(sorted, 50))} / ${seconds(percentile(sorted, 95))} / ${seconds(sorted.at(-1) ?? Number.NaN)} (${sorted.length} uploads, ${(sorted.length / wall).toFixed(2)} uploads/s)`);
  }
}

/**
 * Runs an upload benchmark with a 4 MB phone photo on the embedded database,
 * then on PostgreSQL (migrated, with a key ring, as an operator sets it up).
 * sharp and the database drivers are imported only here, so they weigh
 * nothing on the memory benchmarks that share this file.
 */
export async function onBothDatabases(name: string, run: (label: string, photo: Buffer, env: NodeJS.ProcessEnv) => Promise<void>): Promise<void> {
  const [{ makePhoto }, { openDatabase }, { KeyRing }] = await Promise.all([import('./photos.js'), import('../src/storage/database.js'), import('../src/crypto/keyring.js')]);
  const dir = await mkdtemp(join(tmpdir(), `loupe-bench-${name}-`));
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
}
