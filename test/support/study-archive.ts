// Whole studies as a hospital shares them: CT slices made from a real header
// (pydicom's CT_small) with their own pixels, series and positions; zipped
// as a zipped series or as a CD export with a DICOMDIR written by DCMTK's
// dcmmkdir; and the hostile archives a study intake must refuse.
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yazl from 'yazl';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { PYDICOM } from './multi-frame.js';

const run = promisify(execFile);

export interface SlicePatient {
  name: string;
  identifier: string;
}

export interface Slice {
  studyUid: string;
  seriesUid: string;
  seriesNumber: number;
  instanceNumber: number;
  sliceLocation: number;
  patient: SlicePatient;
  /** Every pixel's base value, so slices differ (with a little noise, as real ones do); a disc of tissue sits above it, as a body's cross-section. */
  level: number;
  modality?: string;
  /** CT_small's own 128 × 128 when unset; a scanner's slice is 512 × 512. */
  size?: SliceSize;
}

export interface SliceSize {
  rows: number;
  columns: number;
}

const uid = (...parts: number[]) => `1.2.826.0.1.3680043.10.1999.${parts.join('.')}`;

/** One CT slice (128 × 128 unless sized) from CT_small's header, with the slice's identity and pixels. */
export async function ctSlice(s: Slice): Promise<Buffer> {
  const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
  const ds = instance.dicom.dict;
  const sop = `${s.seriesUid}.${s.instanceNumber}`;
  ds['00100010'] = { vr: 'PN', Value: [{ Alphabetic: s.patient.name }] };
  ds['00100020'] = { vr: 'LO', Value: [s.patient.identifier] };
  ds['00100021'] = { vr: 'LO', Value: ['HOSPITAL-A'] };
  ds['0020000D'] = { vr: 'UI', Value: [s.studyUid] };
  ds['0020000E'] = { vr: 'UI', Value: [s.seriesUid] };
  ds['00080018'] = { vr: 'UI', Value: [sop] };
  ds['00200011'] = { vr: 'IS', Value: [s.seriesNumber] };
  ds['00200013'] = { vr: 'IS', Value: [s.instanceNumber] };
  ds['00201041'] = { vr: 'DS', Value: [s.sliceLocation] };
  if (s.modality) ds['00080060'] = { vr: 'CS', Value: [s.modality] };
  const { rows, columns } = s.size ?? { rows: 128, columns: 128 };
  ds['00280010'] = { vr: 'US', Value: [rows] };
  ds['00280011'] = { vr: 'US', Value: [columns] };
  const pixels = Buffer.alloc(rows * columns * 2);
  // Noise from one buffer: a call per pixel would take minutes for a scanner's series.
  const noise = randomBytes(rows * columns);
  // The body's outline changes along the stack, as a real one does.
  const radius = Math.min(rows, columns) * (0.3 + 0.1 * Math.sin(s.instanceNumber / 20));
  for (let i = 0; i < rows * columns; i++) {
    const inBody = Math.hypot((i % columns) - columns / 2, Math.floor(i / columns) - rows / 2) < radius;
    pixels.writeInt16LE(s.level + (inBody ? 1000 : 0) + (noise[i]! & 63), i * 2);
  }
  const element = Buffer.alloc(12);
  element.writeUInt16LE(0x7fe0, 0);
  element.writeUInt16LE(0x0010, 2);
  element.write('OW', 4, 'latin1');
  element.writeUInt32LE(pixels.length, 8);
  instance.pixelData = Buffer.concat([element, pixels]);
  instance.dicom.meta['00020003'] = { vr: 'UI', Value: [sop] };
  return writeInstance(instance);
}

export interface StudyPlan {
  patient: SlicePatient;
  /** Each series' slice count, in Series Number order from 1. */
  series: number[];
  /** A second patient's slice slipped into the last series. */
  otherPatient?: SlicePatient;
  /** Each series a study of its own. */
  studyPerSeries?: boolean;
  /** Modality of every slice (CT_small's own when unset). */
  modality?: string;
  /** Every slice's size (CT_small's own when unset). */
  size?: SliceSize;
}

