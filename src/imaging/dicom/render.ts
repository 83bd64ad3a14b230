// Renders one frame of a DICOM image to an 8-bit preview: Modality LUT
// (rescale or LUT sequence), VOI LUT (window from the header with its
// function, else the data's range), MONOCHROME1 inverted; RGB, YBR and
// palette colour. Native and RLE pixel data decode here, baseline JPEG
// through sharp, the rest through Codecs; a transfer syntax without a decoder
// yields "preview unavailable" with the reason.
import sharp from 'sharp';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { DicomDataset } from './dcmjs.js';
import { frameOf, splitPixelElement } from './frames.js';
import type { DicomInstance } from './parse.js';
import { Codecs } from './codecs.js';
import { decodeRle } from './rle.js';
import { TransferSyntax } from './syntax.js';
import { integer, items, text } from './values.js';

export type Preview =
  | { available: true; data: Buffer; mediaType: 'image/png'; width: number; height: number }
  | { available: false; reason: string };

const RLE = '1.2.840.10008.1.2.5';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const NATIVE = new Set<string>([TransferSyntax.ImplicitLittle, TransferSyntax.ExplicitLittle, TransferSyntax.ExplicitBig, TransferSyntax.Deflated]);
function numbers(ds: DicomDataset, tag: string): number[] {
  return (ds[tag]?.Value ?? []).map((v) => Number(v)).filter((n) => Number.isFinite(n));
}

/** Stored values of one frame as numbers (sign and bits-stored applied). */
export function storedValues(frame: Buffer, count: number, bitsAllocated: number, bitsStored: number, signed: boolean, little: boolean): Float64Array {
  const out = new Float64Array(count);
  const shift = 32 - bitsStored;
  for (let i = 0; i < count; i++) {
    let v: number;
    if (bitsAllocated === 8) v = frame[i]!;
    else if (bitsAllocated === 16) v = little ? frame.readUInt16LE(i * 2) : frame.readUInt16BE(i * 2);
    else v = little ? frame.readUInt32LE(i * 4) : frame.readUInt32BE(i * 4);
    // Keep the stored bits only, sign-extended when the representation is signed.
    out[i] = signed ? ((v << shift) >> shift) : bitsStored >= 32 ? v >>> 0 : v & ((1 << bitsStored) - 1);
  }
  return out;
}

/** LUT Data (0028,3006): numbers, or 16-bit words when dcmjs kept it as binary. */
function lutValues(item: DicomDataset): number[] {
  const raw = item['00283006']?.Value ?? [];
  if (raw[0] instanceof ArrayBuffer) {
    const b = Buffer.from(raw[0]);
    return Array.from({ length: b.length >> 1 }, (_, i) => b.readUInt16LE(i * 2));
  }
  return raw.map(Number);
}

export function modalityLut(ds: DicomDataset, values: Float64Array): Float64Array {
  const lut = items(ds, '00283000')[0];
  if (lut) {
    const [entries = 0, first = 0] = numbers(lut, '00283002');
    const data = lutValues(lut);
    const n = entries === 0 ? 65536 : entries;
    return values.map((v) => data[Math.min(n - 1, Math.max(0, v - first))] ?? 0);
  }
  const slope = numbers(ds, '00281053')[0] ?? 1;
  const intercept = numbers(ds, '00281052')[0] ?? 0;
  return slope === 1 && intercept === 0 ? values : values.map((v) => v * slope + intercept);
}

function voi(ds: DicomDataset, values: Float64Array): Uint8Array {
  const center = numbers(ds, '00281050')[0];
  const width = numbers(ds, '00281051')[0];
  const fn = text(ds, '00281056')?.toUpperCase() ?? 'LINEAR';
  const out = new Uint8Array(values.length);
  if (center !== undefined && width !== undefined && width > 0) {
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      let y: number;
      if (fn === 'SIGMOID') y = 255 / (1 + Math.exp((-4 * (x - center)) / width));
      else if (fn === 'LINEAR_EXACT') y = ((x - center) / width + 0.5) * 255;
      else if (x <= center - 0.5 - (width - 1) / 2) y = 0;
      else if (x > center - 0.5 + (width - 1) / 2) y = 255;
      else y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
      out[i] = Math.round(Math.min(255, Math.max(0, y)));
    }
    return out;
  }
  // A VOI LUT in the header: look each value up, scaled from the LUT's bit depth.
  const voiLut = items(ds, '00283010')[0];
  const lutData = voiLut ? lutValues(voiLut) : [];
  if (voiLut && lutData.length) {
    const [entries = 0, first = 0, bits = 16] = numbers(voiLut, '00283002');
    const n = entries === 0 ? 65536 : entries;
    const top = 2 ** bits - 1;
    for (let i = 0; i < values.length; i++) {
      const k = Math.min(n - 1, Math.max(0, Math.round(values[i]!) - first));
      out[i] = Math.round(((lutData[k] ?? 0) / top) * 255);
    }
    return out;
  }
  // No window in the header: stretch the data's own range.
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min || 1;
  for (let i = 0; i < values.length; i++) out[i] = Math.round(((values[i]! - min) / span) * 255);
  return out;
}

