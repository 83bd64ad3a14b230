// Small helpers shared by the benchmark scripts. Figures use decimal units
// (1 MB = 10^6 bytes) so they compare directly with `openssl speed`, which
// reports in 1000s of bytes per second.
import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { AppJob } from '../src/app/job-names.js';
import { migrate, readMigrations, type Migration } from '../src/storage/migrate.js';
import type { PrismaClient } from '../src/storage/prisma/client.js';

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
  /** Posts the i-th photo of a burst; resolves with the thread its card is expected in and how long each of the platform's deliveries took to be acknowledged. */
  upload(i: number): Promise<{ thread: string; ackMs: number[] }>;
  /** Each card posted so far: its thread and when (Date.now(), the clock the stand-ins stamp with). */
  cards(): Iterable<readonly [thread: string, at: number]>;
  /** Each original taken out of the chat so far: its thread and when (Slack only). */
  removals?(): Iterable<readonly [thread: string, at: number]>;
  /** Resolves once Loupe has no job left (every upload cleaned and removed), so a burst's background work does not weigh on the next. */
  settled(): Promise<void>;
  /** The floor: the same uploads downloaded, encrypted and written with no processing, `concurrent` at once; each one's milliseconds. */
  floor?(concurrent: number): Promise<number[]>;
  /** Called as a burst starts; what it returns is called once the burst's uploads are settled, with how many there were (to print what the burst cost). */
  watch?(concurrent: number): (uploads: number) => void;
}

export interface UploadTargets {
  /** Database label in line names ("PostgreSQL", "embedded"). */
  engine: string;
  /** The card p95 target at 50 at once, in seconds. */
  cardP95At50: number;
  /** The acknowledgement p95 target at 200 at once, in milliseconds (Slack). */
  ackP95At200?: number;
}

/**
 * The bursts measured: 1 at a time (10 rounds), then 10, 50 and 200 at once;
 * or those BENCH_UPLOAD_BURSTS lists (e.g. "1,10"), for a quick run.
 */
export function uploadBursts(): readonly number[] {
  const raw = process.env.BENCH_UPLOAD_BURSTS;
  if (!raw) return [1, 10, 50, 200];
  const list = raw.split(',').map(Number);
  if (!list.every((n) => Number.isSafeInteger(n) && n > 0)) throw new Error(`BENCH_UPLOAD_BURSTS must be a comma-separated list of positive integers, got ${JSON.stringify(raw)}`);
  return list;
}

const p = (sorted: number[], q: number) => percentile(sorted, q);
const sortedOf = (values: number[]) => [...values].sort((a, b) => a - b);

/** Waits until `seen` has a time for every thread of `t0s`; returns each one's latency from its t0. */
export async function latenciesUntil(t0s: Map<string, number>, seen: () => Iterable<readonly [string, number]>, timeoutMs = 600_000): Promise<number[]> {
  const pending = new Map(t0s);
  const latencies: number[] = [];
  const deadline = Date.now() + timeoutMs;
  while (pending.size) {
    for (const [thread, at] of seen()) {
      const t0 = pending.get(thread);
      if (t0 === undefined) continue;
      latencies.push(at - t0);
      pending.delete(thread);
    }
    if (pending.size) {
      if (Date.now() > deadline) throw new Error(`${pending.size} uploads never got there`);
      await sleep(10);
    }
  }
  return latencies;
}

/**
 * 1 upload at a time (10 rounds), then 10, 50 and 200 at once (uploadBursts). For each: the
 * card's p50/p95/max from posting, uploads/s, the acknowledgement of each
 * event, the original's removal, and the floor (download, encrypt, write,
 * nothing else) for the same burst, with Loupe's p95 as a multiple of it.
 */
