// What the viewer's page and its Study details show of an instance, read in
// the imaging sandbox child from the header it has already parsed. Never the
// patient: that comes from the sealed patient record.
import type { DicomDataset, DicomDict } from '../dicom/dcmjs.js';
import { extractFacts, type DicomFacts } from '../dicom/extract.js';
import { text } from '../dicom/values.js';

export type ViewFacts = Pick<
  DicomFacts,
  'modality' | 'bodyPart' | 'studyDescription' | 'seriesDescription' | 'studyDate' | 'frames' | 'rows' | 'columns' | 'transferSyntax'
> & {
  /** Study Time (0008,0030), TM. */
  studyTime: string | undefined;
  /** Pixel Spacing (0028,0030) in mm: between rows, between columns. */
  pixelSpacing: [number, number] | undefined;
  /** Imager Pixel Spacing (0018,1164) in mm, at the detector: a projection image's only spacing when Pixel Spacing is absent. */
  imagerPixelSpacing: [number, number] | undefined;
  /** Slice Thickness (0018,0050) in mm. */
  sliceThickness: number | undefined;
  /** A dose grid's Dose Units (3004,0002), Dose Type (3004,0004) and Dose Summation Type (3004,000A). */
  doseUnits: string | undefined;
  doseType: string | undefined;
  doseSummation: string | undefined;
};

/** A decimal string's values, when each is a positive length (an empty or zero spacing says nothing). */
function lengths(ds: DicomDataset, tag: string): number[] | undefined {
  const values = ds[tag]?.Value;
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const numbers = values.map((v) => (typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN));
  return numbers.every((n) => Number.isFinite(n) && n > 0) ? numbers : undefined;
}

function pair(ds: DicomDataset, tag: string): [number, number] | undefined {
  const values = lengths(ds, tag);
  return values?.length === 2 ? [values[0]!, values[1]!] : undefined;
}

export function viewFacts(dicom: DicomDict): ViewFacts {
  const all = extractFacts(dicom);
  const ds = dicom.dict;
  return {
    modality: all.modality,
    bodyPart: all.bodyPart,
    studyDescription: all.studyDescription,
    seriesDescription: all.seriesDescription,
    studyDate: all.studyDate,
    frames: all.frames,
    rows: all.rows,
    columns: all.columns,
    transferSyntax: all.transferSyntax,
    studyTime: text(ds, '00080030'),
    pixelSpacing: pair(ds, '00280030'),
    imagerPixelSpacing: pair(ds, '00181164'),
    sliceThickness: lengths(ds, '00180050')?.[0],
    doseUnits: text(ds, '30040002'),
    doseType: text(ds, '30040004'),
    doseSummation: text(ds, '3004000A'),
  };
}
