// Photo clean-up throughput: Loupe's cleanPhoto on a 12-megapixel JPEG and
// HEIC with phone metadata, next to Debian's `vips` decoding and re-encoding
// the same file without metadata (`vips copy in out[strip]`). The two are
// timed back to back, one image each per round, and the best round of each
// counts: on a shared machine the best is the figure least bent by others.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../src/imaging/limits.js';
import { cleanPhoto } from '../src/imaging/photo.js';
import type { PhotoKind } from '../src/imaging/sniff.js';
import { figure, now, reportLine } from './lib.js';
import { makePhoto } from './photos.js';

const ROUNDS = 5;
const TARGET = 0.8;

function tool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status !== null;
}

/** Images per second of one cleanPhoto (derivative and preview). */
async function loupeOnce(bytes: Buffer, kind: PhotoKind): Promise<number> {
  const start = now();
  await cleanPhoto(bytes, kind, DEFAULT_LIMITS);
  return 1000 / (now() - start);
}

function vipsOnce(input: string, output: string): number {
  const start = now();
  execFileSync('vips', ['copy', input, `${output}[Q=92,strip]`], { stdio: 'ignore' });
  return 1000 / (now() - start);
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
  const canVips = tool('vips');
  if (!canVips) figure('vips', 'not installed (Debian: libvips-tools)');
  for (const [label, path, kind] of inputs) {
    const bytes = await readFile(path);
    console.log(`${label} (${(bytes.length / 1e6).toFixed(1)} MB), best of ${ROUNDS} rounds`);
    await cleanPhoto(bytes, kind, DEFAULT_LIMITS); // warm-up
    let vipsWorks = canVips;
    if (canVips) {
      try {
        vipsOnce(path, join(dir, 'vips-out.jpg')); // warm-up, and can vips read it at all?
      } catch {
        // Debian's libvips has no HEVC decoder, the same gap sharp's has.
        vipsWorks = false;
        figure('vips copy', "cannot decode this file (no HEVC decoder in Debian's libvips)");
      }
    }
    let loupe = 0;
    let vips = 0;
    for (let round = 0; round < ROUNDS; round++) {
      loupe = Math.max(loupe, await loupeOnce(bytes, kind));
      if (vipsWorks) vips = Math.max(vips, vipsOnce(path, join(dir, 'vips-out.jpg')));
    }
    figure('Loupe cleanPhoto (derivative + preview)', `${loupe.toFixed(2)} images/s`);
    if (!vipsWorks) {
      reportLine({ name: `photo clean-up, ${label}`, figure: `${loupe.toFixed(2)} images/s`, target: 'none (no vips reference)', pass: null });
      continue;
    }
    figure('vips copy (decode + re-encode, strip)', `${vips.toFixed(2)} images/s`);
    const ratio = loupe / vips;
    reportLine({ name: `photo clean-up, ${label}`, figure: `${ratio.toFixed(2)} x vips copy`, target: `>= ${TARGET} x vips copy`, pass: ratio >= TARGET });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
