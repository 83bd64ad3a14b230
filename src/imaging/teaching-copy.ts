// The de-identified copy a teaching share shows: a photo cleaned as at intake
// (no EXIF, XMP, IPTC, ICC or comments; sharp writes none), a DICOM instance
// under PS3.15's Basic Application Level Confidentiality Profile (the same
// Deidentifier as intake and `loupe deidentify`) plus one frame of it
// rendered for the page, since a browser cannot show DICOM. Runs in the
// imaging sandbox's children (task `teachingCopy`), never on the server's
// event loop.
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { Deidentifier } from './dicom/deidentify.js';
import { extractFacts } from './dicom/extract.js';
import { readInstance, writeInstance } from './dicom/parse.js';
import { renderPreview } from './dicom/render.js';
import { typedImaging } from './errors.js';
import type { ImagingLimits } from './limits.js';
import { cleanPhoto } from './photo.js';
import { sniff } from './sniff.js';

/** Large enough to teach from, small enough for any screen. */
export const TEACHING_DISPLAY_SIZE = 1024;

export interface TeachingImage {
  mediaType: string;
  data: Uint8Array;
}

export interface TeachingCopy {
  /** The de-identified file itself: a cleaned photo, or a de-identified DICOM instance. */
  copy: TeachingImage;
  /** What a browser shows, when the copy itself is not a picture (DICOM). */
  display: TeachingImage | undefined;
}

export interface TeachingCopyOptions {
  limits: ImagingLimits;
  /** Keys UID replacement: a fresh one per copy, so the copy's UIDs lead back to nothing. */
  secret: Uint8Array;
}

export function teachingCopyInProcess(bytes: Buffer, o: TeachingCopyOptions, deidentifier: Deidentifier): Promise<TeachingCopy> {
  return typedImaging(async () => {
    const kind = sniff(bytes);
    if (kind.family === 'none') throw new LoupeError(ErrorCode.NotAnImage, 'not a photo or DICOM file');
    if (kind.family === 'photo') {
      const photo = await cleanPhoto(bytes, kind.kind, o.limits);
      return { copy: { mediaType: photo.derivative.mediaType, data: photo.derivative.data }, display: undefined };
    }
    const instance = readInstance(bytes, o.limits);
    const syntax = extractFacts(instance.dicom).transferSyntax;
    deidentifier.deidentify(instance.dicom, { secret: o.secret });
    const copy = writeInstance(instance);
    const rendered = syntax ? await renderPreview(instance, syntax, TEACHING_DISPLAY_SIZE) : undefined;
    if (!rendered?.available) throw new LoupeError(ErrorCode.ImageUnsupported, 'no frame of this image can be rendered');
    return { copy: { mediaType: 'application/dicom', data: copy }, display: { mediaType: rendered.mediaType, data: rendered.data } };
  });
}
