// A synthetic phone photo for the benchmarks.
import sharp from 'sharp';

/** 4000×3000 with smooth gradients and noise, so it compresses like a photo. */
export async function makePhoto(path: string, quality = 90): Promise<void> {
  const width = 4000;
  const height = 3000;
  const raw = Buffer.alloc(width * height * 3);
  let seed = 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = (seed >> 16) & 15;
      const i = (y * width + x) * 3;
      raw[i] = (x / 16 + n) & 255;
      raw[i + 1] = (y / 12 + n) & 255;
      raw[i + 2] = ((x + y) / 28 + n) & 255;
    }
  }
  await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toFile(path);
}

