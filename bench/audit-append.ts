// Audit append rate on both engines, in the app's shape: every append is its
// own small transaction (`transaction(db, tx => audit.append(tx, …))`), one
// after another or from concurrent writers, while the sealer runs in the
// background as in `loupe serve`. An append only inserts; the sealer links
// committed events into the hash chain in batches. After the appends, the time
// until every event is sealed, then a full verification (all events chained,
// checkpoints signed).
//
// Writers: 8 on PGlite (one connection: they queue), 8 and 32 on PostgreSQL,
// sharing one Database handle (one pool of 10 connections, as one instance).
// PostgreSQL runs with its default settings (synchronous commit: one WAL
// flush per commit, grouped when commits coincide).
//
// On PostgreSQL each concurrent run is preceded by its floor: the same number
// of writers doing the same transactions (BEGIN, the INSERT, COMMIT) through
// node-postgres directly, on a pool of the same size, into a copy of the
// table; Loupe's rate is also given as a ratio to it (same run, back to back).
//
// LOUPE_BENCH_POSTGRES_URL overrides the PostgreSQL base URL; a fresh schema
// is created in it and dropped at the end.
import pg from 'pg';
import type { AuditEventInput } from '../src/core/audit/event.js';
import { systemClock } from '../src/core/clock.js';
import { KeyRing } from '../src/crypto/keyring.js';
import { AuditLog } from '../src/storage/audit-log.js';
import { openDatabase, parsePostgresUrl, type Database } from '../src/storage/database.js';
import { syncKeyVersions } from '../src/storage/key-versions.js';
import { migrate } from '../src/storage/migrate.js';
import { transaction } from '../src/storage/transaction.js';
import { figure, now, percentile, reportLine, seconds, withPostgresSchema, benchMigrations } from './lib.js';

const WARM_UP = 50;
const SEQUENTIAL = 1000;
const CONCURRENT_EVENTS = 4000;
// The production default, so checkpoint signing costs what it costs in service.
const CHECKPOINT_INTERVAL = 1000;
const TARGET = 5000;

const keyRing = KeyRing.parse(JSON.stringify(KeyRing.generateFile(new Date())));

function event(writer: number, i: number): AuditEventInput {
  return {
    actor: { type: 'system', id: `bench-writer-${writer}` },
    action: 'bench.append',
    outcome: 'success',
    requestId: `req-${writer}-${i}`,
    details: { writer, i },
  };
}

/** One writer: `count` appends, each committed in its own transaction. */
async function write(db: Database, audit: AuditLog, count: number, writer: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = now();
    await transaction(db, (tx) => audit.append(tx, event(writer, i)));
    latencies.push(now() - start);
    // Each append in the app comes from its own I/O event (a request, a job): yield as they do, or an
    // in-memory PGlite, which never waits on I/O, would run the whole loop without letting a timer (the sealer's) fire.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return latencies;
}

/** Appends `total` events from `writers` writers; answers events/s. */
async function run(db: Database, audit: AuditLog, label: string, writers: number, total: number): Promise<number> {
  const per = Math.ceil(total / writers);
  console.log(`${label}: ${writers === 1 ? 'sequential' : `${writers} concurrent writers`}, ${per * writers} appends, each its own transaction`);
  const start = now();
  const latencies = (await Promise.all(Array.from({ length: writers }, (_, w) => write(db, audit, per, w)))).flat();
  const ms = now() - start;
  const rate = (per * writers) / (ms / 1000);
  const sorted = latencies.sort((a, b) => a - b);
  figure('time', seconds(ms));
  figure('append rate', `${rate.toFixed(0)} events/s`);
  figure('latency p50 / p99', `${percentile(sorted, 50).toFixed(2)} ms / ${percentile(sorted, 99).toFixed(2)} ms`);
  await settle(audit);
  return rate;
}

