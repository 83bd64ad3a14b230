// `npm run fuzz -- [--seconds N] [--cases N] [--seed S] [--case-ms N] [--memory-mb N] [--out DIR] [--only NAME]`
//
// Mutates real files (pydicom's DICOM test files and charset files, and a
// JPEG, PNG and HEIC made with sharp, exiftool and heif-enc) by bit flips,
// truncations and corrupted lengths, and sends each case through the same
// sandboxed prepareAsset the server uses. A case fails on a crash, a hang past
// --case-ms, memory past --memory-mb, or an error the imaging code did not
// type itself; each failure is saved in --out with a note naming how to
// replay it (the seed is printed first; case n of a seed is always the same).
// Exit 0 when every case was refused or accepted cleanly, 1 otherwise.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCode, LoupeError } from '../src/core/errors.js';
import { DEFAULT_LIMITS } from '../src/imaging/limits.js';
import { ForeignImagingError, ImagingSandbox } from '../src/imaging/sandbox/sandbox.js';
import { prepareAsset } from '../src/intake/prepare-asset.js';
import { makePhotoFixtures } from '../test/support/photos.js';
import { seededRandom } from './seeded-random.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    'case-ms': { type: 'string', default: '10000' },
    'memory-mb': { type: 'string', default: '1536' },
    out: { type: 'string', default: 'fuzz-failures' },
    only: { type: 'string' },
  },
});

/** Errors that are a clean refusal of a bad file. */
const REFUSALS = new Set<string>([
  ErrorCode.ImageCorrupt,
  ErrorCode.ImageUnsupported,
  ErrorCode.ImageTooLarge,
  ErrorCode.ImageTooManyPixels,
  ErrorCode.ImageTooManyFrames,
  ErrorCode.NotAnImage,
]);

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** Offsets of what look like explicit VR element headers (a tag, then two capitals), whose lengths are worth corrupting. */
function elementHeaders(b: Buffer): number[] {
  const found: number[] = [];
  for (let i = 0; i + 8 <= b.length; i += 2) {
    const v0 = b[i + 4]!;
    const v1 = b[i + 5]!;
    if (v0 >= 0x41 && v0 <= 0x5a && v1 >= 0x41 && v1 <= 0x5a) found.push(i);
  }
  return found;
}

function mutate(original: Buffer, headers: number[], rnd: () => number): { bytes: Buffer; how: string } {
  const pick = (n: number) => Math.floor(rnd() * n);
  const b = Buffer.from(original);
  const kind = pick(4);
  if (kind === 0) {
    const flips = 1 + pick(8);
    for (let k = 0; k < flips; k++) {
      const at = pick(b.length);
      b[at] = b[at]! ^ (1 << pick(8));
    }
    return { bytes: b, how: `${flips} bit flips` };
  }
  if (kind === 1) {
    const at = pick(b.length);
    return { bytes: b.subarray(0, at), how: `truncated at ${at}` };
  }
  // A length field: at a DICOM element header when there is one, else anywhere (JPEG and PNG lengths are big-endian).
  const value = rnd() < 0.6 ? INTERESTING[pick(INTERESTING.length)]! : pick(b.length * 4);
  if (kind === 2 && headers.length) {
    const at = headers[pick(headers.length)]!;
    const long = rnd() < 0.5 && at + 12 <= b.length;
    if (long) b.writeUInt32LE(value >>> 0, at + 8);
    else b.writeUInt16LE(value & 0xffff, at + 6);
    return { bytes: b, how: `element length at ${at} set to ${value}` };
  }
  const at = pick(Math.max(1, b.length - 4));
  if (rnd() < 0.5) b.writeUInt16BE(value & 0xffff, at);
  else b.writeUInt32BE(value >>> 0, at);
  return { bytes: b, how: `length-like value ${value} at ${at}` };
}