function ybrToRgb(y: number, cb: number, cr: number): [number, number, number] {
  const clamp = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
  return [clamp(y + 1.402 * (cr - 128)), clamp(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)), clamp(y + 1.772 * (cb - 128))];
}

function palette(ds: DicomDataset, index: Float64Array): Uint8Array {
  const rgb = new Uint8Array(index.length * 3);
  const channels = ['1201', '1202', '1203'].map((e, c) => {
    const [entries = 0, first = 0, bits = 16] = numbers(ds, `0028110${c + 1}`);
    const raw = ds[`0028${e}`]?.Value?.[0];
    const data = raw instanceof ArrayBuffer ? Buffer.from(raw) : Buffer.alloc(0);
    return { entries: entries === 0 ? 65536 : entries, first, bits, data };
  });
  for (let i = 0; i < index.length; i++) {
    channels.forEach((ch, c) => {
      const k = Math.min(ch.entries - 1, Math.max(0, index[i]! - ch.first));
      const v = ch.bits === 8 ? (ch.data[k] ?? 0) : ch.data.length >= 2 * (k + 1) ? ch.data.readUInt16LE(2 * k) >> 8 : 0;
      rgb[i * 3 + c] = v;
    });
  }
  return rgb;
}

/** What the header says about an image's pixels. */
export interface PixelFormat {
  rows: number;
  columns: number;
  samples: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  frames: number;
  photometric: string;
}

export function pixelFormat(ds: DicomDataset): PixelFormat {
  const bitsAllocated = integer(ds, '00280100') ?? 8;
  return {
    rows: integer(ds, '00280010') ?? 0,
    columns: integer(ds, '00280011') ?? 0,
    samples: integer(ds, '00280002') ?? 1,
    bitsAllocated,
    bitsStored: integer(ds, '00280101') ?? bitsAllocated,
    signed: integer(ds, '00280103') === 1,
    frames: integer(ds, '00280008') ?? 1,
    photometric: text(ds, '00280004')?.toUpperCase() ?? 'MONOCHROME2',
  };
}

/** One frame's samples as decoded: native order and layout, or a baseline JPEG sharp must decode. */
export type DecodedFrame =
  | { kind: 'samples'; raw: Buffer; little: boolean; planar: boolean; format: PixelFormat }
  | { kind: 'jpeg'; jpeg: Buffer; format: PixelFormat }
  | { kind: 'unavailable'; reason: string };

export async function decodeFrame(instance: DicomInstance, transferSyntax: string, index: number, codecs: Codecs): Promise<DecodedFrame> {
  const ds = instance.dicom.dict;
  if (!instance.pixelData) return { kind: 'unavailable', reason: 'the file has no pixel data' };
  const format = pixelFormat(ds);
  const { rows, columns, samples, bitsAllocated, frames, photometric } = format;
  const pixels = rows * columns;
  if (!pixels) return { kind: 'unavailable', reason: 'the image has no rows or columns' };
  if (![8, 16, 32].includes(bitsAllocated)) return { kind: 'unavailable', reason: `${bitsAllocated}-bit pixels are not supported` };
  if (index < 0 || index >= frames) throw new LoupeError(ErrorCode.InvalidInput, 'no such frame');
  const element = splitPixelElement(instance.pixelData, transferSyntax);
  if (NATIVE.has(transferSyntax)) {
    // YBR_FULL_422 stores two samples per pixel (Cb and Cr shared by pixel pairs).
    const perPixel = photometric === 'YBR_FULL_422' ? 2 : samples;
    const raw = frameOf(element, index, frames, (pixels * perPixel * bitsAllocated) / 8);
    return { kind: 'samples', raw, little: transferSyntax !== TransferSyntax.ExplicitBig, planar: integer(ds, '00280006') === 1, format };
  }
  if (transferSyntax === RLE) {
    return { kind: 'samples', raw: decodeRle(frameOf(element, index, frames, 0), pixels, samples, bitsAllocated / 8), little: true, planar: true, format };
  }
  if (codecs.supports(transferSyntax)) {
    try {
      const raw = await codecs.decode(transferSyntax, frameOf(element, index, frames, 0), { bitsAllocated, rows, columns });
      return { kind: 'samples', raw, little: true, planar: false, format };
    } catch (cause) {
      if (cause instanceof LoupeError) throw cause;
      throw new LoupeError(ErrorCode.ImageCorrupt, 'a compressed frame could not be decoded', { cause });
    }
  }
  if (transferSyntax === JPEG_BASELINE) return { kind: 'jpeg', jpeg: frameOf(element, index, frames, 0), format };
  return { kind: 'unavailable', reason: `preview unavailable: no decoder for transfer syntax ${transferSyntax} yet` };
}

