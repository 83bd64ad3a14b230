// A study archive's preparation, in the imaging sandbox child: the archive is
// sent once and held (as the viewer's files are), its central directory
// checked once, then the parent asks for one entry at a time, so neither
// process holds more than the archive and one instance. Each DICOM image in
// it is read, its facts and patient taken, de-identified; what is not an
// image (DICOMDIR, reports, a CD's viewer program) is skipped; an archive in
// the archive is refused.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { deidentifyDicom, dicomPreview, type PreparedBlob } from '../../intake/prepare-asset.js';
import type { InstancePlace } from '../../intake/study-summary.js';
import type { PatientDemographics } from '../../storage/patients.js';
import type { Deidentifier } from '../dicom/deidentify.js';
import { extractFacts, type DicomFacts } from '../dicom/extract.js';
import { readInstance, type DicomInstance } from '../dicom/parse.js';
import { typedImaging } from '../errors.js';
import type { ImagingLimits } from '../limits.js';
import { asBuffer } from '../sandbox/as-buffer.js';
import { HOLD_MS } from '../view/instance-view.js';
import { SNIFF_BYTES, sniff } from '../sniff.js';
import { isNestedArchive, openArchive, readEntry, type ArchiveLimits, type OpenArchive } from './archive.js';

export type StudyOp = { op: 'list' } | { op: 'entry'; index: number } | { op: 'preview'; index: number };

export type StudyRequest = StudyOp & {
  /** The archive's key (its asset): a child holding another archive answers ImageNotHeld. */
  key: string;
  limits: ImagingLimits;
  archiveLimits: ArchiveLimits;
  secret: Uint8Array;
  /** The archive, when the child may not hold it. */
  file?: Uint8Array;
};

export type StudyEntry =
  | { outcome: 'skipped' }
  | {
      outcome: 'instance';
      /** The entry as it came (identified), and its de-identified copy. */
      file: Uint8Array;
      derivative: Uint8Array;
      place: InstancePlace;
      patient: PatientDemographics | undefined;
      burnedInText: boolean;
      /** The header says no burned-in text, and it is not of a kind that usually has some. */
      burnedInAbsent: boolean;
      warnings: string[];
    };

export type StudyAnswer =
  /** `duplicates`: entries repeating an image already in the archive, left out. */
  | { op: 'list'; entries: number; duplicates: number[] }
  | { op: 'entry'; entry: StudyEntry }
  | { op: 'preview'; preview: PreparedBlob | undefined };

/** The Media Storage Directory: a CD's index, which names the patient and holds no image. */
const DICOMDIR_CLASS = '1.2.840.10008.1.3.10';
const PIXEL_DATA = ['7FE00008', '7FE00009'];

export class StudyArchiveTask {
  private held: { key: string; archive: OpenArchive } | undefined;
  private dropTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deidentifier: Deidentifier) {}

  answer(request: StudyRequest): Promise<StudyAnswer> {
    return typedImaging(async () => {
      const { archive } = await this.hold(request);
      if (request.op === 'list') return { op: 'list', entries: archive.files.length, duplicates: await checkEntries(archive, request.limits) };
      const entry = archive.files[request.index];
      if (!entry) throw new LoupeError(ErrorCode.InvalidInput, 'no such entry');
      const bytes = await dicomEntry(archive, entry);
      if (!bytes) return request.op === 'entry' ? { op: 'entry', entry: { outcome: 'skipped' } } : { op: 'preview', preview: undefined };
      const read = deidentifyDicom(bytes, { limits: request.limits, secret: asBuffer(request.secret), deidentifier: this.deidentifier });
      if (request.op === 'preview') return { op: 'preview', preview: await dicomPreview(read) };
      if (!isImage(read.instance, read.facts)) return { op: 'entry', entry: { outcome: 'skipped' } };
      return {
        op: 'entry',
        entry: {
          outcome: 'instance',
          file: bytes,
          derivative: read.derivative,
          place: { ...read.place, frames: read.facts.frames, modality: read.summary.modality, bodyPart: read.summary.bodyPart },
          patient: read.patient,
          burnedInText: read.facts.burnedInSuspected,
          burnedInAbsent: read.facts.cardPreviewSafe,
          warnings: read.warnings,
        },
      };
    });
  }

  private async hold(request: StudyRequest): Promise<{ key: string; archive: OpenArchive }> {
    clearTimeout(this.dropTimer);
    // An idle child should not keep a patient's study in memory for ever.
    this.dropTimer = setTimeout(() => this.drop(), HOLD_MS).unref();
    if (request.file) {
      this.drop();
      this.held = { key: request.key, archive: await openArchive(asBuffer(request.file), request.archiveLimits, request.limits) };
    }
    if (!this.held || this.held.key !== request.key) throw new LoupeError(ErrorCode.ImageNotHeld, 'the imaging sandbox does not hold that archive');
    return this.held;
  }

  private drop(): void {
    this.held?.archive.zip.close();
    this.held = undefined;
  }
}

