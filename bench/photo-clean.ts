// Photo clean-up throughput: Loupe's cleanPhoto on a 12-megapixel JPEG and
// HEIC with phone metadata, next to Debian's `vips` decoding and re-encoding
// the same file without metadata (`vips copy in out[strip]`).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../src/imaging/limits.js';
import { cleanPhoto } from '../src/imaging/photo.js';
import type { PhotoKind } from '../src/imaging/sniff.js';
import { figure, now } from './lib.js';
import { makePhoto } from './photos.js';

const RUNS = 5;

function tool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status !== null;
}

async function loupeRate(bytes: Buffer, kind: PhotoKind): Promise<number> {
  await cleanPhoto(bytes, kind, DEFAULT_LIMITS); // warm-up
  const start = now();
  for (let i = 0; i < RUNS; i++) await cleanPhoto(bytes, kind, DEFAULT_LIMITS);
  return RUNS / ((now() - start) / 1000);
}

function vipsRate(input: string, output: string): number {
  execFileSync('vips', ['copy', input, `${output}[Q=92,strip]`]);
  const start = now();
  for (let i = 0; i < RUNS; i++) execFileSync('vips', ['copy', input, `${output}[Q=92,strip]`]);
  return RUNS / ((now() - start) / 1000);
}

const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-photo-'));
try {
  const jpeg = join(dir, 'phone.jpg');
  await makePhoto(jpeg);
  if (tool('exiftool')) {
    execFileSync('exiftool', ['-q', '-overwrite_original', '-GPSLatitude=51.5', '-GPSLatitudeRef=N', '-SerialNumber=BENCH-1', '-Orientation#=6', jpeg]);
  }
  const inputs: [string, string, PhotoKind][] = [['12 MP JPEG', jpeg, 'jpeg']];
  if (tool('heif-enc')) {
    const heic = join(dir, 'iphone.heic');
    execFileSync('heif-enc', ['-q', '80', jpeg, '-o', heic], { stdio: 'ignore' });
    inputs.push(['12 MP HEIC', heic, 'heif']);
  } else {
    console.log('heif-enc not installed (Debian: libheif-examples): HEIC skipped');
  }
  for (const [label, path, kind] of inputs) {
    const bytes = await readFile(path);
    console.log(`${label} (${(bytes.length / 1e6).toFixed(1)} MB), ${RUNS} runs`);
    const loupe = await loupeRate(bytes, kind);
    figure('Loupe cleanPhoto (derivative + preview)', `${loupe.toFixed(2)} images/s`);
    if (tool('vips')) {
      try {
        const vips = vipsRate(path, join(dir, 'vips-out.jpg'));
        figure('vips copy (decode + re-encode, strip)', `${vips.toFixed(2)} images/s`);
        figure('ratio Loupe/vips', (loupe / vips).toFixed(2));
      } catch {
        // Debian's libvips has no HEVC decoder, the same gap sharp's has.
        figure('vips copy', 'cannot decode this file (no HEVC decoder in Debian\'s libvips)');
      }
    } else {
      figure('vips', 'not installed (Debian: libvips-tools)');
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
