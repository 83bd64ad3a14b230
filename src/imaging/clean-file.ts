// One file in, its cleaned copy out: a photo without metadata, or a DICOM
// instance de-identified per PS3.15. Used by `loupe deidentify`; the chat
// adapters use the same pieces.
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { Deidentifier, type DeidentifyReport } from './dicom/deidentify.js';
import { extractFacts, type DicomFacts } from './dicom/extract.js';
import { deidentifyDicomFile } from './dicom/file.js';
import { readInstance, writeInstance } from './dicom/parse.js';
import type { ProfileOption } from './dicom/profile.js';
import type { ImagingLimits } from './limits.js';
import { cleanPhoto } from './photo.js';
import { SNIFF_BYTES, sniff } from './sniff.js';

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
  constructor(
    private readonly o: CleanFileOptions,
    private readonly deidentifier = new Deidentifier(),
  ) {}

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

/** What `loupe deidentify` reports for one file. */
export type CleanedOnDisk = { outcome: 'cleaned'; summary: string; warnings: string[] } | { outcome: 'skipped'; reason: string };

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const exists = () => new LoupeError(ErrorCode.InvalidInput, 'already exists in OUTPUT; not overwritten');

/** One file on disk to its cleaned copy at `output` (a photo whose format changed gets the new extension appended). */
export async function cleanFileOnDisk(input: string, output: string, o: CleanFileOptions, deidentifier: Deidentifier): Promise<CleanedOnDisk> {
  if (sniff(await readHead(input)).family === 'dicom') {
    // DICOM streams from file to file, so a 500 MB series needs no 500 MB of memory.
    if (await stat(output).then(() => true, () => false)) throw exists();
    await mkdir(dirname(output), { recursive: true });
    const r = await deidentifyDicomFile(input, output, deidentifier, { secret: o.secret, options: o.profileOptions, limits: o.limits });
    return { outcome: 'cleaned', ...describeDicom(r.facts, r.report, r.droppedTrailing) };
  }
  const result = await new FileCleaner(o, deidentifier).clean(await readFile(input));
  if (result.outcome === 'skipped') return result;
  // A HEIC now holding a JPEG gets `.jpg` appended: clear to tools that go by name, and no clash with a neighbour.
  const target = result.extension ? output + result.extension : output;
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, result.data, { flag: 'wx', mode: 0o600 }).catch((error: unknown) => {
    throw (error as NodeJS.ErrnoException).code === 'EEXIST' ? exists() : error;
  });
  return { outcome: 'cleaned', summary: result.summary, warnings: result.warnings };
}