async function seedFiles(work: string): Promise<{ name: string; bytes: Buffer; headers: number[] }[]> {
  const paths: string[] = [];
  for (const dir of ['test_files', 'charset_files']) {
    for (const name of await readdir(join(PYDICOM, dir))) if (name.endsWith('.dcm')) paths.push(join(PYDICOM, dir, name));
  }
  const photos = await makePhotoFixtures(work);
  paths.push(photos.jpeg, photos.png, photos.heic);
  const seeds = [];
  for (const path of paths.sort()) {
    if (flags.only && !basename(path).includes(flags.only)) continue;
    const bytes = await readFile(path);
    // Large seeds make slow cases and find nothing small ones do not.
    if (bytes.length > 2 * 1024 * 1024) continue;
    seeds.push({ name: basename(path), bytes, headers: path.endsWith('.dcm') ? elementHeaders(bytes) : [] });
  }
  return seeds;
}

async function main(): Promise<number> {
  const seed = flags.seed ? Number(flags.seed) : Math.floor(Math.random() * 2 ** 31);
  const deadline = Date.now() + Number(flags.seconds) * 1000;
  const maxCases = Number(flags.cases);
  const caseMs = Number(flags['case-ms']);
  const memoryBytes = Number(flags['memory-mb']) * 1024 * 1024;
  console.log(`fuzz: seed ${seed} (replay with --seed ${seed}), ${flags.seconds} s, up to ${maxCases} cases, ${caseMs} ms and ${flags['memory-mb']} MiB per case`);
  const work = await mkdtemp(join(tmpdir(), 'loupe-fuzz-'));
  const sandbox = new ImagingSandbox({ processes: 1, pollMs: 10, budget: () => ({ timeMs: caseMs, memoryBytes }) });
  const secret = Buffer.alloc(32, 7);
  const counts = { cases: 0, prepared: 0, refused: 0, failed: 0 };
  const byCode = new Map<string, number>();
  let slowest = { ms: 0, label: '' };
  try {
    const seeds = await seedFiles(work);
    console.log(`fuzz: ${seeds.length} seed files`);
    while (counts.cases < maxCases && Date.now() < deadline && seeds.length) {
      const n = counts.cases++;
      const from = seeds[n % seeds.length]!;
      const rnd = seededRandom(seed ^ Math.imul(n + 1, 0x9e3779b1));
      const { bytes, how } = mutate(from.bytes, from.headers, rnd);
      const label = `case ${n} (${from.name}, ${how})`;
      const started = Date.now();
      let failure: string | undefined;
      try {
        await prepareAsset(bytes, { limits: DEFAULT_LIMITS, secret, sandbox });
        counts.prepared++;
      } catch (error) {
        if (!(error instanceof LoupeError)) failure = `an untyped ${(error as Error)?.name ?? typeof error}`;
        else if (error.cause instanceof ForeignImagingError) failure = `a library error the imaging code did not type (${error.cause.message})`;
        else if (error.code === ErrorCode.ImageBudgetExceeded) failure = `${error.message} (peak ${Math.round((sandbox.lastKill?.peakRss ?? 0) / 2 ** 20)} MiB)`;
        else if (!REFUSALS.has(error.code)) failure = `an unexpected error code ${error.code}`;
        else {
          counts.refused++;
          byCode.set(error.code, (byCode.get(error.code) ?? 0) + 1);
        }
      }
      const ms = Date.now() - started;
      if (ms > slowest.ms) slowest = { ms, label };
      if (failure) {
        counts.failed++;
        await mkdir(flags.out!, { recursive: true });
        const id = `${from.name}-seed${seed}-case${n}-${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}`;
        await writeFile(join(flags.out!, `${id}.bin`), bytes);
        await writeFile(join(flags.out!, `${id}.txt`), `${label}\n${failure}\nreplay: npm run fuzz -- --seed ${seed} --only ${from.name}\n`);
        console.log(`FAILED ${label}: ${failure}; saved as ${join(flags.out!, id)}.bin`);
      }
      if (counts.cases % 500 === 0) console.log(`fuzz: ${counts.cases} cases, ${counts.failed} failed`);
    }
  } finally {
    await sandbox.close();
    await rm(work, { recursive: true, force: true });
  }
  const codes = [...byCode].map(([c, k]) => `${c} ${k}`).join(', ');
  console.log(`fuzz: ${counts.cases} cases: ${counts.prepared} prepared, ${counts.refused} refused (${codes}), ${counts.failed} failed; slowest ${slowest.ms} ms: ${slowest.label}`);
  return counts.failed ? 1 : 0;
}

process.exitCode = await main();
