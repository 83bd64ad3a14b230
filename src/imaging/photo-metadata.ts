// Names what identifying metadata a photo carried, for the summary a user or
// privacy officer reads. Which values it held is never reported.
import exifReader from 'exif-reader';
import type { Metadata } from 'sharp';

export function describeMetadata(meta: Metadata): string[] {
  const found: string[] = [];
  if (meta.exif) {
    found.push('EXIF');
    try {
      const exif = exifReader(meta.exif);
      if (exif.GPSInfo && Object.keys(exif.GPSInfo).length) found.push('GPS position');
      if (exif.Photo?.BodySerialNumber || exif.Image?.['CameraSerialNumber']) found.push('camera serial number');
      if (exif.Photo?.CameraOwnerName || exif.Image?.Artist || exif.Image?.Copyright) found.push('owner or artist');
      if (exif.Photo?.MakerNote) found.push('maker notes');
      if (exif.Photo?.DateTimeOriginal || exif.Image?.DateTime) found.push('dates');
      if (exif.Image?.ImageDescription || exif.Photo?.UserComment) found.push('descriptions');
      if (exif.Thumbnail && Object.keys(exif.Thumbnail).length) found.push('embedded thumbnail');
    } catch {
      found.push('unreadable EXIF');
    }
  }
  if (meta.xmp) found.push('XMP');
  if (meta.iptc) found.push('IPTC');
  if (meta.icc) found.push('ICC profile');
  if (meta.comments?.length) found.push('comments');
  return found;
}
