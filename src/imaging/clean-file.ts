// One file in, its cleaned copy out: a photo without metadata, or a DICOM
// instance de-identified per PS3.15. Used by `loupe deidentify`; the chat
// adapters use the same pieces.
import { ErrorCode, LoupeError } from '../core/errors.js';
import { Deidentifier, type DeidentifyReport } from './dicom/deidentify.js';
import { extractFacts, type DicomFacts } from './dicom/extract.js';
import { readInstance, writeInstance } from './dicom/parse.js';
import type { ProfileOption } from './dicom/profile.js';
import type { ImagingLimits } from './limits.js';
import { cleanPhoto } from './photo.js';
import { sniff } from './sniff.js';

export interface CleanFileOptions {
  limits: ImagingLimits;
  secret: Uint8Array;
  profileOptions: Partial<Record<ProfileOption, boolean>>;
}

export type CleanedFile =
  | { outcome: 'cleaned'; data: Buffer; extension: string | undefined; summary: string; warnings: string[] }
  | { outcome: 'skipped'; reason: string };

const EXTENSIONS: Record<string, string> = { 'image/jpeg': '.jpg', 'image/png': '.png' };

export class FileCleaner {
  private readonly deidentifier = new Deidentifier();

  constructor(private readonly o: CleanFileOptions) {}

  async clean(bytes: Buffer): Promise<CleanedFile> {
    const kind = sniff(bytes);
    if (kind.family === 'none') return { outcome: 'skipped', reason: kind.reason };
    if (kind.family === 'photo') {
      const photo = await cleanPhoto(bytes, kind.kind, this.o.limits);
      const out = photo.derivative;
      const changed = out.mediaType !== kind.mediaType;
      return {
        outcome: 'cleaned',
        data: out.data,
        // A HEIC that is now a JPEG should not be named as a HEIC alone.
        extension: changed ? EXTENSIONS[out.mediaType] : undefined,
        summary:
          `photo ${kind.kind}${changed ? ` -> ${out.mediaType.slice(6)}` : ''} ${out.width}x${out.height}: ` +
          (photo.removed.length ? `removed ${photo.removed.join(', ')}` : 'no metadata found'),
        warnings: photo.warnings,
      };
    }
    const instance = readInstance(bytes, this.o.limits);
    const { dicom } = instance;
    const facts = extractFacts(dicom);
    if (!instance.pixelData && !dicom.dict['7FE00010'] && !facts.sopInstanceUid) {
      throw new LoupeError(ErrorCode.ImageCorrupt, 'the DICOM file holds no instance');
    }
    const r = this.deidentifier.deidentify(dicom, { secret: this.o.secret, options: this.o.profileOptions });
    return { outcome: 'cleaned', data: writeInstance(instance), extension: undefined, ...describeDicom(facts, r, instance.droppedTrailing) };
  }
}

/** The one-line summary and warnings a user reads for a de-identified DICOM file. */
export function describeDicom(facts: DicomFacts, r: DeidentifyReport, droppedTrailing: number): { summary: string; warnings: string[] } {
  return {
    summary:
      `dicom ${facts.modality ?? '??'} ${facts.frames} frame(s): ${r.removed} removed, ${r.emptied} emptied, ` +
      `${r.replaced} replaced, ${r.cleaned} cleaned, ${r.uidsReplaced} UIDs replaced, ${r.privateRemoved} private removed` +
      (r.dateShiftDays !== undefined ? `, dates shifted ${r.dateShiftDays} days` : ''),
    warnings: droppedTrailing ? [...r.warnings, 'removed data after the pixel data (trailing padding or signatures)'] : r.warnings,
  };
}