/** An entry's bytes when it is DICOM; undefined for anything else (a README, a viewer program). An archive inside is refused. */
async function dicomEntry(archive: OpenArchive, entry: OpenArchive['files'][number]): Promise<Buffer | undefined> {
  const bytes = await readEntry(archive, entry);
  if (isNestedArchive(bytes.subarray(0, Math.max(SNIFF_BYTES, 512)))) throw new LoupeError(ErrorCode.ArchiveNested, 'the archive holds another archive');
  return sniff(bytes.subarray(0, SNIFF_BYTES)).family === 'dicom' ? bytes : undefined;
}

/** The CD's index (DICOMDIR): it lists patients and holds no image. */
const isDicomDir = (instance: DicomInstance, facts: DicomFacts): boolean => facts.sopClassUid === DICOMDIR_CLASS || instance.dicom.meta['00020002']?.Value?.[0] === DICOMDIR_CLASS;

/** An image the study keeps: not the CD's index (DICOMDIR), nor an object without pixels (a report, a presentation state). */
function isImage(instance: DicomInstance, facts: DicomFacts): boolean {
  const dict = instance.dicom;
  if (isDicomDir(instance, facts)) return false;
  // Pixel Data is kept apart from the parsed header (readInstance); float and double pixel data stay in it.
  return instance.pixelData !== undefined || PIXEL_DATA.some((tag) => dict.dict[tag] !== undefined);
}

/**
 * Every entry read once before anything is stored, so an archive refused for
 * what it holds leaves nothing of itself behind but its encrypted original:
 * another archive inside; DICOM objects of more than one patient or study
 * (reports and other objects without pixels as well as images, since the zip
 * keeps them); images without a Patient ID beside images with one (nothing
 * says they are that patient's); no image at all. Answers the entries that
 * repeat an image already in the archive (its SOP Instance UID), which are
 * left out.
 */
async function checkEntries(archive: OpenArchive, limits: ImagingLimits): Promise<number[]> {
  const patients = new Set<string>();
  let anonymous = false;
  const studies = new Set<string>();
  const seen = new Set<string>();
  const duplicates: number[] = [];
  let images = 0;
  for (const [index, entry] of archive.files.entries()) {
    const bytes = await dicomEntry(archive, entry);
    if (!bytes) continue;
    const instance = readInstance(bytes, limits);
    const facts = extractFacts(instance.dicom);
    if (isDicomDir(instance, facts)) continue;
    if (facts.patient.identifier === undefined) anonymous = true;
    else patients.add(`${facts.patient.identifier}\u0000${facts.patient.issuer ?? ''}`);
    if (patients.size > 1 || (anonymous && patients.size > 0)) throw new LoupeError(ErrorCode.ArchiveMixedPatients, 'the archive holds objects of more than one patient');
    studies.add(facts.studyInstanceUid ?? '');
    if (studies.size > 1) throw new LoupeError(ErrorCode.ArchiveSeveralStudies, 'the archive holds more than one study');
    if (!isImage(instance, facts)) continue;
    const sop = facts.sopInstanceUid;
    if (sop !== undefined && seen.has(sop)) duplicates.push(index);
    else images++;
    if (sop !== undefined) seen.add(sop);
  }
  if (images === 0) throw new LoupeError(ErrorCode.ArchiveNoImages, 'the archive holds no DICOM image');
  return duplicates;
}
