// The poison file of issue 9 point 5, made deterministically: pydicom's
// deflated image_dfl.dcm with its first element's length misread as 3 GB,
// deflated again. It used to send the DICOM writer into unbounded growth.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { layoutOf } from '../../src/imaging/dicom/layout.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/** image_dfl.dcm with its dataset changed by `edit` and deflated again. */
export async function deflatedWith(edit: (dataset: Buffer) => Buffer): Promise<Buffer> {
  const file = await readFile(join(PYDICOM, 'image_dfl.dcm'));
  const start = layoutOf(file).datasetStart;
  return Buffer.concat([file.subarray(0, start), deflateRawSync(edit(inflateRawSync(file.subarray(start))))]);
}

/** (0008,0005) turned into UN with a length of 0xBCBCBCBC, as a flipped bit in a VR does. */
export function misreadLength(dataset: Buffer): Buffer {
  const head = Buffer.alloc(12);
  dataset.copy(head, 0, 0, 4);
  head.write('UN', 4, 'latin1');
  head.writeUInt32LE(0xbcbcbcbc, 8);
  return Buffer.concat([head, dataset.subarray(8)]);
}

export const poisonDicom = () => deflatedWith(misreadLength);
