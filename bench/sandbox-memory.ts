// How closely the imaging sandbox holds a child to its memory budget: a
// 100-megapixel photo (about 300 MB decoded) is prepared under budgets below
// what it needs, and the child's peak resident set (VmHWM, read as it is
// killed) is printed against the budget. The budget is enforced by polling
// /proc every 20 ms, so a child can overshoot by what it allocates in one
// interval.
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { DEFAULT_LIMITS } from '../src/imaging/limits.js';
import { ImagingSandbox } from '../src/imaging/sandbox/sandbox.js';
import { prepareAsset } from '../src/intake/prepare-asset.js';
import { figure, MiB, now, seconds } from './lib.js';

const width = 10_000;
const height = 10_000;
const photo = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
console.log(`sandbox memory: a ${width}x${height} PNG of noise (${(photo.length / MiB).toFixed(0)} MiB)`);
for (const budgetMiB of [256, 512, 768]) {
  const sandbox = new ImagingSandbox({ processes: 1, pollMs: 20, budget: () => ({ timeMs: 120_000, memoryBytes: budgetMiB * MiB }) });
  const started = now();
  const outcome = await prepareAsset(photo, { limits: DEFAULT_LIMITS, secret: Buffer.alloc(32), sandbox }).then(
    () => 'prepared',
    (error: Error) => error.message,
  );
  const peak = sandbox.lastKill?.peakRss;
  figure(`budget ${budgetMiB} MiB`, `${outcome}; peak ${peak ? `${(peak / MiB).toFixed(0)} MiB` : 'n/a'} after ${seconds(now() - started)}`);
  await sandbox.close();
}