/** Waits for the background sealer to catch up, then reports the wait. */
async function settle(audit: AuditLog): Promise<void> {
  const start = now();
  const left = (await audit.unsealed()).count;
  while ((await audit.unsealed()).count > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  figure('sealed after the last append', `${seconds(now() - start)} (${left} events were waiting)`);
}

/** True when the chain verifies and holds exactly `expected` events, none unsealed. */
async function verify(audit: AuditLog, expected: number): Promise<boolean> {
  const start = now();
  const report = await audit.verify();
  const ms = now() - start;
  if (!report.ok) {
    figure('chain', `FAILED at seq ${report.fault?.seq}: ${report.fault?.problem} (${report.fault?.detail})`);
    return false;
  }
  if (report.events !== expected || report.unsealed.count !== 0) {
    figure('chain', `verified but holds ${report.events} events (${report.unsealed.count} unsealed), expected ${expected}`);
    return false;
  }
  figure('chain', `verified: ${report.events} events, ${report.checkpoints} signed checkpoints (${seconds(ms)})`);
  return true;
}

/** The floor for `writers` writers: plain node-postgres transactions, the same statements, no ORM, no Loupe. */
async function floor(pool: pg.Pool, writers: number, total: number): Promise<number> {
  const per = Math.ceil(total / writers);
  const start = now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < per; i++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(
            `INSERT INTO floor_event (id, at, "actorType", "actorId", action, outcome, "requestId", details) VALUES (gen_random_uuid()::text, now(), 'system', $1, 'bench.append', 'success', $2, $3) RETURNING *`,
            [`bench-writer-${w}`, `req-${w}-${i}`, JSON.stringify({ writer: w, i })],
          );
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  const rate = (per * writers) / ((now() - start) / 1000);
  console.log(`floor: ${writers} writers, plain node-postgres BEGIN/INSERT/COMMIT, ${per * writers} transactions`);
  figure('floor rate', `${rate.toFixed(0)} transactions/s`);
  return rate;
}

type Line = (writers: number, rate: number) => Promise<void> | void;

async function bench(db: Database, label: string, concurrency: number[], line: Line): Promise<boolean> {
  await migrate(db, await benchMigrations());
  await syncKeyVersions(db, keyRing);
  const audit = new AuditLog({ db, keyRing, clock: systemClock, checkpointInterval: CHECKPOINT_INTERVAL });
  audit.sealer.start((error) => console.error('sealing failed:', error));
  try {
    // Warm-up: the first appends pay for query planning and connection setup.
    await write(db, audit, WARM_UP, 0);
    let expected = WARM_UP;
    await run(db, audit, label, 1, SEQUENTIAL);
    expected += SEQUENTIAL;
    for (const writers of concurrency) {
      const total = Math.ceil(CONCURRENT_EVENTS / writers) * writers;
      await line(writers, await run(db, audit, label, writers, total));
      expected += total;
    }
    return await verify(audit, expected);
  } finally {
    await audit.sealer.stop();
  }
}

async function benchPglite(): Promise<boolean> {
  const db = await openDatabase({});
  try {
    return await bench(db, 'PGlite (in memory)', [8], (writers, rate) =>
      reportLine({ name: `audit append, PGlite, ${writers} concurrent writers`, figure: `${rate.toFixed(0)} events/s`, target: 'none', pass: null }),
    );
  } finally {
    await db.close();
  }
}

async function benchPostgres(): Promise<boolean> {
  const result = await withPostgresSchema(async (url, shown) => {
    const db = await openDatabase({ url });
    const { connectionString, schema } = parsePostgresUrl(url);
    // The size of Loupe's own pool (src/storage/database.ts).
    const pool = new pg.Pool({ connectionString, max: 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
    try {
      const floors = new Map<number, number>();
      return await bench(db, `PostgreSQL (${shown})`, [8, 32], async (writers, rate) => {
        if (!floors.size) await pool.query('CREATE TABLE floor_event (LIKE "AuditEvent" INCLUDING ALL)');
        const base = await floor(pool, writers, CONCURRENT_EVENTS);
        floors.set(writers, base);
        figure('Loupe / floor', `${(rate / base).toFixed(2)} x`);
        reportLine({ name: `audit append, PostgreSQL, ${writers} concurrent writers`, figure: `${rate.toFixed(0)} events/s (${(rate / base).toFixed(2)} x floor)`, target: `>= ${TARGET} events/s`, pass: rate >= TARGET });
      });
    } finally {
      await pool.end();
      await db.close();
    }
  });
  return result ?? true;
}

let ok = true;
for (const [name, run] of [
  ['PGlite', benchPglite],
  ['PostgreSQL', benchPostgres],
] as const) {
  try {
    if (!(await run())) ok = false;
  } catch (error) {
    console.error(`audit-append on ${name} failed:`, error);
    ok = false;
  }
}
process.exitCode = ok ? 0 : 1;
