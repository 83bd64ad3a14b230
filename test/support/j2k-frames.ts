// Multi-frame JPEG 2000 DICOM files made from pydicom's lossless MR slice, for
// the viewer's hostile-frame tests: its one codestream, re-used as each frame,
// with the SIZ segment (the size a frame says it has) set as a test needs.
// The data stays the slice's, so a frame told it is N×N decodes for real, and
// takes the decoder seconds at a few thousand pixels a side.
import { readFile } from 'node:fs/promises';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';

const MR_J2K = '/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small_jp2klossless.dcm';

/** The slice's codestream told it is `size`×`size` (image and one tile). */
function claiming(codestream: Buffer, size: number): Buffer {
  const b = Buffer.from(codestream);
  // SIZ: Xsiz at 8, Ysiz at 12 (from SOC), XTsiz at 24, YTsiz at 28.
  for (const at of [8, 12, 24, 28]) b.writeUInt32BE(size, at);
  return b;
}

function encapsulated(frames: Buffer[]): Buffer {
  const item = (data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt16LE(0xfffe, 0);
    head.writeUInt16LE(0xe000, 2);
    head.writeUInt32LE(data.length, 4);
    return Buffer.concat([head, data]);
  };
  const header = Buffer.from('e07f10004f420000ffffffff', 'hex'); // (7FE0,0010) OB, undefined length
  const end = Buffer.from('feffdde000000000', 'hex');
  return Buffer.concat([header, item(Buffer.alloc(0)), ...frames.map((f) => item(f.length % 2 ? Buffer.concat([f, Buffer.alloc(1)]) : f)), end]);
}

/**
 * A DICOM of `header`×`header` pixels whose frames' codestreams claim the
 * sizes given (one entry per frame; `header` itself for an honest frame).
 */
export async function j2kDicom(header: number, frameSizes: number[], patientId: string): Promise<Buffer> {
  const instance = readInstance(await readFile(MR_J2K), DEFAULT_LIMITS);
  const pixels = instance.pixelData!;
  const codestream = pixels.subarray(pixels.indexOf(Buffer.from('ff4fff51', 'hex')), pixels.lastIndexOf(Buffer.from('ffd9', 'hex')) + 2);
  const ds = instance.dicom.dict;
  ds['00280010'] = { vr: 'US', Value: [header] };
  ds['00280011'] = { vr: 'US', Value: [header] };
  ds['00280008'] = { vr: 'IS', Value: [frameSizes.length] };
  ds['00100020'] = { vr: 'LO', Value: [patientId] };
  instance.pixelData = encapsulated(frameSizes.map((size) => (size === 64 ? codestream : claiming(codestream, size))));
  return writeInstance(instance);
}
