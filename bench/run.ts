// Runs the benchmarks one after another, each in a process of its own so that
// one's memory (a 2 GB blob, PGlite's heap) cannot show up in another's figures.
//
//   npm run bench                      all of them
//   npm run bench -- blob-throughput   only the ones named
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchLine } from './lib.js';

// Name -> script and environment; the embedded and S3 memory runs are the same script on PGlite or with the S3 store.
const SCRIPTS = {
  'blob-throughput': { script: 'blob-throughput', env: {} },
  'blob-memory': { script: 'blob-memory', env: { BENCH_ENGINE: 'postgres', BENCH_BLOB_STORE: 'folder' } },
  'blob-memory-embedded': { script: 'blob-memory', env: { BENCH_ENGINE: 'pglite', BENCH_BLOB_STORE: 'folder' } },
  'blob-memory-s3': { script: 'blob-memory', env: { BENCH_ENGINE: 'postgres', BENCH_BLOB_STORE: 's3' } },
  'audit-append': { script: 'audit-append', env: {} },
  'photo-clean': { script: 'photo-clean', env: {} },
  'dicom-deid': { script: 'dicom-deid', env: {} },
  'slack-upload': { script: 'slack-upload', env: {} },
  'upload-s3-instances': { script: 'upload-s3-instances', env: {} },
  'teams-upload': { script: 'teams-upload', env: {} },
  'study-ingest': { script: 'study-ingest', env: {} },
  viewer: { script: 'viewer', env: {} },
  'sandbox-memory': { script: 'sandbox-memory', env: {} },
  'idle-memory': { script: 'idle-memory', env: {} },
} as const;
type Benchmark = keyof typeof SCRIPTS;
const BENCHMARKS = Object.keys(SCRIPTS) as Benchmark[];

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function isBenchmark(name: string): name is Benchmark {
  return Object.hasOwn(SCRIPTS, name);
}

function selected(args: string[]): Benchmark[] | null {
  if (args.length === 0) return [...BENCHMARKS];
  const unknown = args.filter((a) => !isBenchmark(a));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${BENCHMARKS.join(', ')}`);
    return null;
  }
  return args.filter(isBenchmark);
}

function runOne(name: Benchmark, results: string): Promise<{ ok: boolean; outcome: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const { script, env } = SCRIPTS[name];
    // Compiled JavaScript, as production runs it: a TypeScript loader would add its own memory.
    const child = spawn(process.execPath, [join(here, `${script}.js`)], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env, BENCH_RESULTS: results },
    });
    child.on('error', (error) => resolve({ ok: false, outcome: `could not start: ${error.message}`, ms: performance.now() - start }));
    child.on('exit', (code, signal) => {
      const ms = performance.now() - start;
      if (code === 0) resolve({ ok: true, outcome: 'ok', ms });
      else resolve({ ok: false, outcome: signal ? `killed by ${signal}` : `FAILED (exit code ${code})`, ms });
    });
  });
}

/** The lines every script reported, as one table: figure, target, verdict. */
function table(lines: BenchLine[]): string {
  const rows = lines.map((l) => [l.name, l.figure, l.target, l.pass === null ? '-' : l.pass ? 'PASS' : 'FAIL']);
  const head = ['line', 'today', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [row(head), row(widths.map((w) => '-'.repeat(w))), ...rows.map(row)].join('\n');
}

function readLines(file: string): BenchLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as BenchLine);
}

async function main(): Promise<number> {
  const names = selected(process.argv.slice(2));
  if (!names) return 2;
  const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-results-'));
  const file = join(dir, 'lines.jsonl');
  const started = performance.now();
  const results: { name: Benchmark; ok: boolean; outcome: string; ms: number }[] = [];
  try {
    for (const [i, name] of names.entries()) {
      console.log(`\n=== ${name} (${i + 1}/${names.length}) ===`);
      const result = await runOne(name, file);
      console.log(`--- ${name}: ${result.outcome} in ${(result.ms / 1000).toFixed(1)} s`);
      results.push({ name, ...result });
    }
    const lines = readLines(file);
    // A script that died reports what it could; its failure is a line of its own.
    for (const r of results.filter((x) => !x.ok)) lines.push({ name: r.name, figure: r.outcome, target: 'runs to the end', pass: false });
    console.log(`\n=== summary (${((performance.now() - started) / 60_000).toFixed(1)} min) ===`);
    console.log(table(lines));
    return results.every((r) => r.ok) && lines.every((l) => l.pass !== false) ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
