// A stored clinical photo as the DICOM a PACS takes (VL Photographic Image,
// JPEG Baseline): made in the imaging sandbox, since it decodes the photo.
import { buildVlPhotographic, type VlPhotographicFile, type VlPhotographicOptions } from './dicom/vl-photographic.js';
import { toBaselineJpeg } from './baseline-jpeg.js';

/** What the photo's DICOM says besides its pixels; the capture time as ISO 8601 (it crosses a process boundary). */
export type PacsPhotoOptions = Omit<VlPhotographicOptions, 'jpeg' | 'capturedAt'> & { capturedAt: string };

export async function pacsPhoto(bytes: Buffer, o: PacsPhotoOptions): Promise<VlPhotographicFile> {
  return buildVlPhotographic({ ...o, jpeg: await toBaselineJpeg(bytes), capturedAt: new Date(o.capturedAt) });
}
