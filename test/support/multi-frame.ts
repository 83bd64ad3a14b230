// A large multi-frame DICOM file made from a real header: pydicom's CT_small
// with `frames` frames of random 128×128 16-bit pixels (explicit VR little
// endian), for tests of de-identification on disk and of pixel data copying.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DicomDataset } from '../../src/imaging/dicom/dcmjs.js';
import { readInstance, writeDicom } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';

export const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/** `header`: elements to add to or replace in the header (a Cine Rate, say). */
export async function multiFrameCt(frames: number, header: DicomDataset = {}): Promise<{ file: Buffer; pixels: Buffer }> {
  const { dicom } = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
  Object.assign(dicom.dict, header);
  dicom.dict['00280008'] = { vr: 'IS', Value: [frames] };
  const pixels = randomBytes(frames * 128 * 128 * 2);
  const element = Buffer.alloc(12);
  element.writeUInt16LE(0x7fe0, 0);
  element.writeUInt16LE(0x0010, 2);
  element.write('OW', 4, 'latin1');
  element.writeUInt32LE(pixels.length, 8);
  return { file: Buffer.concat([writeDicom(dicom), element, pixels]), pixels };
}
