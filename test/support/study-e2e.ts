// A whole study for the viewer's end-to-end tests, until the archive intake
// lands: an ordinary DICOM shared through the Slack stand-in (so its consult,
// card and access are real), then made a study in place: `instance` blobs
// from pydicom's CT_small with each slice's own pixels, Instance Number and
// Slice Location, a thumbnail for its first series, and the asset's kind and
// StudySummary. One function, to be swapped for a real zip upload.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { hashLinkToken } from '../../src/intake/link-token.js';
import type { StudySeries, StudySummary } from '../../src/intake/study-summary.js';
import { PYDICOM } from './multi-frame.js';
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

/** CT_small's header with the slice's numbers and its pixels (stored = HU + 1024, signed 16-bit). */
async function sliceFile(slice: StudySlice): Promise<Buffer> {
  const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
  const ds = instance.dicom.dict;
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
 * Amara: the card's View link and the study's asset id. Series 1 (index 0)
 * has a thumbnail; series 2 (index 1) has none.
 */
export async function shareStudy(e2e: ViewerE2e): Promise<{ url: string; assetId: string }> {
  const url = await e2e.upload('study.dcm', await readFile(join(PYDICOM, 'CT_small.dcm')));
  const { storage } = e2e.env.loupe.services;
  const prisma = storage.db.prisma;
  const token = new URL(url).pathname.split('/view/')[1]!;
  const link = await prisma.linkToken.findUniqueOrThrow({ where: { tokenHash: hashLinkToken(decodeURIComponent(token)) }, include: { card: true } });
  const assetId = link.card.assetId;
  const asset = await until('the image stored', async () => (await prisma.asset.findFirst({ where: { id: assetId, status: 'stored' } })) ?? undefined);
  const actor = { type: 'system', id: 'test' } as const;
  const series: StudySeries[] = [
    { number: 1, modality: 'CT', instances: [] },
    { number: 2, modality: 'CT', instances: [] },
  ];
  for (const [part, slice] of STUDY_SLICES.entries()) {
    await storage.blobs.put({ assetId, kind: 'instance', part, mediaType: 'application/dicom', body: Readable.from([await sliceFile(slice)]), actor });
    series[slice.series - 1]!.instances.push({ part, frames: 1 });
  }
  // The intake may have made a card preview (part 0): the thumbnail of series 1 is the test's own either way.
  await prisma.blob.deleteMany({ where: { assetId, kind: 'preview' } });
  const thumbnail = await sharp({ create: { width: 48, height: 48, channels: 3, background: { r: 200, g: 200, b: 200 } } }).jpeg().toBuffer();
  await storage.blobs.put({ assetId, kind: 'preview', part: 0, mediaType: 'image/jpeg', body: Readable.from([thumbnail]), actor });
  const study: StudySummary = { series, images: STUDY_SLICES.length, skipped: 0 };
  const metadata = { ...(asset.metadata as object), family: 'dicom', modality: 'CT', study };
  await prisma.asset.update({ where: { id: assetId }, data: { kind: 'dicom_study', metadata } });
  return { url, assetId };
}
