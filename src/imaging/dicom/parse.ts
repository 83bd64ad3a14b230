// Reads DICOM with dcmjs: Part 10 files, and datasets whose preamble or whole
// file meta group was cut off (some PACS exports), which dcmjs alone refuses.
import { inflateRawSync } from 'node:zlib';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { checkBytes, type ImagingLimits } from '../limits.js';
import { bareDicomEncoding } from '../sniff.js';
import { decodeCodeExtensions, neutraliseCodeExtensions } from './charsets.js';
import { dicomData, type DicomDataset, type DicomDict } from './dcmjs.js';
import { joinedSource, layoutOf, metaElements, type Part10Layout } from './layout.js';
import { TransferSyntax } from './syntax.js';
import { liftUnSequences } from './un-sequences.js';

export { TransferSyntax } from './syntax.js';

function element(group: number, elementNo: number, vr: string, value: Buffer): Buffer {
  const head = Buffer.alloc(vr === 'OB' ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elementNo, 2);
  head.write(vr, 4, 'ascii');
  if (vr === 'OB') head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

const uiValue = (uid: string) => {
  const b = Buffer.from(uid, 'ascii');
  return b.length % 2 ? Buffer.concat([b, Buffer.from([0])]) : b;
};

/** The minimal file meta a dataset without one needs for dcmjs to read it. */
function syntheticMeta(transferSyntax: string): Buffer {
  const body = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 0x0010, 'UI', uiValue(transferSyntax)),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([element(0x0002, 0x0000, 'UL', length), body]);
}

/** What must go before a file's first byte to make it Part 10 (empty for a Part 10 file). */
export function part10Prefix(head: Buffer): Buffer {
  if (head.subarray(128, 132).toString('latin1') === 'DICM') return Buffer.alloc(0);
  const preamble = Buffer.alloc(128);
  if (head.subarray(0, 4).toString('latin1') === 'DICM') return preamble;
  if (head[0] === 0x02 && head[1] === 0x00) return Buffer.concat([preamble, Buffer.from('DICM')]);
  const encoding = bareDicomEncoding(head.subarray(0, 4096));
  if (!encoding) throw new LoupeError(ErrorCode.ImageCorrupt, 'not a DICOM dataset');
  const syntax = encoding === 'explicit' ? TransferSyntax.ExplicitLittle : TransferSyntax.ImplicitLittle;
  return Buffer.concat([preamble, Buffer.from('DICM'), syntheticMeta(syntax)]);
}

export function asPart10(bytes: Buffer): Buffer {
  const prefix = part10Prefix(bytes);
  return prefix.length ? Buffer.concat([prefix, bytes]) : bytes;
}

export function readDicom(bytes: Buffer, limits: ImagingLimits): DicomDict {
  checkBytes(limits, bytes.length);
  return parsePart10(inflated(asPart10(bytes), limits));
}

/** Deflate's own ceiling (about 1032:1): a stream that inflates further is not a deflate stream of this file. */
const MAX_DEFLATE_RATIO = 1100;

/**
 * A deflated file as the explicit VR little endian file it encodes, inflated
 * here with a cap (the configured size limit, and deflate's maximum ratio), so
 * a few KB cannot become gigabytes and every length is then checked against
 * the real inflated size like any other file's.
 */
export function inflated(part10: Buffer, limits: ImagingLimits): Buffer {
  const layout = layoutOf(part10);
  if (layout.transferSyntax !== TransferSyntax.Deflated) return part10;
  const compressed = part10.subarray(layout.datasetStart);
  const cap = Math.min(limits.maxBytes, MAX_DEFLATE_RATIO * Math.max(compressed.length, 1024));
  let dataset: Buffer;
  try {
    dataset = inflateRawSync(compressed, { maxOutputLength: cap });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new LoupeError(ErrorCode.ImageTooLarge, `the deflated DICOM dataset inflates past ${cap} bytes`, { cause });
    }
    throw new LoupeError(ErrorCode.ImageCorrupt, 'the deflated DICOM dataset is corrupt', { cause });
  }
  const meta = metaElements(part10)
    .filter((s) => s.tag !== 0x00020000 && s.tag !== 0x00020010)
    .map((s) => ({ tag: s.tag, bytes: part10.subarray(s.start, s.end) }));
  meta.push({ tag: 0x00020010, bytes: element(0x0002, 0x0010, 'UI', uiValue(TransferSyntax.ExplicitLittle)) });
  const body = Buffer.concat(meta.sort((a, b) => a.tag - b.tag).map((k) => k.bytes));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([part10.subarray(0, 132), element(0x0002, 0x0000, 'UL', length), body, dataset]);
}

