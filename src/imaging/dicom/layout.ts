// Finds where the top-level Pixel Data element sits in a Part 10 file,
// walking element headers only (sequences and encapsulated fragments are
// skipped by their lengths and delimiters), so pixel data never has to be
// parsed or re-serialised: it is copied byte for byte.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { bareDicomEncoding, isDicomVr, LONG_VRS } from '../sniff.js';
import { TransferSyntax } from './syntax.js';

const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;

export interface Part10Layout {
  /** Offset of the first dataset element (after the file meta group). */
  datasetStart: number;
  transferSyntax: string;
  /** The top-level Pixel Data element, header included; absent when there is none. */
  pixelData: { start: number; end: number } | undefined;
  /** Bytes after Pixel Data (digital signatures, padding), which are dropped. */
  trailing: number;
  /**
   * The meta group declares an explicit VR syntax but the dataset is encoded
   * in implicit VR (seen in the wild; pydicom reads it so, with a warning).
   */
  implicitDataset: boolean;
}

function malformed(): LoupeError {
  return new LoupeError(ErrorCode.ImageCorrupt, 'the DICOM file is corrupt or truncated and cannot be read');
}

/** Random access to the bytes of a file, in memory or on disk. */
export interface ByteSource {
  readonly length: number;
  read(at: number, length: number): Buffer;
}

export function bufferSource(b: Buffer): ByteSource {
  return { length: b.length, read: (at, n) => b.subarray(at, at + n) };
}

/** `head` then `rest`, read as one without copying `rest` behind `head`. */
export function joinedSource(head: Buffer, rest: Buffer): ByteSource {
  if (!head.length) return bufferSource(rest);
  const h = head.length;
  const read = (at: number, n: number): Buffer => {
    if (at >= h) return rest.subarray(at - h, at - h + n);
    if (at + n <= h) return head.subarray(at, at + n);
    return Buffer.concat([head.subarray(at), rest.subarray(0, at + n - h)]);
  };
  return { length: h + rest.length, read };
}

class Walker {
  constructor(
    private readonly src: ByteSource,
    private readonly explicit: boolean,
    private readonly little: boolean,
  ) {}

  private bytes(at: number, n: number): Buffer {
    if (at + n > this.src.length) throw malformed();
    return this.src.read(at, n);
  }

  private u16(at: number): number {
    const b = this.bytes(at, 2);
    return this.little ? b.readUInt16LE(0) : b.readUInt16BE(0);
  }

  private u32(at: number): number {
    const b = this.bytes(at, 4);
    return this.little ? b.readUInt32LE(0) : b.readUInt32BE(0);
  }

  vr(at: number): string {
    return this.bytes(at + 4, 2).toString('latin1');
  }

  text(from: number, to: number): string {
    return this.bytes(from, to - from).toString('latin1');
  }

  tag(at: number): number {
    return ((this.u16(at) << 16) | this.u16(at + 2)) >>> 0;
  }

  /** Returns the offset just past the element (or item/delimiter) at `at`. */
  element(at: number): number {
    const tag = this.tag(at);
    if (tag === ITEM || tag === ITEM_END || tag === SEQUENCE_END) {
      const length = this.u32(at + 4);
      return length === UNDEFINED ? this.until(at + 8, ITEM_END) : this.past(at + 8, length);
    }
    let length: number;
    let header: number;
    if (this.explicit) {
      const vr = this.vr(at);
      // A UN of undefined length is a sequence whose content is implicit VR little endian (PS3.5 6.2.2).
      if (vr === 'UN' && this.u32(at + 8) === UNDEFINED && this.little) return new Walker(this.src, false, true).until(at + 12, SEQUENCE_END);
      if (LONG_VRS.has(vr)) {
        length = this.u32(at + 8);
        header = 12;
      } else {
        length = this.u16(at + 6);
        header = 8;
      }
    } else {
      length = this.u32(at + 4);
      header = 8;
    }
    // Undefined length: a sequence, or encapsulated pixel data; both end with a sequence delimiter.
    if (length === UNDEFINED) return this.until(at + header, SEQUENCE_END);
    return this.past(at + header, length);
  }

  private past(at: number, length: number): number {
    const end = at + length;
    if (end > this.src.length) throw malformed();
    return end;
  }

  /** Walks items or elements until the delimiter `stop`, returning the offset past it. */
  until(at: number, stop: number): number {
    let offset = at;
    for (;;) {
      if (this.tag(offset) === stop) return offset + 8;
      offset = this.element(offset);
    }
  }
}

