// Cleans a photo: decodes it (HEVC-coded HEIC through libheif in WebAssembly,
// everything else through sharp), applies its orientation, converts to sRGB
// and re-encodes it with no metadata at all, plus a small preview. The
// original bytes are kept elsewhere, encrypted, for the record.
import decodeHeic from 'heic-decode';
import sharp, { type Sharp } from 'sharp';
import { ErrorCode, LoupeError, isLoupeError } from '../core/errors.js';
import { checkBytes, checkDimensions, type ImagingLimits } from './limits.js';
import { describeMetadata } from './photo-metadata.js';
import type { PhotoKind } from './sniff.js';

export interface CleanedImage {
  data: Buffer;
  mediaType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

export interface CleanedPhoto {
  derivative: CleanedImage;
  preview: CleanedImage;
  /** Kinds of metadata found and removed (never their values). */
  removed: string[];
  warnings: string[];
}

export const PREVIEW_SIZE = 512;
// Lossless sources stay lossless; camera formats become high-quality JPEG.
const LOSSLESS: ReadonlySet<PhotoKind> = new Set(['png', 'tiff', 'gif']);

function corrupt(cause: unknown): LoupeError {
  return new LoupeError(ErrorCode.ImageCorrupt, 'the image is corrupt or truncated and cannot be decoded', { cause });
}

async function openHeic(bytes: Buffer, limits: ImagingLimits): Promise<{ image: Sharp; warnings: string[] }> {
  let images: Awaited<ReturnType<typeof decodeHeic.all>>;
  try {
    images = await decodeHeic.all({ buffer: bytes });
  } catch (cause) {
    throw corrupt(cause);
  }
  try {
    const first = images[0];
    if (!first) throw corrupt(undefined);
    checkDimensions(limits, first.width, first.height, 1);
    // libheif applies the HEIF rotation and mirroring (irot/imir) while decoding.
    const { width, height, data } = await first.decode().catch((cause: unknown) => {
      throw corrupt(cause);
    });
    const warnings = images.length > 1 ? [`kept the primary image of ${images.length}`] : [];
    return {
      image: sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } }),
      warnings,
    };
  } finally {
    images.dispose();
  }
}

// Huffman tables are not optimised: a second pass over the coefficients that
// costs about as much as the encode for a few percent of size (libvips'
// default too).
const JPEG = { quality: 92, chromaSubsampling: '4:4:4', optimiseCoding: false } as const;

async function encode(image: Sharp, lossless: boolean): Promise<CleanedImage> {
  const out = lossless ? image.png({ compressionLevel: 6 }) : image.flatten({ background: '#ffffff' }).jpeg(JPEG);
  const { data, info } = await out.toBuffer({ resolveWithObject: true });
  return { data, mediaType: lossless ? 'image/png' : 'image/jpeg', width: info.width, height: info.height };
}

const shrink = (image: Sharp): Sharp => image.resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: 'inside', withoutEnlargement: true });

/** Both images from pixels decoded once (HEIC, lossless sources): no second decode to make the preview. */
async function fromPixels(image: Sharp, lossless: boolean): Promise<{ derivative: CleanedImage; preview: CleanedImage }> {
  const { data, info } = await image.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const pixels = () => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const derivative = await encode(pixels(), lossless);
  const preview = await encode(shrink(pixels()), false);
  return { derivative, preview };
}

export async function cleanPhoto(bytes: Buffer, kind: PhotoKind, limits: ImagingLimits): Promise<CleanedPhoto> {
  checkBytes(limits, bytes.length);
  const options = { limitInputPixels: limits.maxPixels, failOn: 'error' as const, sequentialRead: true };
  let removed: string[] = [];
  const warnings: string[] = [];
  // No withMetadata()/keepMetadata() anywhere: sharp writes no EXIF, XMP,
  // IPTC, ICC or comments, and converts to sRGB.
  try {
    if (kind === 'heif') {
      const meta = await sharp(bytes).metadata().catch(() => undefined);
      if (meta) removed = describeMetadata(meta);
      const heic = await openHeic(bytes, limits);
      warnings.push(...heic.warnings);
      return { ...(await fromPixels(heic.image, false)), removed, warnings };
    }
    // Reading the header decodes no pixels; the limits are checked on it first.
    const meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
    const frames = meta.pages ?? 1;
    checkDimensions(limits, meta.width ?? 0, meta.height ?? 0, frames);
    removed = describeMetadata(meta);
    if (frames > 1) warnings.push(`kept the first of ${frames} frames or pages`);
    // EXIF orientation is applied to the pixels, so dropping the tag keeps portraits upright.
    const original = sharp(bytes, options).rotate();
    if (LOSSLESS.has(kind)) return { ...(await fromPixels(original, true)), removed, warnings };
    // Camera formats: the original is decoded once, straight into the JPEG
    // derivative; the preview comes from that clean JPEG with shrink-on-load
    // (libjpeg decodes it at 1/8 scale), far cheaper than resizing 12 MP.
    const derivative = await encode(original.toColourspace('srgb'), false);
    const preview = await encode(shrink(sharp(derivative.data, options)), false);
    return { derivative, preview, removed, warnings };
  } catch (error) {
    if (isLoupeError(error)) throw error;
    throw corrupt(error);
  }
}
