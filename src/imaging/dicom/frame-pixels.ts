// One DICOM frame for a diagnostic viewer: greyscale arrives at its original
// bit depth (stored values, 16-bit, with the rescale to apply), or as 32-bit
// floats when the Modality LUT is a table or the pixels are 32-bit, so that
// window and level happen in the browser on the real values. Colour (RGB,
// YBR, palette) arrives as full-resolution 8-bit RGB PNG, its true depth.
import type { DicomDataset } from './dcmjs.js';
import { Codecs } from './codecs.js';
import type { DicomInstance } from './parse.js';
import { decodeFrame, modalityLut, renderDecoded, storedValues, type PixelFormat } from './render.js';
import { items, text } from './values.js';

export interface WindowPreset {
  name: string;
  center: number;
  width: number;
}

export type FramePixels =
  | {
      kind: 'grey';
      encoding: 'uint16' | 'int16' | 'float32';
      /** Little-endian samples, row by row. */
      data: Buffer;
      rows: number;
      columns: number;
      bitsStored: number;
      /** Applied by the viewer to uint16/int16 data; float32 data is already modality values. */
      slope: number;
      intercept: number;
      invert: boolean;
      voiFunction: string;
      presets: WindowPreset[];
    }
  | { kind: 'rgb'; png: Buffer; rows: number; columns: number }
  | { kind: 'unavailable'; reason: string };

const numbers = (ds: DicomDataset, tag: string) => (ds[tag]?.Value ?? []).map(Number).filter((n) => Number.isFinite(n));

// Common CT windows (Hounsfield units), offered when the header has none of its own.
const CT_PRESETS: WindowPreset[] = [
  { name: 'Soft tissue', center: 40, width: 400 },
  { name: 'Lung', center: -600, width: 1500 },
  { name: 'Bone', center: 400, width: 1800 },
  { name: 'Brain', center: 40, width: 80 },
];

export function windowPresets(ds: DicomDataset): WindowPreset[] {
  const centers = numbers(ds, '00281050');
  const widths = numbers(ds, '00281051');
  const names = (ds['00281055']?.Value ?? []).map(String);
  const fromHeader = centers.flatMap((center, i) => {
    const width = widths[i] ?? widths[0];
    return width && width > 0 ? [{ name: names[i] || `Header ${i + 1}`, center, width }] : [];
  });
  return text(ds, '00080060') === 'CT' ? [...fromHeader, ...CT_PRESETS] : fromHeader;
}

export async function framePixels(instance: DicomInstance, transferSyntax: string, index: number, codecs = new Codecs()): Promise<FramePixels> {
  const ds = instance.dicom.dict;
  const decoded = await decodeFrame(instance, transferSyntax, index, codecs);
  if (decoded.kind === 'unavailable') return decoded;
  const format: PixelFormat = decoded.format;
  const { rows, columns, photometric } = format;
  const grey = format.samples === 1 && photometric.startsWith('MONOCHROME');
  if (!grey || decoded.kind === 'jpeg') {
    const full = await renderDecoded(ds, decoded, transferSyntax, Math.max(rows, columns));
    return full.available ? { kind: 'rgb', png: full.data, rows, columns } : { kind: 'unavailable', reason: full.reason };
  }
  const pixels = rows * columns;
  const stored = storedValues(decoded.raw, pixels, format.bitsAllocated, format.bitsStored, format.signed, decoded.little);
  const lutTable = items(ds, '00283000').length > 0;
  const common = {
    kind: 'grey' as const,
    rows,
    columns,
    bitsStored: format.bitsStored,
    invert: photometric === 'MONOCHROME1',
    voiFunction: text(ds, '00281056')?.toUpperCase() ?? 'LINEAR',
    presets: windowPresets(ds),
  };
  if (format.bitsAllocated <= 16 && !lutTable) {
    const data = Buffer.alloc(pixels * 2);
    for (let i = 0; i < pixels; i++) {
      if (format.signed) data.writeInt16LE(stored[i]!, i * 2);
      else data.writeUInt16LE(stored[i]!, i * 2);
    }
    return { ...common, encoding: format.signed ? 'int16' : 'uint16', data, slope: numbers(ds, '00281053')[0] ?? 1, intercept: numbers(ds, '00281052')[0] ?? 0 };
  }
  const values = modalityLut(ds, stored);
  const data = Buffer.alloc(pixels * 4);
  for (let i = 0; i < pixels; i++) data.writeFloatLE(values[i]!, i * 4);
  return { ...common, encoding: 'float32', data, slope: 1, intercept: 0 };
}
