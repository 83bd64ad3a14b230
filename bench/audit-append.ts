// Audit append rate on both engines. Every append takes the chain-head lock
// and reads the previous hash, so this is the ceiling on audited operations
// per second, and the concurrent run shows what lock contention costs.
//
// LOUPE_BENCH_POSTGRES_URL overrides the PostgreSQL base URL; a fresh schema
// is created in it and dropped at the end.
import type { AuditEventInput } from '../src/core/audit/event.js';
import { systemClock } from '../src/core/clock.js';
import { KeyRing } from '../src/crypto/keyring.js';
import { AuditLog } from '../src/storage/audit-log.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { syncKeyVersions } from '../src/storage/key-versions.js';
import { migrate } from '../src/storage/migrate.js';
import { figure, now, percentile, seconds, withPostgresSchema, benchMigrations } from './lib.js';

const WARM_UP = 20;
const SEQUENTIAL = 2000;
const WRITERS = 4;
const PER_WRITER = 500;
// The production default, so checkpoint signing costs what it costs in service.
const CHECKPOINT_INTERVAL = 1000;

const keyRing = KeyRing.parse(JSON.stringify(KeyRing.generateFile(new Date())));

function auditLog(db: Database): AuditLog {
  return new AuditLog({ db, keyRing, clock: systemClock, checkpointInterval: CHECKPOINT_INTERVAL });
}

function event(writer: number, i: number): AuditEventInput {
  return {
    actor: { type: 'system', id: `bench-writer-${writer}` },
    action: 'bench.append',
    outcome: 'success',
    requestId: `req-${writer}-${i}`,
    details: { writer, i },
  };
}

function printRate(events: number, ms: number, latencies: number[]): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  figure('events', String(events));
  figure('time', seconds(ms));
  figure('append rate', `${(events / (ms / 1000)).toFixed(0)} events/s`);
  figure('latency p50', `${percentile(sorted, 50).toFixed(2)} ms`);
  figure('latency p99', `${percentile(sorted, 99).toFixed(2)} ms`);
}

async function appendSequentially(audit: AuditLog, count: number, writer = 0): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = now();
    await audit.record(event(writer, i));
    latencies.push(now() - start);
  }
  return latencies;
}

async function prepare(db: Database): Promise<AuditLog> {
  await migrate(db, await benchMigrations());
  await syncKeyVersions(db, keyRing);
  const audit = auditLog(db);
  // Warm-up: the first appends pay for query planning and connection setup.
  await appendSequentially(audit, WARM_UP);
  return audit;
}

async function sequentialRun(audit: AuditLog, label: string): Promise<void> {
  console.log(`${label}: ${SEQUENTIAL} sequential audit.record() calls`);
  const start = now();
  const latencies = await appendSequentially(audit, SEQUENTIAL);
  printRate(SEQUENTIAL, now() - start, latencies);
}

/** True when the chain verifies and holds exactly `expected` events. */
async function verify(audit: AuditLog, expected: number): Promise<boolean> {
  const start = now();
  const report = await audit.verify();
  const ms = now() - start;
  if (!report.ok) {
    figure('chain', `FAILED at seq ${report.fault?.seq}: ${report.fault?.problem} (${report.fault?.detail})`);
    return false;
  }
  if (report.events !== expected) {
    figure('chain', `verified but holds ${report.events} events, expected ${expected}`);
    return false;
  }
  figure('chain', `verified: ${report.events} events, ${report.checkpoints} signed checkpoints (${seconds(ms)})`);
  return true;
}

async function benchPglite(): Promise<boolean> {
  const db = await openDatabase({});
  try {
    const audit = await prepare(db);
    await sequentialRun(audit, 'PGlite (in memory)');
    return await verify(audit, WARM_UP + SEQUENTIAL);
  } finally {
    await db.close();
  }
}

async function benchPostgres(): Promise<boolean> {
  const result = await withPostgresSchema(async (url, shown) => {
    const handles: Database[] = [];
    try {
      const main = await openDatabase({ url });
      handles.push(main);
      const audit = await prepare(main);
      await sequentialRun(audit, `PostgreSQL (${shown})`);

      // Separate handles stand in for separate Loupe instances: each has its
      // own pool, and they meet only at the chain-head advisory lock.
      const writers: AuditLog[] = [];
      for (let w = 0; w < WRITERS; w++) {
        const db = await openDatabase({ url });
        handles.push(db);
        writers.push(auditLog(db));
      }
      await Promise.all(writers.map((w, i) => w.record(event(i + 1, -1))));
      console.log(`PostgreSQL: ${WRITERS} concurrent writers (separate Database handles), ${PER_WRITER} appends each`);
      const start = now();
      const latencies = (await Promise.all(writers.map((w, i) => appendSequentially(w, PER_WRITER, i + 1)))).flat();
      printRate(WRITERS * PER_WRITER, now() - start, latencies);
      return await verify(audit, WARM_UP + SEQUENTIAL + WRITERS + WRITERS * PER_WRITER);
    } finally {
      await Promise.all(handles.map((h) => h.close().catch(() => {})));
    }
  });
  return result ?? true;
}

let ok = true;
for (const [name, bench] of [
  ['PGlite', benchPglite],
  ['PostgreSQL', benchPostgres],
] as const) {
  try {
    if (!(await bench())) ok = false;
  } catch (error) {
    console.error(`audit-append on ${name} failed:`, error);
    ok = false;
  }
}
process.exitCode = ok ? 0 : 1;
