// Any photo sharp reads (PNG, progressive JPEG, WebP, ...) as the baseline
// 4:2:0 JPEG that DICOM's JPEG Baseline transfer syntax carries as it is:
// turned upright first (the DICOM header has no EXIF orientation), and with no
// metadata at all (sharp keeps none unless asked).
import sharp from 'sharp';

export async function toBaselineJpeg(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes).rotate().jpeg({ progressive: false, chromaSubsampling: '4:2:0', quality: 92 }).toBuffer();
}
