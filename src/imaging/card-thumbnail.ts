// The small image a card may carry into the chat (channel policy preview mode
// "deidentified"). It is made from Loupe's own preview (already cleaned: a
// photo without metadata, a DICOM image de-identified), never from an
// upload. A photo goes only as a strong blur: it is shrunk to a few pixels
// across, so nothing finer than that (a face, a tattoo, a wristband's text)
// survives, then grown back and softened. A DICOM image goes as it is, small.
import sharp from 'sharp';
import { ErrorCode, LoupeError } from '../core/errors.js';

export type ThumbnailStyle = 'blurred' | 'plain';

export interface CardThumbnail {
  mediaType: 'image/jpeg';
  data: Buffer;
  width: number;
  height: number;
}

/** The longest side of a card's preview, in pixels: a glance, not a read. */
export const CARD_THUMBNAIL_SIZE = 240;
/** What a blurred photo keeps across its longest side before it is grown back. */
export const BLUR_DETAIL_PIXELS = 12;
// Loupe's own previews are 512 px at most; anything much larger is not one.
const MAX_INPUT_PIXELS = 4096 * 4096;

export async function cardThumbnail(bytes: Buffer, style: ThumbnailStyle): Promise<CardThumbnail> {
  const open = () => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).removeAlpha().toColourspace('srgb');
  const fit = { width: CARD_THUMBNAIL_SIZE, height: CARD_THUMBNAIL_SIZE, fit: 'inside' as const };
  try {
    const image =
      style === 'plain'
        ? open().resize({ ...fit, withoutEnlargement: true })
        : await open()
            .resize({ width: BLUR_DETAIL_PIXELS, height: BLUR_DETAIL_PIXELS, fit: 'inside' })
            .raw()
            .toBuffer({ resolveWithObject: true })
            .then(({ data, info }) => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).resize({ ...fit, kernel: 'cubic' }).blur(6));
    const { data, info } = await image.jpeg({ quality: 75 }).toBuffer({ resolveWithObject: true });
    return { mediaType: 'image/jpeg', data, width: info.width, height: info.height };
  } catch (cause) {
    throw new LoupeError(ErrorCode.ImageCorrupt, 'the preview could not be made', { cause });
  }
}