export async function measureUploadToCard(chat: UploadToCard, targets: UploadTargets): Promise<void> {
  for (const concurrent of uploadBursts()) {
    const rounds = concurrent === 1 ? 10 : 1;
    const watched = chat.watch?.(concurrent);
    const cardMs: number[] = [];
    const ackMs: number[] = [];
    const removalMs: number[] = [];
    let wall = 0;
    for (let r = 0; r < rounds; r++) {
      const started = now();
      const uploads = await Promise.all(
        Array.from({ length: concurrent }, async (_, i) => {
          const t0 = Date.now();
          const posted = await chat.upload(i);
          ackMs.push(...posted.ackMs);
          return { thread: posted.thread, t0 };
        }),
      );
      const t0s = new Map(uploads.map((u) => [u.thread, u.t0]));
      cardMs.push(...(await latenciesUntil(t0s, () => chat.cards())));
      wall += now() - started;
      if (chat.removals) {
        const removals = chat.removals;
        removalMs.push(...(await latenciesUntil(t0s, () => removals())));
      }
      await chat.settled();
    }
    const cards = sortedOf(cardMs);
    const acks = sortedOf(ackMs);
    const throughput = cards.length / (wall / 1000);
    figure(`${concurrent} at once: card p50 / p95 / max`, `${seconds(p(cards, 50))} / ${seconds(p(cards, 95))} / ${seconds(cards.at(-1) ?? Number.NaN)} (${cards.length} uploads, ${throughput.toFixed(2)} uploads/s)`);
    if (acks.length) figure(`${concurrent} at once: event ack p50 / p95 / max`, `${p(acks, 50).toFixed(0)} / ${p(acks, 95).toFixed(0)} / ${(acks.at(-1) ?? Number.NaN).toFixed(0)} ms (${acks.filter((a) => a >= 3000).length} of ${acks.length} at 3 s or more)`);
    if (removalMs.length) {
      const removals = sortedOf(removalMs);
      figure(`${concurrent} at once: original removed p50 / p95`, `${seconds(p(removals, 50))} / ${seconds(p(removals, 95))}`);
    }
    // Before the floor, whose work is not the burst's.
    watched?.(cardMs.length);
    let floorNote = '';
    if (chat.floor) {
      const floorStarted = now();
      const floor = sortedOf(await chat.floor(concurrent));
      const floorWall = (now() - floorStarted) / 1000;
      floorNote = `, ${(p(cards, 95) / p(floor, 95)).toFixed(1)} x the floor's p95`;
      figure(`${concurrent} at once: floor p50 / p95`, `${seconds(p(floor, 50))} / ${seconds(p(floor, 95))} (download, encrypt, write; ${(floor.length / floorWall).toFixed(2)} uploads/s)`);
    }
    if (concurrent === 50) {
      reportLine({ name: `upload to card, 50 at once, ${targets.engine}`, figure: `p95 ${seconds(p(cards, 95))}, ${throughput.toFixed(1)} uploads/s${floorNote}`, target: `p95 < ${targets.cardP95At50} s`, pass: p(cards, 95) < targets.cardP95At50 * 1000 });
    }
    if (concurrent === 200) {
      reportLine({ name: `upload to card, 200 at once, ${targets.engine}`, figure: `p95 ${seconds(p(cards, 95))}, ${throughput.toFixed(1)} uploads/s${floorNote}`, target: 'reported', pass: null });
      if (targets.ackP95At200 !== undefined && acks.length) {
        reportLine({ name: `event acknowledged, 200 at once, ${targets.engine}`, figure: `p95 ${p(acks, 95).toFixed(0)} ms`, target: `p95 < ${targets.ackP95At200} ms`, pass: p(acks, 95) < targets.ackP95At200 });
      }
      if (removalMs.length) {
        const removals = sortedOf(removalMs);
        reportLine({ name: `original out of the chat, 200 at once, ${targets.engine}`, figure: `p95 ${seconds(p(removals, 95))}`, target: 'reported', pass: null });
      }
    }
  }
}

/** An upload's own jobs due or running: a burst is settled when none is left. */
export function pendingUploadJobs(prisma: PrismaClient): Promise<number> {
  return prisma.job.count({ where: { status: { in: ['queued', 'running'] }, runAt: { lte: new Date() }, type: { in: [AppJob.Ingest, AppJob.Prepare, AppJob.RemoveOriginal, AppJob.UpdateCard] } } });
}

/** Polls until the queue holds nothing queued or running. */
export async function jobsSettled(count: () => Promise<number>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await count()) > 0) {
    if (Date.now() > deadline) throw new Error('jobs never settled');
    await sleep(100);
  }
}

/**
 * CPU seconds (user and system) spent so far by a process and every
 * descendant it has now, plus the children it already reaped, from /proc
 * (Linux): for a burst's cost in each of the processes it went through.
 */
export function treeCpuSeconds(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone since the listing
    }
    // After the command's closing parenthesis: state, ppid, ... utime (14th field), stime, cutime, cstime.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
    stats.set(Number(name), { ppid: Number(fields[1]), ticks: utime + stime + cutime + cstime });
  }
  let ticks = 0;
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) queue.push(child);
  }
  // Linux counts in USER_HZ, 100 per second on every architecture Node runs on.
  return ticks / 100;
}

/** CPU seconds the whole machine has been busy (all cores, every process: not idle nor waiting for I/O), from /proc/stat. */
export function machineCpuSeconds(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const ticks = fields.slice(0, 8).map(Number);
  const [idle, iowait] = [ticks[3] ?? 0, ticks[4] ?? 0];
  return (ticks.reduce((a, b) => a + b, 0) - idle - iowait) / 100;
}

/**
 * Runs an upload benchmark with a 4 MB phone photo on the embedded database,
 * then on PostgreSQL (migrated, with a key ring, as an operator sets it up);
 * or on the `engines` named only. sharp and the database drivers are
 * imported only here, so they weigh nothing on the memory benchmarks that
 * share this file.
 */
export async function onBothDatabases(
  name: string,
  run: (label: string, photo: Buffer, env: NodeJS.ProcessEnv, engine: 'embedded' | 'PostgreSQL') => Promise<void>,
  engines: readonly ('embedded' | 'PostgreSQL')[] = ['embedded', 'PostgreSQL'],
): Promise<void> {
  const [{ makePhoto }, { openDatabase }, { KeyRing }] = await Promise.all([import('./photos.js'), import('../src/storage/database.js'), import('../src/crypto/keyring.js')]);
  const dir = await mkdtemp(join(tmpdir(), `loupe-bench-${name}-`));
  try {
    const path = join(dir, 'phone.jpg');
    await makePhoto(path, 94); // about 4 MB, as a phone writes a 12 MP photo
    const photo = await readFile(path);
    console.log(`photo: 4000x3000 JPEG, ${mb(photo.length)}`);
    if (engines.includes('embedded')) await run('embedded PGlite', photo, { LOUPE_DATA_DIR: join(dir, 'embedded') }, 'embedded');
    if (engines.includes('PostgreSQL')) {
      await withPostgresSchema(async (url, shown) => {
        const db = await openDatabase({ url });
        await migrate(db, await benchMigrations());
        await db.close();
        const keys = JSON.stringify(KeyRing.generateFile(new Date()));
        await run(`PostgreSQL (${shown})`, photo, { LOUPE_DATA_DIR: join(dir, 'pg'), DATABASE_URL: url, LOUPE_KEYS: keys }, 'PostgreSQL');
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
