// What a JPEG's frame header (SOF) says about its pixels, read without
// decoding: enough to wrap the bytes as DICOM's JPEG Baseline transfer syntax,
// which only baseline sequential 8-bit (SOF0) JPEG may use (PS3.5 A.4.1).
import { ErrorCode, LoupeError } from '../core/errors.js';

export interface JpegFrame {
  rows: number;
  columns: number;
  /** 1 (grey) or 3 (colour). */
  components: number;
  /** Horizontal and vertical sampling factors per component, in frame order. */
  sampling: { h: number; v: number }[];
  /** An Adobe APP14 segment said the three components are RGB, not YCbCr. */
  adobeRgb: boolean;
}

const SOI = 0xd8;
const SOF0 = 0xc0;
const SOS = 0xda;
const EOI = 0xd9;
const APP0 = 0xe0;
const APP14 = 0xee;
/** APP1 to APP13, APP15 (EXIF, XMP, ICC, MPF, Photoshop...) and COM: where a photo's metadata lives. */
const METADATA = new Set([...Array.from({ length: 13 }, (_, i) => 0xe1 + i), 0xef, 0xfe]);
// Every other start-of-frame marker: extended, progressive, lossless, hierarchical, arithmetic.
const OTHER_SOF = new Set([0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

const corrupt = () => new LoupeError(ErrorCode.ImageCorrupt, 'the JPEG is corrupt or truncated');

/** The frame of a baseline 8-bit JPEG; anything else is refused. */
export function baselineJpegFrame(jpeg: Buffer): JpegFrame {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== SOI) throw new LoupeError(ErrorCode.ImageUnsupported, 'the image is not a JPEG');
  // Nothing but the pixels may reach a PACS: metadata (EXIF, XMP, ICC, comments) or bytes after the image end are refused, never carried.
  if (jpeg.length < 6 || jpeg[jpeg.length - 2] !== 0xff || jpeg[jpeg.length - 1] !== EOI) throw new LoupeError(ErrorCode.ImageUnsupported, 'the JPEG has bytes after its end; clean it first');
  let adobeRgb = false;
  let frame: JpegFrame | undefined;
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at] !== 0xff) throw corrupt();
    const marker = jpeg[at + 1]!;
    // Fill bytes may precede a marker.
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = jpeg.readUInt16BE(at + 2);
    const body = jpeg.subarray(at + 4, at + 2 + length);
    if (length < 2 || body.length !== length - 2) throw corrupt();
    if (OTHER_SOF.has(marker)) throw new LoupeError(ErrorCode.JpegNotBaseline, 'the JPEG is not baseline sequential 8-bit (progressive, extended or lossless); re-encode it as baseline first');
    if (marker === APP14 && body.subarray(0, 5).toString('latin1') === 'Adobe' && body.length >= 12) adobeRgb = body[11] === 0;
    else if (METADATA.has(marker) || (marker === APP0 && body.subarray(0, 5).toString('latin1') !== 'JFIF\0')) {
      throw new LoupeError(ErrorCode.ImageUnsupported, 'the JPEG carries metadata (EXIF, XMP, a profile or a comment); clean it first');
    }
    if (marker === SOF0) frame = frameOf(body, adobeRgb);
    if (marker === SOS) {
      if (!frame) throw corrupt();
      return frame;
    }
    at += 2 + length;
  }
  throw corrupt();
}

function frameOf(body: Buffer, adobeRgb: boolean): JpegFrame {
  if (body.length < 6) throw corrupt();
  const precision = body[0]!;
  const rows = body.readUInt16BE(1);
  const columns = body.readUInt16BE(3);
  const components = body[5]!;
  if (body.length < 6 + 3 * components) throw corrupt();
  if (precision !== 8) throw new LoupeError(ErrorCode.JpegNotBaseline, 'the JPEG is not 8-bit');
  // Rows 0 means "defined later by a DNL marker", which DICOM's Rows cannot say.
  if (rows === 0 || columns === 0) throw new LoupeError(ErrorCode.ImageUnsupported, 'the JPEG does not state its height in its frame header');
  if (components !== 1 && components !== 3) throw new LoupeError(ErrorCode.ImageUnsupported, 'the JPEG has neither one nor three colour components');
  const sampling = Array.from({ length: components }, (_, i) => {
    const hv = body[6 + 3 * i + 1]!;
    return { h: hv >> 4, v: hv & 0x0f };
  });
  return { rows, columns, components, sampling, adobeRgb };
}
