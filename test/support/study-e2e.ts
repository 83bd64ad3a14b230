// A whole study for the viewer's end-to-end tests, shared as a clinician
// would: its slices (pydicom's CT_small header with each slice's own pixels,
// series, Instance Number and Slice Location) zipped in reverse order and
// uploaded through the Slack stand-in, so the intake groups and stacks them.
// Series 2 is a secondary capture (burned-in text is likely), so it gets no
// thumbnail: the strip shows its label alone.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { hashLinkToken } from '../../src/intake/link-token.js';
import { PYDICOM } from './multi-frame.js';
import { zipOf } from './study-archive.js';
import { until } from './until.js';
import type { ViewerE2e } from './viewer-e2e.js';

const SIDE = 128;

/** One slice: its series, Instance Number, Slice Location (mm), and its pixels' modality values (HU) by column and row. */
export interface StudySlice {
  series: number;
  instance: number;
  location: number;
  hu: (column: number, row: number) => number;
}

/** Series 1: three slices, a ramp across each, each brighter than the last (all inside a soft-tissue window). Series 2: a checkerboard. */
export const STUDY_SLICES: StudySlice[] = [
  ...[0, 1, 2].map((i) => ({ series: 1, instance: 11 + i, location: -10 + 5 * i, hu: (column: number) => -120 + 80 * i + (column % 64) })),
  ...[0, 1].map((i) => ({ series: 2, instance: 21 + i, location: 30 + 5 * i, hu: (column: number, row: number) => (((column >> 4) + (row >> 4)) % 2 ? 200 : -150) + 10 * i })),
];

/** The study's UIDs: one study, a series UID per series, an instance UID per slice. */
const UID = '1.2.826.0.1.3680043.10.1999.42';
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

/** CT_small's header with the slice's numbers and its pixels (stored = HU + 1024, signed 16-bit). */
async function sliceFile(slice: StudySlice): Promise<Buffer> {
  const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
  const ds = instance.dicom.dict;
  const sop = `${UID}.${slice.series}.${slice.instance}`;
  ds['0020000D'] = { vr: 'UI', Value: [UID] };
  ds['0020000E'] = { vr: 'UI', Value: [`${UID}.${slice.series}`] };
  ds['00080018'] = { vr: 'UI', Value: [sop] };
  instance.dicom.meta['00020003'] = { vr: 'UI', Value: [sop] };
  if (slice.series === 2) {
    ds['00080016'] = { vr: 'UI', Value: [SECONDARY_CAPTURE] };
    instance.dicom.meta['00020002'] = { vr: 'UI', Value: [SECONDARY_CAPTURE] };
  }
  ds['00200011'] = { vr: 'IS', Value: [slice.series] };
  ds['00200013'] = { vr: 'IS', Value: [slice.instance] };
  ds['00201041'] = { vr: 'DS', Value: [slice.location] };
  const pixels = Buffer.alloc(SIDE * SIDE * 2);
  for (let row = 0; row < SIDE; row++) for (let column = 0; column < SIDE; column++) pixels.writeInt16LE(slice.hu(column, row) + 1024, (row * SIDE + column) * 2);
  const element = Buffer.alloc(12);
  element.writeUInt16LE(0x7fe0, 0);
  element.writeUInt16LE(0x0010, 2);
  element.write('OW', 4, 'latin1');
  element.writeUInt32LE(pixels.length, 8);
  return writeInstance({ ...instance, pixelData: Buffer.concat([element, pixels]) });
}

/**
 * Shares a study of two CT series (STUDY_SLICES) in the radiology channel as
 * Amara, as a zip: the card's View link and the study's asset id. Series 1
 * (index 0) has a thumbnail; series 2 (index 1), a secondary capture, has none.
 */
export async function shareStudy(e2e: ViewerE2e): Promise<{ url: string; assetId: string }> {
  const files = await Promise.all(STUDY_SLICES.map(sliceFile));
  // In reverse: the stack's order is the intake's to find, from the headers.
  const zip = await zipOf(files.map((data, i) => ({ name: `DICOM/IM${String(i).padStart(4, '0')}`, data })).reverse());
  const url = await e2e.upload('study.zip', zip);
  const prisma = e2e.env.loupe.services.storage.db.prisma;
  const token = new URL(url).pathname.split('/view/')[1]!;
  const link = await prisma.linkToken.findUniqueOrThrow({ where: { tokenHash: hashLinkToken(decodeURIComponent(token)) }, include: { card: true } });
  const assetId = link.card.assetId;
  await until('the study stored', async () => (await prisma.asset.findFirst({ where: { id: assetId, status: 'stored', kind: 'dicom_study' } })) ?? undefined);
  return { url, assetId };
}