/**
 * dcmjs needs the meta group's length and a transfer syntax; files missing
 * either (seen in the wild) get them, the syntax told from the dataset. A
 * dataset in implicit VR under a meta group declaring explicit VR is read as
 * the implicit VR it is.
 */
function completeMeta(part10: Buffer, layout: Part10Layout): Buffer {
  const spans = metaElements(part10);
  const hasLength = spans[0]?.tag === 0x00020000;
  const hasSyntax = spans.some((s) => s.tag === 0x00020010);
  if (hasLength && hasSyntax && !layout.implicitDataset) return part10;
  const kept = spans.filter((s) => s.tag !== 0x00020000 && (s.tag !== 0x00020010 || !layout.implicitDataset)).map((s) => ({ tag: s.tag, bytes: part10.subarray(s.start, s.end) }));
  const syntax = layout.implicitDataset ? TransferSyntax.ImplicitLittle : layout.transferSyntax;
  if (!hasSyntax || layout.implicitDataset) kept.push({ tag: 0x00020010, bytes: element(0x0002, 0x0010, 'UI', uiValue(syntax)) });
  const body = Buffer.concat(kept.sort((a, b) => a.tag - b.tag).map((k) => k.bytes));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([part10.subarray(0, 132), element(0x0002, 0x0000, 'UL', length), body, part10.subarray(layout.datasetStart)]);
}

/**
 * The Pixel Data element of an implicit VR dataset, given the explicit VR
 * header its file's declared syntax wants: the same value, OB when
 * encapsulated (undefined length), else OW.
 */
export function explicitPixelHeader(implicitHeader: Buffer): Buffer {
  const length = implicitHeader.readUInt32LE(4);
  const header = Buffer.alloc(12);
  implicitHeader.copy(header, 0, 0, 4);
  header.write(length === 0xffffffff ? 'OB' : 'OW', 4, 'latin1');
  header.writeUInt32LE(length, 8);
  return header;
}

export function parsePart10(original: Buffer): DicomDict {
  try {
    const layout = layoutOf(original);
    const part10 = completeMeta(original, layout);
    const { bytes, lifted } = liftUnSequences(part10);
    const text = neutraliseCodeExtensions(bytes);
    const dicom = dcmjsRead(text.bytes);
    if (text.declared.some(Boolean)) decodeCodeExtensions(dicom.dict, text.declared);
    // Written back in the syntax the file declares (its pixel data is encoded for that one).
    if (layout.implicitDataset) dicom.meta['00020010'] = { vr: 'UI', Value: [layout.transferSyntax] };
    const implicitPrefix = lifted.length ? Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), syntheticMeta(TransferSyntax.ImplicitLittle)]) : Buffer.alloc(0);
    for (const { tag, items } of lifted) {
      // An item may hold such sequences itself (nested private sequences): read the same way.
      dicom.dict[tag] = { vr: 'SQ', Value: items.map((item) => parsePart10(Buffer.concat([implicitPrefix, item])).dict) };
    }
    // A misread length shows as a value longer than the whole file: refuse it rather than write it back.
    if (longestValue(dicom.dict) > part10.length) throw new Error('a value is longer than the file');
    return dicom;
  } catch (cause) {
    if (cause instanceof LoupeError) throw cause;
    throw new LoupeError(ErrorCode.ImageCorrupt, 'the DICOM file is corrupt or truncated and cannot be read', { cause });
  }
}

function dcmjsRead(part10: Buffer): DicomDict {
  // A copy into a fresh ArrayBuffer: dcmjs reads the whole backing buffer.
  const ab = part10.buffer.slice(part10.byteOffset, part10.byteOffset + part10.byteLength) as ArrayBuffer;
  return dicomData.DicomMessage.readFile(ab, { ignoreErrors: false });
}

function longestValue(dataset: DicomDataset): number {
  let longest = 0;
  for (const el of Object.values(dataset)) {
    for (const v of el.Value ?? []) {
      if (v instanceof ArrayBuffer) longest = Math.max(longest, v.byteLength);
      else if (el.vr === 'SQ' && v && typeof v === 'object') longest = Math.max(longest, longestValue(v as DicomDataset));
    }
  }
  return longest;
}

/** Room a de-identified header may need beyond what was read: replacement UIDs, the de-identification record. */
const WRITE_SLACK = 64 * 1024;

