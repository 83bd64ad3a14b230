// Splits a raw Pixel Data element into frames: native data by size, and
// encapsulated data by its fragments (one per frame, or all of them for a
// single frame). Handles both byte orders.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { TransferSyntax } from './syntax.js';

const ITEM = 0xfffee000;
const SEQUENCE_END = 0xfffee0dd;

export interface PixelElement {
  encapsulated: boolean;
  /** Native: one buffer. Encapsulated: the fragments, Basic Offset Table excluded. */
  parts: Buffer[];
}

export function splitPixelElement(element: Buffer, transferSyntax: string): PixelElement {
  const little = transferSyntax !== TransferSyntax.ExplicitBig;
  const explicit = transferSyntax !== TransferSyntax.ImplicitLittle;
  const u32 = (at: number) => (little ? element.readUInt32LE(at) : element.readUInt32BE(at));
  const header = explicit ? 12 : 8;
  if (element.length < header) throw new LoupeError(ErrorCode.ImageCorrupt, 'the pixel data element is truncated');
  const length = u32(header - 4);
  if (length !== 0xffffffff) return { encapsulated: false, parts: [element.subarray(header, header + length)] };
  const items: Buffer[] = [];
  let at = header;
  while (at + 8 <= element.length) {
    const tag = ((little ? element.readUInt16LE(at) : element.readUInt16BE(at)) * 0x10000 + (little ? element.readUInt16LE(at + 2) : element.readUInt16BE(at + 2))) >>> 0;
    if (tag === SEQUENCE_END) break;
    if (tag !== ITEM) throw new LoupeError(ErrorCode.ImageCorrupt, 'the encapsulated pixel data is malformed');
    const size = u32(at + 4);
    items.push(element.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return { encapsulated: true, parts: items.slice(1) };
}

export function frameOf(pixels: PixelElement, index: number, frames: number, frameBytes: number): Buffer {
  if (!pixels.encapsulated) {
    const data = pixels.parts[0]!;
    const frame = data.subarray(index * frameBytes, (index + 1) * frameBytes);
    if (frame.length < frameBytes) throw new LoupeError(ErrorCode.ImageCorrupt, 'the pixel data is shorter than its frames');
    return frame;
  }
  if (frames === 1) return Buffer.concat(pixels.parts);
  if (pixels.parts.length === frames) return pixels.parts[index]!;
  throw new LoupeError(ErrorCode.ImageUnsupported, 'frames spread over several fragments each are not supported yet');
}
