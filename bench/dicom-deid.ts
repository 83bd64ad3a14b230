// DICOM de-identification of a 500 MB multi-frame file: throughput and peak
// memory of Loupe's de-identifier, next to GDCM's `gdcmanon --dumb` (a
// handful of tags) and Orthanc's /anonymize (its PS3.15 Basic Profile) on the
// same file, best of 3 each, the three run back to back in each round.
//
// What each side's time includes:
// - Loupe: deidentifyDicomFile, in this process: open the input, parse the
//   header, apply PS3.15 Table E.1-1, write header and pixel data to a
//   temporary file, fsync it, rename it into place. Not Node's start-up (the
//   `loupe deidentify` command's whole run, start-up and sandbox child
//   included, is printed once as a figure of its own).
// - gdcmanon: the whole process, from exec to exit (it reads the file, writes
//   the output, and does not fsync it).
// - Orthanc: POST /instances/{id}/anonymize on the file already uploaded (the
//   upload is timed and printed apart, not counted), until its answer is
//   written to a file here (not fsynced).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat, statfs } from 'node:fs/promises';
import { once } from 'node:events';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dicomData } from '../src/imaging/dicom/dcmjs.js';
import { Deidentifier } from '../src/imaging/dicom/deidentify.js';
import { deidentifyDicomFile } from '../src/imaging/dicom/file.js';
import { writeDicom } from '../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../src/imaging/limits.js';
import { RssSampler, figure, mb, mbPerSecond, now, reportLine, seconds } from './lib.js';
import { Orthanc, orthancInstalled } from './orthanc.js';

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
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { start: from })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Whether the first `bytes` of a file hold `text` (the header is well within them). */
async function headerHolds(path: string, text: string, bytes = 64 * 1024): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(head, 0, bytes, 0);
    return head.subarray(0, bytesRead).includes(text);
  } finally {
    await handle.close();
  }
}

const ROUNDS = 3;
const rate = (bytes: number, ms: number) => `${mbPerSecond(bytes, ms).toFixed(0)} MB/s (${seconds(ms)})`;

