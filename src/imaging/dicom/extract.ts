// What Loupe needs to know about a DICOM instance. The patient part is PHI:
// it goes to the sealed patient record and nowhere else.
import type { DicomDict } from './dcmjs.js';
import { integer, items, text } from './values.js';

export interface DicomPatient {
  identifier: string | undefined;
  issuer: string | undefined;
  name: string | undefined;
  birthDate: string | undefined;
  sex: string | undefined;
}

export interface DicomFacts {
  patient: DicomPatient;
  studyInstanceUid: string | undefined;
  seriesInstanceUid: string | undefined;
  sopInstanceUid: string | undefined;
  sopClassUid: string | undefined;
  modality: string | undefined;
  bodyPart: string | undefined;
  studyDescription: string | undefined;
  seriesDescription: string | undefined;
  studyDate: string | undefined;
  seriesDate: string | undefined;
  frames: number;
  rows: number | undefined;
  columns: number | undefined;
  transferSyntax: string | undefined;
  /** YES, NO, or undefined when the header does not say (unknown, not NO). */
  burnedInAnnotation: 'YES' | 'NO' | undefined;
  /** Preview must be withheld: burned-in text is present or likely. */
  burnedInSuspected: boolean;
  /**
   * A small rendering may leave Loupe on a card (channel preview mode
   * "deidentified"): the header says No burned-in text, the image is not of
   * a kind that usually carries text or is a photograph (whatever its header
   * says: capture tools write NO by default), and it does not say its
   * pixels show recognisable features (0028,0302).
   */
  cardPreviewSafe: boolean;
}

// Modalities and captures that usually carry text in their pixels.
const BURNED_IN_LIKELY = new Set(['US', 'SC', 'XC', 'OT', 'ES', 'DOC']);
const SECONDARY_CAPTURE_PREFIX = '1.2.840.10008.5.1.4.1.1.7';
// Visible-light pictures (a face, a fundus, a slide's label): photographs, never previewed plain.
const PHOTOGRAPHIC = new Set(['XC', 'ES', 'OP', 'GM', 'SM', 'IO']);
const VISIBLE_LIGHT_PREFIX = '1.2.840.10008.5.1.4.1.1.77.';

export function extractFacts(dicom: DicomDict): DicomFacts {
  const ds = dicom.dict;
  const qualifiers = items(ds, '00100024')[0];
  const issuer = text(ds, '00100021') ?? (qualifiers ? text(qualifiers, '00400032') ?? text(qualifiers, '00400031') : undefined);
  const modality = text(ds, '00080060');
  const sopClassUid = text(ds, '00080016');
  const flag = text(ds, '00280301')?.toUpperCase();
  const burnedInAnnotation = flag === 'YES' || flag === 'NO' ? flag : undefined;
  const likely =
    (modality !== undefined && BURNED_IN_LIKELY.has(modality)) || (sopClassUid?.startsWith(SECONDARY_CAPTURE_PREFIX) ?? false);
  return {
    patient: {
      identifier: text(ds, '00100020'),
      issuer,
      name: text(ds, '00100010'),
      birthDate: text(ds, '00100030'),
      sex: text(ds, '00100040'),
    },
    studyInstanceUid: text(ds, '0020000D'),
    seriesInstanceUid: text(ds, '0020000E'),
    sopInstanceUid: text(ds, '00080018'),
    sopClassUid,
    modality,
    bodyPart: text(ds, '00180015'),
    studyDescription: text(ds, '00081030'),
    seriesDescription: text(ds, '0008103E'),
    studyDate: text(ds, '00080020'),
    seriesDate: text(ds, '00080021'),
    frames: integer(ds, '00280008') ?? 1,
    rows: integer(ds, '00280010'),
    columns: integer(ds, '00280011'),
    transferSyntax: text(dicom.meta, '00020010'),
    burnedInAnnotation,
    burnedInSuspected: burnedInAnnotation === 'YES' || (burnedInAnnotation === undefined && likely),
    cardPreviewSafe:
      burnedInAnnotation === 'NO' &&
      !likely &&
      modality !== undefined &&
      !PHOTOGRAPHIC.has(modality) &&
      !(sopClassUid?.startsWith(VISIBLE_LIGHT_PREFIX) ?? false) &&
      text(ds, '00280302')?.toUpperCase() !== 'YES',
  };
}