/** A top-level element: where it starts, where its value starts, where it ends. */
export interface ElementSpan {
  tag: number;
  vr: string | undefined;
  start: number;
  valueStart: number;
  end: number;
}

/** The top-level elements of a whole Part 10 file in memory, file meta group excluded. */
export function topLevelElements(part10: Buffer, layout: Part10Layout): ElementSpan[] {
  const explicit = layout.transferSyntax !== TransferSyntax.ImplicitLittle && !layout.implicitDataset;
  const walker = new Walker(bufferSource(part10), explicit, layout.transferSyntax !== TransferSyntax.ExplicitBig);
  const spans: ElementSpan[] = [];
  for (let at = layout.datasetStart; at < part10.length; ) {
    const vr = explicit ? walker.vr(at) : undefined;
    const end = walker.element(at);
    spans.push({ tag: walker.tag(at), vr, start: at, valueStart: at + (vr && LONG_VRS.has(vr) ? 12 : 8), end });
    at = end;
  }
  return spans;
}

/** The items of a sequence value in implicit VR little endian (how a UN sequence is encoded), as their contents. */
export function implicitItems(value: Buffer): Buffer[] {
  const walker = new Walker(bufferSource(value), false, true);
  const items: Buffer[] = [];
  for (let at = 0; at < value.length; ) {
    // An undefined-length sequence's value ends with its delimiter.
    if (walker.tag(at) === SEQUENCE_END) break;
    if (walker.tag(at) !== ITEM) throw malformed();
    const end = walker.element(at);
    const defined = value.readUInt32LE(at + 4) !== UNDEFINED;
    items.push(value.subarray(at + 8, defined ? end : end - 8));
    at = end;
  }
  return items;
}

/** The file meta group's elements, in file order. */
export function metaElements(part10: Buffer): ElementSpan[] {
  const meta = new Walker(bufferSource(part10), true, true);
  const spans: ElementSpan[] = [];
  for (let at = 132; at + 8 <= part10.length && meta.tag(at) >>> 16 === 0x0002; ) {
    const end = meta.element(at);
    spans.push({ tag: meta.tag(at), vr: meta.vr(at), start: at, valueStart: at + (LONG_VRS.has(meta.vr(at)) ? 12 : 8), end });
    at = end;
  }
  return spans;
}

export function layoutOf(part10: Buffer | ByteSource): Part10Layout {
  const src = Buffer.isBuffer(part10) ? bufferSource(part10) : part10;
  if (src.length < 144 || src.read(128, 4).toString('latin1') !== 'DICM') throw malformed();
  const meta = new Walker(src, true, true);
  // Walk the meta group element by element (its group length is not always present or right).
  let offset = 132;
  let transferSyntax: string | undefined;
  while (offset + 8 <= src.length && meta.tag(offset) >>> 16 === 0x0002) {
    const next = meta.element(offset);
    if ((meta.tag(offset) & 0xffff) === 0x0010) transferSyntax = meta.text(offset + 8, next).replace(/[\0\s]+$/, '');
    offset = next;
  }
  const datasetStart = offset;
  // A meta group without a transfer syntax (seen in the wild): tell implicit from explicit by the dataset.
  if (!transferSyntax) {
    const encoding = bareDicomEncoding(src.read(offset, Math.min(4096, src.length - offset)), true);
    if (!encoding) throw malformed();
    transferSyntax = encoding === 'explicit' ? TransferSyntax.ExplicitLittle : TransferSyntax.ImplicitLittle;
  }
  if (transferSyntax === TransferSyntax.Deflated) return { datasetStart, transferSyntax, pixelData: undefined, trailing: 0, implicitDataset: false };
  const little = transferSyntax !== TransferSyntax.ExplicitBig;
  const implicitDataset =
    little &&
    transferSyntax !== TransferSyntax.ImplicitLittle &&
    offset + 8 <= src.length &&
    !isDicomVr(src.read(offset + 4, 2).toString('latin1')) &&
    bareDicomEncoding(src.read(offset, Math.min(4096, src.length - offset)), true) === 'implicit';
  const walker = new Walker(src, transferSyntax !== TransferSyntax.ImplicitLittle && !implicitDataset, little);
  while (offset < src.length) {
    const start = offset;
    const tag = walker.tag(start);
    offset = walker.element(start);
    if (tag === PIXEL_DATA) return { datasetStart, transferSyntax, pixelData: { start, end: offset }, trailing: src.length - offset, implicitDataset };
  }
  return { datasetStart, transferSyntax, pixelData: undefined, trailing: 0, implicitDataset };
}