/** Renders frame `index` (default: the first) as a PNG no larger than `size` on its longer side. */
export async function renderPreview(instance: DicomInstance, transferSyntax: string, size = 512, index = 0, codecs = new Codecs()): Promise<Preview> {
  return renderDecoded(instance.dicom.dict, await decodeFrame(instance, transferSyntax, index, codecs), transferSyntax, size);
}

/** The rendering half of renderPreview, for a frame already decoded. */
export async function renderDecoded(ds: DicomDataset, decoded: DecodedFrame, transferSyntax: string, size: number): Promise<Preview> {
  if (decoded.kind === 'unavailable') return { available: false, reason: decoded.reason };
  if (decoded.kind === 'jpeg') {
    const data = await sharp(decoded.jpeg).resize(size, size, { fit: 'inside', withoutEnlargement: true }).png().toBuffer({ resolveWithObject: true });
    return { available: true, data: data.data, mediaType: 'image/png', width: data.info.width, height: data.info.height };
  }
  const { raw, little, planar: planarOut } = decoded;
  const { rows, columns, samples, bitsAllocated, bitsStored, signed, photometric } = decoded.format;
  const pixels = rows * columns;

  let rgb: Uint8Array;
  let channels: 1 | 3;
  if (samples === 1 && photometric.startsWith('MONOCHROME')) {
    const grey = voi(ds, modalityLut(ds, storedValues(raw, pixels, bitsAllocated, bitsStored, signed, little)));
    if (photometric === 'MONOCHROME1') for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i]!;
    rgb = grey;
    channels = 1;
  } else if (samples === 1 && photometric === 'PALETTE COLOR') {
    rgb = palette(ds, storedValues(raw, pixels, bitsAllocated, bitsStored, false, little));
    channels = 3;
  } else if (samples === 3 && ['YBR_RCT', 'YBR_ICT'].includes(photometric)) {
    // JPEG 2000 colour transforms are undone by the decoder: the output is RGB.
    rgb = new Uint8Array(pixels * 3);
    const all = storedValues(raw, pixels * 3, bitsAllocated, bitsStored, false, little);
    const scale = bitsStored > 8 ? 2 ** (bitsStored - 8) : 1;
    for (let i = 0; i < all.length; i++) rgb[i] = Math.min(255, Math.round(all[i]! / scale));
    channels = 3;
  } else if (samples === 3) {
    const all = storedValues(raw, pixels * 3, bitsAllocated, bitsStored, false, little);
    const scale = bitsStored > 8 ? 2 ** (bitsStored - 8) : 1;
    const at = (p: number, c: number) => all[planarOut ? c * pixels + p : p * 3 + c]! / scale;
    rgb = new Uint8Array(pixels * 3);
    if (photometric === 'YBR_FULL_422' && NATIVE.has(transferSyntax)) {
      // Native data: two pixels share one Cb and Cr, Y1 Y2 Cb Cr (decoders hand back full-resolution samples).
      for (let p = 0; p + 1 < pixels; p += 2) {
        const base = p * 2;
        const [y1, y2, cb, cr] = [raw[base]!, raw[base + 1]!, raw[base + 2]!, raw[base + 3]!];
        rgb.set(ybrToRgb(y1, cb, cr), p * 3);
        rgb.set(ybrToRgb(y2, cb, cr), (p + 1) * 3);
      }
    } else {
      for (let p = 0; p < pixels; p++) {
        const c = [at(p, 0), at(p, 1), at(p, 2)] as const;
        rgb.set(photometric.startsWith('YBR_FULL') ? ybrToRgb(...c) : c.map((v) => Math.min(255, Math.round(v))), p * 3);
      }
    }
    channels = 3;
  } else {
    return { available: false, reason: `photometric interpretation ${photometric} is not supported` };
  }
  const png = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: columns, height: rows, channels } })
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { available: true, data: png.data, mediaType: 'image/png', width: png.info.width, height: png.info.height };
}
