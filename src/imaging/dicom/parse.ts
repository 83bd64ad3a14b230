// Reads DICOM with dcmjs: Part 10 files, and datasets whose preamble or whole
// file meta group was cut off (some PACS exports), which dcmjs alone refuses.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { checkBytes, type ImagingLimits } from '../limits.js';
import { bareDicomEncoding } from '../sniff.js';
import { dicomData, type DicomDataset, type DicomDict } from './dcmjs.js';
import { layoutOf, metaElements } from './layout.js';
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
  return parsePart10(asPart10(bytes));
}

/**
 * dcmjs needs the meta group's length and a transfer syntax; files missing
 * either (seen in the wild) get them, the syntax told from the dataset.
 */
function completeMeta(part10: Buffer): Buffer {
  const spans = metaElements(part10);
  const hasLength = spans[0]?.tag === 0x00020000;
  const hasSyntax = spans.some((s) => s.tag === 0x00020010);
  if (hasLength && hasSyntax) return part10;
  const layout = layoutOf(part10);
  const kept = spans.filter((s) => s.tag !== 0x00020000).map((s) => ({ tag: s.tag, bytes: part10.subarray(s.start, s.end) }));
  if (!hasSyntax) kept.push({ tag: 0x00020010, bytes: element(0x0002, 0x0010, 'UI', uiValue(layout.transferSyntax)) });
  const body = Buffer.concat(kept.sort((a, b) => a.tag - b.tag).map((k) => k.bytes));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([part10.subarray(0, 132), element(0x0002, 0x0000, 'UL', length), body, part10.subarray(layout.datasetStart)]);
}

export function parsePart10(original: Buffer): DicomDict {
  try {
    const part10 = completeMeta(original);
    const { bytes, lifted } = liftUnSequences(part10);
    const dicom = dcmjsRead(bytes);
    const implicitPrefix = lifted.length ? Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), syntheticMeta(TransferSyntax.ImplicitLittle)]) : Buffer.alloc(0);
    for (const { tag, items } of lifted) {
      dicom.dict[tag] = { vr: 'SQ', Value: items.map((item) => dcmjsRead(Buffer.concat([implicitPrefix, item])).dict) };
    }
    // A misread length shows as a value longer than the whole file: refuse it rather than write it back.
    // (A deflated file's values are legitimately longer than its bytes.)
    const deflated = dicom.meta['00020010']?.Value?.[0] === TransferSyntax.Deflated;
    if (!deflated && longestValue(dicom.dict) > part10.length) throw new Error('a value is longer than the file');
    return dicom;
  } catch (cause) {
    if (cause instanceof LoupeError) throw cause;
    if (cause instanceof Error && /multiple character sets/i.test(cause.message)) {
      throw new LoupeError(ErrorCode.ImageUnsupported, 'DICOM text in several character sets (ISO 2022 code extensions) cannot be read yet', { cause });
    }
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

/**
 * Part 10 bytes. dcmjs cannot deflate: a deflated dataset is written as
 * explicit VR little endian, the same data without the compression layer.
 */
export function writeDicom(dicom: DicomDict): Buffer {
  const syntax = dicom.meta['00020010']?.Value?.[0];
  if (syntax === TransferSyntax.Deflated) dicom.meta['00020010'] = { vr: 'UI', Value: [TransferSyntax.ExplicitLittle] };
  return Buffer.from(dicom.write());
}

/** A DICOM instance whose header is parsed and whose Pixel Data element is kept as the original bytes. */
export interface DicomInstance {
  dicom: DicomDict;
  /** The original Pixel Data element, header included, copied verbatim on write. */
  pixelData: Buffer | undefined;
  /** Bytes after Pixel Data (digital signatures, padding), dropped on write. */
  droppedTrailing: number;
}

export function readInstance(bytes: Buffer, limits: ImagingLimits): DicomInstance {
  checkBytes(limits, bytes.length);
  const part10 = asPart10(bytes);
  const layout = layoutOf(part10);
  if (!layout.pixelData) return detachPixelData(parsePart10(part10));
  return {
    dicom: parsePart10(part10.subarray(0, layout.pixelData.start)),
    pixelData: part10.subarray(layout.pixelData.start, layout.pixelData.end),
    droppedTrailing: layout.trailing,
  };
}

/** The header as dcmjs writes it, then the original Pixel Data element byte for byte. */
export function writeInstance(instance: DicomInstance): Buffer {
  const header = writeDicom(instance.dicom);
  return instance.pixelData ? Buffer.concat([header, instance.pixelData]) : header;
}


/**
 * A deflated file is parsed whole (dcmjs inflates it); its native pixel data
 * is taken out of the parsed dataset into an element of its own, encoded as
 * the explicit little endian the file is written back in.
 */
function detachPixelData(dicom: DicomDict): DicomInstance {
  const el = dicom.dict['7FE00010'];
  const value = el?.Value?.[0];
  if (!el || !(value instanceof ArrayBuffer) || (el.Value?.length ?? 0) !== 1) {
    return { dicom, pixelData: undefined, droppedTrailing: 0 };
  }
  const body = Buffer.from(value);
  const padded = body.length % 2 ? Buffer.concat([body, Buffer.alloc(1)]) : body;
  const header = Buffer.alloc(12);
  header.writeUInt16LE(0x7fe0, 0);
  header.writeUInt16LE(0x0010, 2);
  header.write(el.vr === 'OB' ? 'OB' : 'OW', 4, 'latin1');
  header.writeUInt32LE(padded.length, 8);
  delete dicom.dict['7FE00010'];
  if (dicom.meta['00020010']?.Value?.[0] === TransferSyntax.Deflated) {
    dicom.meta['00020010'] = { vr: 'UI', Value: [TransferSyntax.ExplicitLittle] };
  }
  return { dicom, pixelData: Buffer.concat([header, padded]), droppedTrailing: 0 };
}