/**
 * Part 10 bytes, refused before writing when the dataset would encode to more
 * than twice what was read (plus room for what de-identification adds): a
 * misread value must not send the writer into unbounded growth.
 */
export function writeDicom(dicom: DicomDict, readBytes = Number.POSITIVE_INFINITY): Buffer {
  const bound = 2 * readBytes + WRITE_SLACK;
  if (encodedSize(dicom.meta) + encodedSize(dicom.dict) > bound) {
    throw new LoupeError(ErrorCode.ImageCorrupt, 'the DICOM header would grow past what was read; the file is corrupt');
  }
  // Over-long values (a vendor's 17-character DS) are written back as read, as DCMTK and pydicom do.
  const out = Buffer.from(dicom.write({ allowInvalidVRLength: true }));
  if (out.length > bound) throw new LoupeError(ErrorCode.ImageCorrupt, 'the DICOM header would grow past what was read; the file is corrupt');
  return out;
}

/** An upper estimate of a dataset's encoded size, without encoding it. */
function encodedSize(dataset: DicomDataset): number {
  let size = 0;
  for (const el of Object.values(dataset)) {
    size += 12;
    for (const v of el.Value ?? []) {
      if (v instanceof ArrayBuffer) size += v.byteLength;
      else if (el.vr === 'SQ' && v && typeof v === 'object') size += 16 + encodedSize(v as DicomDataset);
      else if (typeof v === 'string') size += v.length * 3 + 1;
      else if (v && typeof v === 'object') size += JSON.stringify(v).length * 3;
      else size += 8;
    }
    if (el.InlineBinary) size += el.InlineBinary.length;
  }
  return size;
}

/** A DICOM instance whose header is parsed and whose Pixel Data element is kept as the original bytes. */
export interface DicomInstance {
  dicom: DicomDict;
  /** The original Pixel Data element, header included, copied verbatim on write. */
  pixelData: Buffer | undefined;
  /** Bytes after Pixel Data (digital signatures, padding), dropped on write. */
  droppedTrailing: number;
  /** Bytes the header was read from: bounds what writing it may produce. */
  headerBytes: number;
}

export function readInstance(bytes: Buffer, limits: ImagingLimits): DicomInstance {
  checkBytes(limits, bytes.length);
  // Laid out as the Part 10 file it is read as, without copying the file behind a missing preamble or meta group.
  const prefix = part10Prefix(bytes);
  const layout = layoutOf(joinedSource(prefix, bytes));
  if (layout.transferSyntax === TransferSyntax.Deflated || !layout.pixelData) return readWholeInstance(bytes, limits);
  const { start, end } = layout.pixelData;
  const at = start - prefix.length;
  const pixels = bytes.subarray(at, end - prefix.length);
  return {
    dicom: parsePart10(prefix.length ? Buffer.concat([prefix, bytes.subarray(0, at)]) : bytes.subarray(0, at)),
    pixelData: layout.implicitDataset ? Buffer.concat([explicitPixelHeader(pixels.subarray(0, 8)), pixels.subarray(8)]) : pixels,
    droppedTrailing: layout.trailing,
    headerBytes: start,
  };
}

/** A deflated file (its pixel data is found once inflated), or one without pixel data. */
function readWholeInstance(bytes: Buffer, limits: ImagingLimits): DicomInstance {
  const part10 = inflated(asPart10(bytes), limits);
  const layout = layoutOf(part10);
  if (!layout.pixelData) return { dicom: parsePart10(part10), pixelData: undefined, droppedTrailing: 0, headerBytes: part10.length };
  const { start, end } = layout.pixelData;
  return {
    dicom: parsePart10(part10.subarray(0, start)),
    pixelData: layout.implicitDataset ? Buffer.concat([explicitPixelHeader(part10.subarray(start, start + 8)), part10.subarray(start + 8, end)]) : part10.subarray(start, end),
    droppedTrailing: layout.trailing,
    headerBytes: layout.pixelData.start,
  };
}

/**
 * The header as dcmjs writes it, then the original Pixel Data element byte for
 * byte, as the pieces to write one after the other: the pixel data is the
 * input's own bytes, not copied (a caller that can write a list of buffers
 * should take this, not writeInstance).
 */
export function writeInstanceParts(instance: DicomInstance): Buffer[] {
  const header = writeDicom(instance.dicom, instance.headerBytes);
  return instance.pixelData ? [header, instance.pixelData] : [header];
}

/** The instance as one new buffer (header and pixel data copied into it). */
export function writeInstance(instance: DicomInstance): Buffer {
  const parts = writeInstanceParts(instance);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
