// The size a compressed frame says it has, read from its own header (a JPEG
// SOF segment, a JPEG 2000 SIZ segment) before any decoding, so a few-KB frame
// claiming millions of pixels more than the DICOM header allows is refused
// before a decoder allocates them.

export interface FrameSize {
  rows: number;
  columns: number;
}

/** JPEG (baseline, extended, lossless) and JPEG-LS: the first start-of-frame segment; undefined when there is none before the scan. */
export function jpegFrameSize(frame: Buffer): FrameSize | undefined {
  if (frame[0] !== 0xff || frame[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= frame.length) {
    if (frame[at] !== 0xff) return undefined;
    const marker = frame[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = frame.readUInt16BE(at + 2);
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC); SOF55 is JPEG-LS's.
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof) {
      if (at + 9 > frame.length) return undefined;
      return { rows: frame.readUInt16BE(at + 5), columns: frame.readUInt16BE(at + 7) };
    }
    if (marker === 0xda) return undefined; // start of scan: no frame header came first
    at += 2 + length;
  }
  return undefined;
}

/** JPEG 2000: the SIZ segment of the codestream, bare or inside a JP2 file's contiguous codestream box. */
export function j2kFrameSize(frame: Buffer): FrameSize | undefined {
  let soc = 0;
  if (frame.subarray(4, 8).toString('latin1') === 'jP  ') {
    const box = frame.indexOf('jp2c', 0, 'latin1');
    if (box < 0) return undefined;
    soc = box + 4;
  }
  // SOC, then SIZ: Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz (32-bit big-endian).
  if (soc + 24 > frame.length || frame.readUInt32BE(soc) !== 0xff4fff51) return undefined;
  const x = frame.readUInt32BE(soc + 8);
  const y = frame.readUInt32BE(soc + 12);
  const x0 = frame.readUInt32BE(soc + 16);
  const y0 = frame.readUInt32BE(soc + 20);
  return { rows: y - y0, columns: x - x0 };
}
