// Turns an upload's bytes into what Loupe keeps of it: the original, a
// cleaned derivative (a photo without metadata, a DICOM instance
// de-identified) and a small preview, plus the facts a card may show and the
// patient the header names. Pure imaging: nothing is stored here. The work
// runs in the imaging sandbox (a child process with a time and memory
// budget), so a hostile file cannot stall the server.
import type { AcceptedKind } from '../core/policy/channel-policy.js';
import type { Deidentifier } from '../imaging/dicom/deidentify.js';
import { extractFacts, type DicomFacts } from '../imaging/dicom/extract.js';
import { readInstance, writeInstance, type DicomInstance } from '../imaging/dicom/parse.js';
import { renderPreview } from '../imaging/dicom/render.js';
import { viewFacts } from '../imaging/view/view-facts.js';
import { typedImaging } from '../imaging/errors.js';
import type { ImagingLimits } from '../imaging/limits.js';
import { cleanPhoto, PREVIEW_SIZE } from '../imaging/photo.js';
import type { ImagingSandbox } from '../imaging/sandbox/sandbox.js';
import { asBuffer } from '../imaging/sandbox/as-buffer.js';
import { sniff } from '../imaging/sniff.js';
import type { PatientDemographics } from '../storage/patients.js';
import type { StudySummary } from './study-summary.js';

export interface PreparedBlob {
  kind: 'original' | 'derivative' | 'preview';
  mediaType: string;
  data: Buffer;
}

/** What a card may say about an asset (kept as its metadata): no patient data. Not core's AssetFacts, the facts access rules read. */
export interface AssetSummary {
  family: AcceptedKind;
  modality?: string | undefined;
  bodyPart?: string | undefined;
  frames?: number | undefined;
  width?: number | undefined;
  height?: number | undefined;
  /** A DICOM image whose header says it carries no burned-in text and that is not of a kind that usually does, nor a photograph (DicomFacts.cardPreviewSafe): the only DICOM a card may preview. */
  burnedInAbsent?: boolean | undefined;
  /** A whole study shared as an archive (asset kind dicom_study): its series and their stacks. */
  study?: StudySummary | undefined;
}

export type Prepared =
  | { outcome: 'not_an_image'; reason: string }
  | {
      outcome: 'prepared';
      family: AcceptedKind;
      blobs: PreparedBlob[];
      facts: AssetSummary;
      /** From a DICOM header, when it names the patient. */
      patient: PatientDemographics | undefined;
      burnedInText: boolean;
      warnings: string[];
    };

export interface PrepareOptions {
  limits: ImagingLimits;
  /** The workspace secret: keys UID replacement in de-identified copies. */
  secret: Uint8Array;
  sandbox: ImagingSandbox;
}

/**
 * Throws only LoupeError: a file the imaging code cannot handle, or one that
 * ran past its time or memory budget (LOUPE_IMAGE_BUDGET_EXCEEDED).
 */
export async function prepareAsset(bytes: Buffer, o: PrepareOptions): Promise<Prepared> {
  const prepared = await o.sandbox.run('prepare', { bytes, limits: o.limits, secret: o.secret }, bytes.length);
  if (prepared.outcome === 'prepared') {
    for (const blob of prepared.blobs) blob.data = asBuffer(blob.data);
  }
  return prepared;
}

/**
 * Modality and Body Part Examined are code strings (CS: capitals, digits,
 * space, underscore, 16 at most). Anything else is not shown on a card: a
 * mis-filled header could put a patient's name in the chat.
 */
function codeString(value: string | undefined, phi: string[]): string | undefined {
  const v = value?.trim();
  return v && /^[A-Z0-9_ ]{1,16}$/.test(v) && !phi.some((w) => v.includes(w)) ? v : undefined;
}

/** The work itself, on the caller's event loop: run by the sandbox's children. */
export async function prepareAssetInProcess(bytes: Buffer, o: Omit<PrepareOptions, 'sandbox'> & { deidentifier: Deidentifier }): Promise<Prepared> {
  return typedImaging(() => prepareUntyped(bytes, o));
}

