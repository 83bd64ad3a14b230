// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets,
// one PackBits segment per byte plane, most significant byte first, each
// sample's planes in turn. Output: the frame as native little-endian,
// colour-by-plane data (planar configuration 1).
import { ErrorCode, LoupeError } from '../../core/errors.js';

function packBits(segment: Buffer, out: Buffer, outStart: number, stride: number, count: number): void {
  let i = 0;
  let o = 0;
  while (o < count && i < segment.length) {
    const n = (segment[i++]! << 24) >> 24; // as a signed byte
    if (n >= 0) {
      for (let k = 0; k <= n && o < count; k++) out[outStart + stride * o++] = segment[i++]!;
    } else if (n !== -128) {
      const v = segment[i++]!;
      for (let k = 0; k < 1 - n && o < count; k++) out[outStart + stride * o++] = v;
    }
  }
  if (o < count) throw new LoupeError(ErrorCode.ImageCorrupt, 'an RLE segment ends before its frame does');
}

export function decodeRle(frame: Buffer, pixels: number, samples: number, bytesPerSample: number): Buffer {
  const segments = frame.readUInt32LE(0);
  if (segments !== samples * bytesPerSample) throw new LoupeError(ErrorCode.ImageCorrupt, 'the RLE header does not match the image');
  const offsets = Array.from({ length: segments }, (_, i) => frame.readUInt32LE(4 + 4 * i));
  const out = Buffer.alloc(pixels * samples * bytesPerSample);
  for (let s = 0; s < samples; s++) {
    for (let b = 0; b < bytesPerSample; b++) {
      const seg = s * bytesPerSample + b;
      const data = frame.subarray(offsets[seg]!, offsets[seg + 1] ?? frame.length);
      // Segments go most significant byte first; the output is little endian.
      const byteIndex = bytesPerSample - 1 - b;
      packBits(data, out, s * pixels * bytesPerSample + byteIndex, bytesPerSample, pixels);
    }
  }
  return out;
}
