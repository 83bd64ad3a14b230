// Real photo fixtures, made with the tools a privacy test should trust:
// sharp draws the pixels, exiftool plants the metadata a phone would write,
// libheif's heif-enc makes an HEVC-coded HEIC as an iPhone would.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import sharp from 'sharp';

/** Values planted in every metadata field; none may survive cleaning. */
export const PLANTED = ['SN-PLANTED-7781', 'PLANTED-OWNER', 'PLANTED-ARTIST', 'PLANTED-DESC', 'PLANTED-COMMENT', 'PLANTED-XMP', 'PLANTED-IPTC', 'PlantedMaker'];

/** 300×200, left half red, right half blue. */
export function twoToneRaw(width = 300, height = 200): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const red = x < width / 2;
      buf[i] = red ? 220 : 20;
      buf[i + 1] = 20;
      buf[i + 2] = red ? 20 : 220;
    }
  }
  return buf;
}

/** The two-tone picture as a plain JPEG, with no metadata planted: an ordinary upload. */
export const twoToneJpeg = (): Promise<Buffer> => sharp(twoToneRaw(), { raw: { width: 300, height: 200, channels: 3 } }).jpeg().toBuffer();

export async function makePhotoFixtures(dir: string): Promise<Record<'jpeg' | 'heic' | 'png' | 'webp' | 'tiff' | 'gif', string>> {
  const raw = { raw: { width: 300, height: 200, channels: 3 as const } };
  const img = () => sharp(twoToneRaw(), raw);
  const paths = {
    jpeg: join(dir, 'phone.jpg'),
    heic: join(dir, 'iphone.heic'),
    png: join(dir, 'scan.png'),
    webp: join(dir, 'photo.webp'),
    tiff: join(dir, 'scan.tif'),
    gif: join(dir, 'image.gif'),
  };
  await img().jpeg().toFile(paths.jpeg);
  await img().resize(60, 40).jpeg().toFile(join(dir, 'thumb.jpg'));
  await img().png().toFile(paths.png);
  await img().webp().toFile(paths.webp);
  await img().tiff().toFile(paths.tiff);
  await img().gif().toFile(paths.gif);
  execFileSync('exiftool', [
    '-q', '-overwrite_original', '-n',
    '-GPSLatitude=51.5', '-GPSLatitudeRef=N', '-GPSLongitude=0.12', '-GPSLongitudeRef=W',
    '-SerialNumber=SN-PLANTED-7781', '-OwnerName=PLANTED-OWNER', '-Artist=PLANTED-ARTIST',
    '-Make=PlantedMaker', '-Model=PlantedModel', '-DateTimeOriginal=2024:01:02 03:04:05',
    '-ImageDescription=PLANTED-DESC', '-Comment=PLANTED-COMMENT', '-XMP:Description=PLANTED-XMP',
    '-IPTC:Caption-Abstract=PLANTED-IPTC', '-Orientation=6', `-ThumbnailImage<=${join(dir, 'thumb.jpg')}`,
    paths.jpeg,
  ]);
  // PNG and WebP carry EXIF and XMP too.
  for (const p of [paths.png, paths.webp, paths.tiff]) {
    execFileSync('exiftool', ['-q', '-overwrite_original', '-n', '-GPSLatitude=51.5', '-GPSLatitudeRef=N', '-Artist=PLANTED-ARTIST', '-XMP:Description=PLANTED-XMP', p]);
  }
  execFileSync('heif-enc', ['-q', '90', paths.jpeg, '-o', paths.heic], { stdio: 'ignore' });
  return paths;
}
