// The small image a card may carry into the chat (channel policy preview mode
// "deidentified"). It is made from Loupe's own preview (already cleaned: a
// photo without metadata, a DICOM image de-identified), never from an
// upload. A photo goes only as a strong blur: it is shrunk to 6 pixels
// across (familiar faces are still recognised at 12 or 16), so what is left is
// patches of colour, not a face, a tattoo or a wristband's text; then grown
// back and softened. A DICOM image goes as it is, small. Either stays under
// a size a Teams card can carry inside itself.
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
export const BLUR_DETAIL_PIXELS = 6;
/** The most a preview may weigh: inside a Teams card it is base64, and a whole card must stay under about 28 KB. */
export const MAX_THUMBNAIL_BYTES = 12 * 1024;
const QUALITIES = [75, 60, 45, 30];
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
    const pixels = await image.raw().toBuffer({ resolveWithObject: true });
    const encode = async (quality: number): Promise<CardThumbnail> => {
      const { data, info } = await sharp(pixels.data, { raw: pixels.info }).jpeg({ quality }).toBuffer({ resolveWithObject: true });
      return { mediaType: 'image/jpeg', data, width: info.width, height: info.height };
    };
    // Lower quality until it fits; the lowest is kept whatever it weighs.
    let made = await encode(QUALITIES[0]!);
    for (const quality of QUALITIES.slice(1)) {
      if (made.data.length <= MAX_THUMBNAIL_BYTES) break;
      made = await encode(quality);
    }
    return made;
  } catch (cause) {
    throw new LoupeError(ErrorCode.ImageCorrupt, 'the preview could not be made', { cause });
  }
}