async function prepareUntyped(bytes: Buffer, o: Omit<PrepareOptions, 'sandbox'> & { deidentifier: Deidentifier }): Promise<Prepared> {
  const kind = sniff(bytes);
  if (kind.family === 'none') return { outcome: 'not_an_image', reason: kind.reason };
  if (kind.family === 'photo') {
    const photo = await cleanPhoto(bytes, kind.kind, o.limits);
    return {
      outcome: 'prepared',
      family: 'photo',
      blobs: [
        { kind: 'original', mediaType: kind.mediaType, data: bytes },
        { kind: 'derivative', mediaType: photo.derivative.mediaType, data: photo.derivative.data },
        { kind: 'preview', mediaType: photo.preview.mediaType, data: photo.preview.data },
      ],
      facts: { family: 'photo', width: photo.derivative.width, height: photo.derivative.height },
      patient: undefined,
      burnedInText: false,
      warnings: photo.warnings,
    };
  }
  const read = deidentifyDicom(bytes, o);
  const blobs: PreparedBlob[] = [
    { kind: 'original', mediaType: 'application/dicom', data: bytes },
    { kind: 'derivative', mediaType: 'application/dicom', data: read.derivative },
  ];
  const preview = await dicomPreview(read);
  if (preview) blobs.push(preview);
  return {
    outcome: 'prepared',
    family: 'dicom',
    blobs,
    facts: read.summary,
    patient: read.patient,
    burnedInText: read.facts.burnedInSuspected,
    warnings: preview || read.facts.burnedInSuspected || !read.facts.transferSyntax ? read.warnings : [...read.warnings, 'preview unavailable'],
  };
}

/** A DICOM file read, its facts and patient taken, and de-identified: the instance itself now holds the de-identified dataset. */
export interface DeidentifiedDicom {
  instance: DicomInstance;
  facts: DicomFacts;
  summary: AssetSummary;
  patient: PatientDemographics | undefined;
  derivative: Buffer;
  warnings: string[];
  /** Where it stands in its study, read before its UIDs were replaced: a study archive groups and stacks by it (never stored). */
  place: { studyUid: string | undefined; seriesUid: string | undefined; seriesNumber: number | undefined; instanceNumber: number | undefined; sliceLocation: number | undefined };
}

export function deidentifyDicom(bytes: Buffer, o: Omit<PrepareOptions, 'sandbox'> & { deidentifier: Deidentifier }): DeidentifiedDicom {
  const instance = readInstance(bytes, o.limits);
  const facts = extractFacts(instance.dicom);
  const p = facts.patient;
  const patient = p.identifier ? { identifier: p.identifier, issuer: p.issuer ?? '', name: p.name, birthDate: p.birthDate, sex: p.sex } : undefined;
  // The patient's own words, which must never reach a card even inside a code string.
  const phi = [p.name, p.identifier, p.birthDate].flatMap((v) => (v ?? '').toUpperCase().split(/[\^=\s]+/)).filter((w) => w.length >= 3);
  const v = viewFacts(instance.dicom);
  const place = { studyUid: facts.studyInstanceUid, seriesUid: facts.seriesInstanceUid, seriesNumber: v.seriesNumber, instanceNumber: v.instanceNumber, sliceLocation: v.sliceLocation };
  const report = o.deidentifier.deidentify(instance.dicom, { secret: o.secret });
  const summary: AssetSummary = {
    family: 'dicom',
    modality: codeString(facts.modality, phi),
    bodyPart: codeString(facts.bodyPart, phi),
    frames: facts.frames,
    width: facts.columns,
    height: facts.rows,
    burnedInAbsent: facts.cardPreviewSafe,
  };
  return { instance, facts, summary, patient, derivative: writeInstance(instance), warnings: [...report.warnings], place };
}

/** A small preview of a de-identified instance; none when burned-in text may show the patient, or it cannot be rendered. */
export async function dicomPreview(read: Pick<DeidentifiedDicom, 'instance' | 'facts'>): Promise<PreparedBlob | undefined> {
  if (read.facts.burnedInSuspected || !read.facts.transferSyntax) return undefined;
  const preview = await renderPreview(read.instance, read.facts.transferSyntax, PREVIEW_SIZE).catch(() => undefined);
  return preview?.available ? { kind: 'preview', mediaType: preview.mediaType, data: preview.data } : undefined;
}
