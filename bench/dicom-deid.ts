// DICOM de-identification of a 500 MB multi-frame file: throughput and peak
// memory of Loupe's streaming de-identifier, next to GDCM's `gdcmanon`
// (dumb mode, a handful of tags) on the same file.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, statfs } from 'node:fs/promises';
import { once } from 'node:events';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dicomData } from '../src/imaging/dicom/dcmjs.js';
import { Deidentifier } from '../src/imaging/dicom/deidentify.js';
import { deidentifyDicomFile } from '../src/imaging/dicom/file.js';
import { writeDicom } from '../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../src/imaging/limits.js';
import { RssSampler, figure, mb, mbPerSecond, now, seconds } from './lib.js';

const FRAME = 512 * 512 * 2;
const TARGET = Number(process.env.BENCH_DICOM_BYTES ?? 500_000_000);
const FRAMES = Math.max(1, Math.round(TARGET / FRAME));

/** A CT-like header with identifying values, then FRAMES frames of 512×512×16-bit pixels, written in pieces. */
async function makeFile(path: string): Promise<number> {
  const file = new dicomData.DicomDict({
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2.1'] },
    '00020003': { vr: 'UI', Value: ['1.2.826.0.1.3680043.10.999.1'] },
    '00020010': { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] },
    '00020012': { vr: 'UI', Value: ['1.2.826.0.1.3680043.10.999'] },
  });
  file.dict = {
    '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2.1'] },
    '00080018': { vr: 'UI', Value: ['1.2.826.0.1.3680043.10.999.1'] },
    '00080020': { vr: 'DA', Value: ['20260101'] },
    '00080060': { vr: 'CS', Value: ['CT'] },
    '00080080': { vr: 'LO', Value: ['Bench General Hospital'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Bench^Patient' }] },
    '00100020': { vr: 'LO', Value: ['MRN-BENCH-1'] },
    '00100030': { vr: 'DA', Value: ['19500101'] },
    '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.10.999.2'] },
    '0020000E': { vr: 'UI', Value: ['1.2.826.0.1.3680043.10.999.3'] },
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280008': { vr: 'IS', Value: [FRAMES] },
    '00280010': { vr: 'US', Value: [512] },
    '00280011': { vr: 'US', Value: [512] },
    '00280100': { vr: 'US', Value: [16] },
    '00280101': { vr: 'US', Value: [12] },
    '00280102': { vr: 'US', Value: [11] },
    '00280103': { vr: 'US', Value: [0] },
  };
  const out = createWriteStream(path);
  const element = Buffer.alloc(12);
  element.writeUInt16LE(0x7fe0, 0);
  element.writeUInt16LE(0x0010, 2);
  element.write('OW', 4, 'latin1');
  element.writeUInt32LE(FRAMES * FRAME, 8);
  out.write(writeDicom(file));
  out.write(element);
  const frame = randomBytes(FRAME);
  for (let i = 0; i < FRAMES; i++) {
    frame.writeUInt32LE(i, 0); // every frame different
    if (!out.write(Buffer.from(frame))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return (await stat(path)).size;
}

async function sha(path: string, from: number): Promise<string> {
  const { createReadStream } = await import('node:fs');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { start: from })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const base = tmpdir();
const free = (await statfs(base)).bavail * (await statfs(base)).bsize;
if (free < 4 * TARGET) {
  console.log(`not enough free disk in ${base}: ${mb(free)} free, ${mb(4 * TARGET)} needed`);
  process.exit(1);
}
const dir = await mkdtemp(join(base, 'loupe-bench-dicom-'));
try {
  const input = join(dir, 'series.dcm');
  const size = await makeFile(input);
  console.log(`multi-frame DICOM: ${FRAMES} frames of 512×512×16 bit, ${mb(size)}`);
  const baseline = process.memoryUsage().rss;
  const sampler = new RssSampler();
  sampler.start();
  let start = now();
  const output = join(dir, 'series-deid.dcm');
  const result = await deidentifyDicomFile(input, output, new Deidentifier(), { secret: randomBytes(32), limits: DEFAULT_LIMITS });
  const loupeMs = now() - start;
  const peak = sampler.stop().peakRss;
  figure('Loupe deidentifyDicomFile', `${seconds(loupeMs)}, ${mbPerSecond(size, loupeMs).toFixed(0)} MB/s`);
  figure('fields removed / emptied / replaced', `${result.report.removed} / ${result.report.emptied} / ${result.report.replaced}`);
  figure('RSS before', mb(baseline));
  figure('peak RSS during de-identification', `${mb(peak)} (growth ${mb(Math.max(0, peak - baseline))})`);
  const inSize = (await stat(input)).size;
  const outSize = (await stat(output)).size;
  const same = (await sha(input, inSize - FRAMES * FRAME)) === (await sha(output, outSize - FRAMES * FRAME));
  figure('pixel data byte-identical', same ? 'yes' : 'NO');
  if (spawnSync('gdcmanon', ['--version'], { stdio: 'ignore' }).status !== null) {
    start = now();
    execFileSync('gdcmanon', ['--dumb', '--empty', '10,10', '--empty', '10,20', '--remove', '10,30', '--remove', '8,80', '-i', input, '-o', join(dir, 'gdcm.dcm')]);
    const gdcmMs = now() - start;
    figure('gdcmanon --dumb (4 tags)', `${seconds(gdcmMs)}, ${mbPerSecond(size, gdcmMs).toFixed(0)} MB/s`);
    figure('ratio Loupe/gdcmanon (throughput)', (gdcmMs / loupeMs).toFixed(2));
  } else {
    figure('gdcmanon', 'not installed (Debian: libgdcm-tools)');
  }
  if (!same) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