/** The plan's slices, in a shuffled order (a zip's order says nothing of the stack), each with a CD-style name. */
export async function studySlices(plan: StudyPlan): Promise<{ name: string; data: Buffer; slice: Slice }[]> {
  const files: { name: string; data: Buffer; slice: Slice }[] = [];
  for (const [k, count] of plan.series.entries()) {
    for (let n = 1; n <= count; n++) {
      const patient = plan.otherPatient && k === plan.series.length - 1 && n === count ? plan.otherPatient : plan.patient;
      const slice: Slice = {
        studyUid: uid(7, plan.studyPerSeries ? k + 1 : 1),
        seriesUid: uid(7, 1, k + 1),
        seriesNumber: k + 1,
        instanceNumber: n,
        sliceLocation: -100 + 2.5 * n,
        patient,
        level: 200 * (k + 1) + 10 * n,
        ...(plan.modality ? { modality: plan.modality } : {}),
        ...(plan.size ? { size: plan.size } : {}),
      };
      files.push({ name: `DICOM/S${k + 1}/IM${String(n).padStart(6, '0')}`, data: await ctSlice(slice), slice });
    }
  }
  return files.sort(() => randomInt(0, 3) - 1);
}

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Stored rather than deflated. */
  store?: boolean;
}

export function zipOf(entries: ZipEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.data, e.name, { compress: !e.store });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** A CD export: the slices under DICOM/, a DICOMDIR indexing them (DCMTK's dcmmkdir), and the CD's other files. */
export async function cdExport(plan: StudyPlan): Promise<Buffer> {
  const slices = await studySlices(plan);
  const dir = await mkdtemp(join(tmpdir(), 'loupe-cd-'));
  try {
    for (const s of slices) {
      await mkdir(join(dir, s.name, '..'), { recursive: true });
      await writeFile(join(dir, s.name), s.data);
    }
    await run('dcmmkdir', ['--recurse', '--output-file', join(dir, 'DICOMDIR'), '--input-directory', dir, 'DICOM'], { cwd: dir });
    const dicomdir = await readFile(join(dir, 'DICOMDIR'));
    return zipOf([
      { name: 'DICOMDIR', data: dicomdir },
      { name: 'README.TXT', data: Buffer.from('Images exported by the hospital PACS. Open with any DICOM viewer.\n') },
      { name: 'VIEWER/AUTORUN.INF', data: Buffer.from('[autorun]\nopen=viewer.exe\n') },
      ...slices,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Rewrites an entry's name in place (local header and central directory), for names no zip writer would make (`..`). Same length only. */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('a rename keeps the name’s length');
  const out = Buffer.from(zip);
  const needle = Buffer.from(from, 'latin1');
  let at = out.indexOf(needle);
  if (at < 0) throw new Error('no such entry name');
  while (at >= 0) {
    out.write(to, at, 'latin1');
    at = out.indexOf(needle, at + 1);
  }
  return out;
}

/** Marks one entry encrypted (general purpose flag bit 0, in its local header and central directory record), as a password-protected zip's are. */
export function markEncrypted(zip: Buffer, name: string): Buffer {
  const out = Buffer.from(zip);
  const wanted = Buffer.from(name, 'latin1');
  for (let at = 0; at + 46 <= out.length; at++) {
    const sig = out.readUInt32LE(at);
    if (sig === 0x04034b50 && out.subarray(at + 30, at + 30 + wanted.length).equals(wanted)) out.writeUInt16LE(out.readUInt16LE(at + 6) | 1, at + 6);
    else if (sig === 0x02014b50 && out.subarray(at + 46, at + 46 + wanted.length).equals(wanted)) out.writeUInt16LE(out.readUInt16LE(at + 8) | 1, at + 8);
  }
  return out;
}
