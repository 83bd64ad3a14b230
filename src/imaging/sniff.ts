// Decides what a file is from its bytes alone: never from its name or the
// MIME type a chat platform declares, both of which the uploader controls.
export type PhotoKind = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'heif' | 'avif';
export type ImageKind = PhotoKind | 'dicom';

export type Sniffed =
  | { kind: PhotoKind; family: 'photo'; mediaType: string }
  | { kind: 'dicom'; family: 'dicom'; mediaType: 'application/dicom'; preamble: boolean }
  | { kind: 'none'; family: 'none'; reason: string };

/** Bytes the sniffer looks at; callers may pass just this much of a file. */
export const SNIFF_BYTES = 4096;

const ascii = (b: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...b.subarray(start, Math.min(b.length, start + length)));

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);

// ISO BMFF brands of HEIF stills and sequences (ISO/IEC 23008-12) and of AVIF.
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

function sniffIsoBmff(b: Uint8Array): Sniffed | undefined {
  if (b.length < 16 || ascii(b, 4, 4) !== 'ftyp') return undefined;
  const size = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const brands = [ascii(b, 8, 4)];
  for (let at = 16; at + 4 <= Math.min(size, b.length); at += 4) brands.push(ascii(b, at, 4));
  if (brands.some((x) => AVIF_BRANDS.has(x)) && !brands.some((x) => x.startsWith('he'))) {
    return { kind: 'avif', family: 'photo', mediaType: 'image/avif' };
  }
  if (brands.some((x) => HEIF_BRANDS.has(x))) return { kind: 'heif', family: 'photo', mediaType: 'image/heic' };
  return undefined;
}

const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);
export const isDicomVr = (vr: string): boolean => VRS.has(vr);
/** Explicit-VR elements of these VRs have two reserved bytes and a 4-byte length (PS3.5 7.1.2). */
export const LONG_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * A dataset with no preamble starts with a group 0002 (file meta) or 0008
 * (identification) element. Walks the first elements in explicit and in
 * implicit little-endian form: a few well-formed elements in ascending tag
 * order are not a coincidence. `afterMeta`: the bytes follow a file meta
 * group, so they are DICOM whatever their first group (only the encoding is
 * asked), and may open with a sequence of undefined length.
 */
export function bareDicomEncoding(b: Uint8Array, afterMeta = false): 'explicit' | 'implicit' | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const walk = (explicit: boolean): boolean => {
    let at = 0;
    let previous = -1;
    let count = 0;
    while (count < 3 && at + 8 <= b.length) {
      const group = view.getUint16(at, true);
      const element = view.getUint16(at + 2, true);
      const tag = group * 0x10000 + element;
      if (count === 0 && !afterMeta && group !== 0x0002 && group !== 0x0008) return false;
      if (tag <= previous || group > 0x7fe0 || group === 0) return false;
      let length: number;
      let header: number;
      if (explicit) {
        const vr = ascii(b, at + 4, 2);
        if (!VRS.has(vr)) return false;
        if (LONG_VRS.has(vr)) {
          if (at + 12 > b.length) break;
          length = view.getUint32(at + 8, true);
          header = 12;
        } else {
          length = view.getUint16(at + 6, true);
          header = 8;
        }
      } else {
        length = view.getUint32(at + 4, true);
        header = 8;
      }
      if (length === 0xffffffff) return count >= 1 || afterMeta; // undefined-length sequence: stop walking here
      if (length > 1 << 20) return false;
      previous = tag;
      count++;
      at += header + length;
    }
    return count >= 2 || (count === 1 && at >= b.length);
  };
  if (walk(true)) return 'explicit';
  return walk(false) ? 'implicit' : undefined;
}

export function sniff(bytes: Uint8Array): Sniffed {
  const b = bytes.subarray(0, SNIFF_BYTES);
  // DICOM first: a preamble may itself hold a TIFF header (dual-format files).
  if (ascii(b, 128, 4) === 'DICM') return { kind: 'dicom', family: 'dicom', mediaType: 'application/dicom', preamble: true };
  if (ascii(b, 0, 4) === 'DICM') return { kind: 'dicom', family: 'dicom', mediaType: 'application/dicom', preamble: false };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { kind: 'jpeg', family: 'photo', mediaType: 'image/jpeg' };
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'png', family: 'photo', mediaType: 'image/png' };
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return { kind: 'gif', family: 'photo', mediaType: 'image/gif' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return { kind: 'webp', family: 'photo', mediaType: 'image/webp' };
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]) || startsWith(b, [0x49, 0x49, 0x2b, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2b])) {
    return { kind: 'tiff', family: 'photo', mediaType: 'image/tiff' };
  }
  const bmff = sniffIsoBmff(b);
  if (bmff) return bmff;
  if (bareDicomEncoding(b)) return { kind: 'dicom', family: 'dicom', mediaType: 'application/dicom', preamble: false };
  if (b.length === 0) return { kind: 'none', family: 'none', reason: 'the file is empty' };
  return { kind: 'none', family: 'none', reason: 'not a photo or DICOM file Loupe recognises' };
}
