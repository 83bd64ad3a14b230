// Decoders for compressed DICOM frames: WebAssembly or JavaScript builds from
// the npm registry, loaded on first use and kept by the Codecs instance (not
// by the module), and Loupe's own for JPEG extended (12-bit), which no
// registry codec decodes. Output: native little-endian, interleaved.
import { createRequire } from 'node:module';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { j2kFrameSize, jpegFrameSize, type FrameSize } from './frame-size.js';
import { decodeJpeg } from './jpeg-extended.js';

const require = createRequire(import.meta.url);

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  delete?(): void;
}
type WasmModule = Record<string, new () => WasmDecoder>;

export const CodecSyntax = {
  Jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  Jpeg2000: '1.2.840.10008.1.2.4.91',
  JpegLsLossless: '1.2.840.10008.1.2.4.80',
  JpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  JpegExtended: '1.2.840.10008.1.2.4.51',
  JpegLossless: '1.2.840.10008.1.2.4.57',
  JpegLosslessSv1: '1.2.840.10008.1.2.4.70',
} as const;

export class Codecs {
  private openjpeg: Promise<WasmModule> | undefined;
  private charls: Promise<WasmModule> | undefined;

  /** True when `transferSyntax` has a decoder here. */
  supports(transferSyntax: string): boolean {
    return (Object.values(CodecSyntax) as string[]).includes(transferSyntax);
  }

  /** `image` is what the header says; a frame claiming other dimensions is refused before it is decoded. */
  async decode(transferSyntax: string, frame: Buffer, image: { bitsAllocated: number; rows: number; columns: number }): Promise<Buffer> {
    const { bitsAllocated } = image;
    switch (transferSyntax) {
      case CodecSyntax.Jpeg2000Lossless:
      case CodecSyntax.Jpeg2000:
        sameSize(j2kFrameSize(frame) ?? UNSIZED, image);
        this.openjpeg ??= (require('@cornerstonejs/codec-openjpeg/decodewasmjs') as () => Promise<WasmModule>)();
        return this.runWasm(await this.openjpeg, 'J2KDecoder', frame);
      case CodecSyntax.JpegLsLossless:
      case CodecSyntax.JpegLsNearLossless:
        sameSize(jpegFrameSize(frame) ?? UNSIZED, image);
        this.charls ??= (require('@cornerstonejs/codec-charls/decodewasmjs') as () => Promise<WasmModule>)();
        return this.runWasm(await this.charls, 'JpegLSDecoder', frame);
      case CodecSyntax.JpegExtended:
        return decodeJpeg(frame, image).data;
      default: {
        sameSize(jpegFrameSize(frame) ?? UNSIZED, image);
        const { Decoder } = await import('jpeg-lossless-decoder-js');
        const out = new Decoder().decode(frame.buffer as ArrayBuffer, frame.byteOffset, frame.byteLength, bitsAllocated > 8 ? 2 : 1);
        return Buffer.from(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      }
    }
  }

  private runWasm(module: WasmModule, name: string, frame: Buffer): Buffer {
    const Decoder = module[name];
    if (!Decoder) throw new Error(`${name} missing`);
    const decoder = new Decoder();
    try {
      decoder.getEncodedBuffer(frame.length).set(frame);
      decoder.decode();
      // A copy: the decoder's buffer lives in WebAssembly memory that is reused.
      return Buffer.from(decoder.getDecodedBuffer());
    } finally {
      decoder.delete?.();
    }
  }
}

/** A frame that does not say its size before its data (no SIZ, no SOF before the scan): no decoder can size it honestly. */
const UNSIZED: FrameSize = { rows: -1, columns: -1 };

/**
 * A frame must be the size the header gives (checked on the header's word,
 * not the decoder's): else a few bytes could make the decoder allocate and
 * work through far more pixels than the limits let in. A JPEG height of 0
 * (given later, by a DNL segment) is left to the decoder.
 */
function sameSize(claimed: FrameSize, image: { rows: number; columns: number }): void {
  if (claimed.columns !== image.columns || (claimed.rows !== 0 && claimed.rows !== image.rows)) {
    throw new LoupeError(ErrorCode.ImageCorrupt, 'a compressed frame claims another size than the image header');
  }
}