const base = tmpdir();
const free = (await statfs(base)).bavail * (await statfs(base)).bsize;
if (free < 5 * TARGET) {
  console.log(`not enough free disk in ${base}: ${mb(free)} free, ${mb(5 * TARGET)} needed`);
  process.exit(1);
}
const dir = await mkdtemp(join(base, 'loupe-bench-dicom-'));
let orthanc: Orthanc | undefined;
try {
  const input = join(dir, 'series.dcm');
  const size = await makeFile(input);
  console.log(`multi-frame DICOM: ${FRAMES} frames of 512×512×16 bit, ${mb(size)}`);
  const secret = randomBytes(32);
  const output = join(dir, 'series-deid.dcm');
  const loupe = async (): Promise<number> => {
    await rm(output, { force: true });
    const start = now();
    await deidentifyDicomFile(input, output, new Deidentifier(), { secret, limits: DEFAULT_LIMITS });
    return now() - start;
  };

  // Once first for what it does: fields, memory, pixel data unchanged.
  const baseline = process.memoryUsage().rss;
  const sampler = new RssSampler();
  sampler.start();
  await rm(output, { force: true });
  const result = await deidentifyDicomFile(input, output, new Deidentifier(), { secret, limits: DEFAULT_LIMITS });
  const peak = sampler.stop().peakRss;
  figure('fields removed / emptied / replaced', `${result.report.removed} / ${result.report.emptied} / ${result.report.replaced}`);
  figure('RSS before', mb(baseline));
  figure('peak RSS during de-identification', `${mb(peak)} (growth ${mb(Math.max(0, peak - baseline))})`);
  const outSize = (await stat(output)).size;
  const same = (await sha(input, size - FRAMES * FRAME)) === (await sha(output, outSize - FRAMES * FRAME));
  figure('pixel data byte-identical', same ? 'yes' : 'NO');
  figure('patient name left in the header', (await headerHolds(output, 'Bench^Patient')) ? 'YES' : 'no');
  if (!same) process.exitCode = 1;

  const gdcm = spawnSync('gdcmanon', ['--version'], { stdio: 'ignore' }).status !== null;
  if (!gdcm) figure('gdcmanon', 'not installed (Debian: libgdcm-tools); its line is skipped');
  let orthancId: string | undefined;
  if (orthancInstalled()) {
    orthanc = await Orthanc.start(join(dir, 'orthanc'));
    const start = now();
    orthancId = await orthanc.upload(input);
    figure('Orthanc upload (POST /instances, not counted)', rate(size, now() - start));
  } else {
    figure('Orthanc', 'not installed (Debian: orthanc); its line is skipped');
  }

  const best = { loupe: Infinity, gdcm: Infinity, orthanc: Infinity };
  for (let round = 0; round < ROUNDS; round++) {
    best.loupe = Math.min(best.loupe, await loupe());
    if (gdcm) {
      const gdcmOut = join(dir, 'gdcm.dcm');
      await rm(gdcmOut, { force: true });
      const start = now();
      execFileSync('gdcmanon', ['--dumb', '--empty', '10,10', '--empty', '10,20', '--remove', '10,30', '--remove', '8,80', '-i', input, '-o', gdcmOut]);
      best.gdcm = Math.min(best.gdcm, now() - start);
      await rm(gdcmOut, { force: true });
    }
    if (orthanc && orthancId) {
      const orthancOut = join(dir, 'orthanc.dcm');
      const start = now();
      const written = await orthanc.anonymize(orthancId, orthancOut);
      best.orthanc = Math.min(best.orthanc, now() - start);
      if (round === 0) figure('Orthanc output', `${mb(written)}, patient name ${(await headerHolds(orthancOut, 'Bench^Patient')) ? 'LEFT' : 'removed'}`);
      await rm(orthancOut, { force: true });
    }
  }
  figure(`Loupe deidentifyDicomFile (best of ${ROUNDS})`, rate(size, best.loupe));
  if (gdcm) {
    figure(`gdcmanon --dumb, 4 tags (best of ${ROUNDS})`, rate(size, best.gdcm));
    const ratio = best.gdcm / best.loupe;
    reportLine({
      name: 'DICOM de-identification, 500 MB multi-frame',
      figure: `${ratio.toFixed(2)} x gdcmanon --dumb (Loupe ${mbPerSecond(size, best.loupe).toFixed(0)} MB/s, gdcmanon ${mbPerSecond(size, best.gdcm).toFixed(0)} MB/s)`,
      target: '>= 5 x gdcmanon --dumb',
      pass: ratio >= 5,
    });
  }
  if (orthanc && orthancId) {
    figure(`Orthanc /anonymize (best of ${ROUNDS})`, rate(size, best.orthanc));
    const ratio = best.orthanc / best.loupe;
    reportLine({
      name: 'DICOM de-identification vs Orthanc /anonymize',
      figure: `${ratio.toFixed(2)} x Orthanc /anonymize (Loupe ${mbPerSecond(size, best.loupe).toFixed(0)} MB/s, Orthanc ${mbPerSecond(size, best.orthanc).toFixed(0)} MB/s)`,
      target: 'ratio >= 1',
      pass: ratio >= 1,
    });
  }
  await orthanc?.stop();
  orthanc = undefined;

  // The command a privacy officer runs, start to finish: Node's start-up, the sandbox child, the file.
  const cli = join(import.meta.dirname, '..', 'src', 'cli', 'index.js');
  const cliOut = join(dir, 'cli.dcm');
  const start = now();
  execFileSync(process.execPath, [cli, 'deidentify', input, cliOut], { stdio: 'ignore' });
  figure('loupe deidentify (whole command, once)', rate(size, now() - start));
} finally {
  await orthanc?.stop();
  await rm(dir, { recursive: true, force: true });
}
