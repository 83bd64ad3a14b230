// Splits a raw Pixel Data element into frames: native data by size, and
// encapsulated data by its fragments: one per frame, all of them for a single
// frame, else grouped by the Basic Offset Table or, when that is empty, by
// where each compressed frame's first marker starts a fragment.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { TransferSyntax } from './syntax.js';

const ITEM = 0xfffee000;
const SEQUENCE_END = 0xfffee0dd;

export interface PixelElement {
  encapsulated: boolean;
  /** Native: one buffer. Encapsulated: the fragments, Basic Offset Table excluded. */
  parts: Buffer[];
  /** Encapsulated: where each fragment's item starts, counted from the first fragment's, as the offset table counts. */
  starts: number[];
  /** Encapsulated: the Basic Offset Table (empty when the file has none). */
  offsets: number[];
}

export function splitPixelElement(element: Buffer, transferSyntax: string): PixelElement {
  const little = transferSyntax !== TransferSyntax.ExplicitBig;
  const explicit = transferSyntax !== TransferSyntax.ImplicitLittle;
  const u32 = (at: number) => (little ? element.readUInt32LE(at) : element.readUInt32BE(at));
  const header = explicit ? 12 : 8;
  if (element.length < header) throw new LoupeError(ErrorCode.ImageCorrupt, 'the pixel data element is truncated');
  const length = u32(header - 4);
  if (length !== 0xffffffff) return { encapsulated: false, parts: [element.subarray(header, header + length)], starts: [], offsets: [] };
  const items: Buffer[] = [];
  const at: number[] = [];
  let offset = header;
  while (offset + 8 <= element.length) {
    const tag = ((little ? element.readUInt16LE(offset) : element.readUInt16BE(offset)) * 0x10000 + (little ? element.readUInt16LE(offset + 2) : element.readUInt16BE(offset + 2))) >>> 0;
    if (tag === SEQUENCE_END) break;
    if (tag !== ITEM) throw new LoupeError(ErrorCode.ImageCorrupt, 'the encapsulated pixel data is malformed');
    const size = u32(offset + 4);
    items.push(element.subarray(offset + 8, offset + 8 + size));
    at.push(offset);
    offset += 8 + size;
  }
  const table = items[0] ?? Buffer.alloc(0);
  const offsets: number[] = [];
  for (let i = 0; i + 4 <= table.length; i += 4) offsets.push(little ? table.readUInt32LE(i) : table.readUInt32BE(i));
  const first = at[1] ?? 0;
  return { encapsulated: true, parts: items.slice(1), starts: at.slice(1).map((a) => a - first), offsets };
}

/** A compressed frame's first bytes: JPEG's SOI, a JPEG 2000 codestream's SOC + SIZ, or a JP2 signature box. */
function startsFrame(fragment: Buffer): boolean {
  return (
    (fragment[0] === 0xff && fragment[1] === 0xd8) ||
    (fragment[0] === 0xff && fragment[1] === 0x4f && fragment[2] === 0xff && fragment[3] === 0x51) ||
    fragment.subarray(4, 8).toString('latin1') === 'jP  '
  );
}

/** The index of the first fragment of each frame, or undefined when they cannot be told apart. */
function frameStarts(pixels: PixelElement, frames: number): number[] | undefined {
  const { offsets, starts, parts } = pixels;
  if (offsets.length === frames) {
    const firsts = offsets.map((o) => starts.indexOf(o));
    if (firsts[0] === 0 && firsts.every((f, i) => f >= 0 && (i === 0 || f > firsts[i - 1]!))) return firsts;
  }
  if (parts.length === frames) return parts.map((_, i) => i);
  const marked = parts.flatMap((p, i) => (startsFrame(p) ? [i] : []));
  return marked.length === frames && marked[0] === 0 ? marked : undefined;
}

export function frameOf(pixels: PixelElement, index: number, frames: number, frameBytes: number): Buffer {
  if (!pixels.encapsulated) {
    const data = pixels.parts[0]!;
    const frame = data.subarray(index * frameBytes, (index + 1) * frameBytes);
    if (frame.length < frameBytes) throw new LoupeError(ErrorCode.ImageCorrupt, 'the pixel data is shorter than its frames');
    return frame;
  }
  if (frames === 1) return Buffer.concat(pixels.parts);
  const firsts = frameStarts(pixels, frames);
  if (!firsts) throw new LoupeError(ErrorCode.ImageCorrupt, 'the compressed frames cannot be told apart in the pixel data');
  const from = firsts[index]!;
  const to = firsts[index + 1] ?? pixels.parts.length;
  return to - from === 1 ? pixels.parts[from]! : Buffer.concat(pixels.parts.slice(from, to));
}
