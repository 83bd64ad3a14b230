// Reads DICOM with dcmjs: Part 10 files, and datasets whose preamble or whole
// file meta group was cut off (some PACS exports), which dcmjs alone refuses.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { checkBytes, type ImagingLimits } from '../limits.js';
import { bareDicomEncoding } from '../sniff.js';
import { dicomData, type DicomDict } from './dcmjs.js';

export const TransferSyntax = {
  ImplicitLittle: '1.2.840.10008.1.2',
  ExplicitLittle: '1.2.840.10008.1.2.1',
  Deflated: '1.2.840.10008.1.2.1.99',
  ExplicitBig: '1.2.840.10008.1.2.2',
} as const;

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

function asPart10(bytes: Buffer): Buffer {
  if (bytes.subarray(128, 132).toString('latin1') === 'DICM') return bytes;
  const preamble = Buffer.alloc(128);
  if (bytes.subarray(0, 4).toString('latin1') === 'DICM') return Buffer.concat([preamble, bytes]);
  if (bytes[0] === 0x02 && bytes[1] === 0x00) return Buffer.concat([preamble, Buffer.from('DICM'), bytes]);
  const encoding = bareDicomEncoding(bytes.subarray(0, 4096));
  if (!encoding) throw new LoupeError(ErrorCode.ImageCorrupt, 'not a DICOM dataset');
  const syntax = encoding === 'explicit' ? TransferSyntax.ExplicitLittle : TransferSyntax.ImplicitLittle;
  return Buffer.concat([preamble, Buffer.from('DICM'), syntheticMeta(syntax), bytes]);
}

export function readDicom(bytes: Buffer, limits: ImagingLimits): DicomDict {
  checkBytes(limits, bytes.length);
  const part10 = asPart10(bytes);
  try {
    // A copy into a fresh ArrayBuffer: dcmjs reads the whole backing buffer.
    const ab = part10.buffer.slice(part10.byteOffset, part10.byteOffset + part10.byteLength) as ArrayBuffer;
    return dicomData.DicomMessage.readFile(ab, { ignoreErrors: false });
  } catch (cause) {
    if (cause instanceof LoupeError) throw cause;
    throw new LoupeError(ErrorCode.ImageCorrupt, 'the DICOM file is corrupt or truncated and cannot be read', { cause });
  }
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
