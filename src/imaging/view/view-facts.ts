// What the viewer's page and its Study details show of an instance, read in
// the imaging sandbox child from the header it has already parsed. Never the
// patient: that comes from the sealed patient record.
import type { DicomDataset, DicomDict } from '../dicom/dcmjs.js';
import { extractFacts, type DicomFacts } from '../dicom/extract.js';
import { items, text } from '../dicom/values.js';
import { suvFactor, type Suv } from './suv.js';

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
  /** Series Number (0020,0011) and Instance Number (0020,0013): where the image stands in its study, for the image's corner. */
  seriesNumber: number | undefined;
  instanceNumber: number | undefined;
  /** Slice Location (0020,1041) in mm, signed. */
  sliceLocation: number | undefined;
  /** Image Orientation (Patient) (0020,0037): the row and column direction cosines, for the orientation markers. */
  imageOrientation: [number, number, number, number, number, number] | undefined;
  /** A dose grid's Dose Units (3004,0002), Dose Type (3004,0004) and Dose Summation Type (3004,000A). */
  doseUnits: string | undefined;
  doseType: string | undefined;
  doseSummation: string | undefined;
  /** A PET image's SUVbw factor, or why there is none; undefined for other modalities. Computed here so the weight and times stay in the header. */
  suv: Suv | undefined;
  /** Frames per second to play a multi-frame image at, from its header (see frameRate). */
  frameRate: number | undefined;
};

/** A decimal or integer string's values, when each is a finite number. */
function numbers(ds: DicomDataset, tag: string): number[] | undefined {
  const values = ds[tag]?.Value;
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const read = values.map((v) => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? Number(v) : NaN));
  return read.every(Number.isFinite) ? read : undefined;
}

/** A decimal string's values, when each is a positive length (an empty or zero spacing says nothing). */
function lengths(ds: DicomDataset, tag: string): number[] | undefined {
  const values = numbers(ds, tag);
  return values?.every((n) => n > 0) ? values : undefined;
}

/** Two unit vectors, the row's and the column's, as the standard requires; anything else says nothing. */
function orientation(ds: DicomDataset): ViewFacts['imageOrientation'] {
  const v = numbers(ds, '00200037');
  if (v?.length !== 6) return undefined;
  const unit = (x: number, y: number, z: number) => Math.abs(Math.hypot(x, y, z) - 1) < 0.01;
  return unit(v[0]!, v[1]!, v[2]!) && unit(v[3]!, v[4]!, v[5]!) ? [v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!] : undefined;
}

function pair(ds: DicomDataset, tag: string): [number, number] | undefined {
  const values = lengths(ds, tag);
  return values?.length === 2 ? [values[0]!, values[1]!] : undefined;
}

/** SUVbw from the PET header (see suv.ts); undefined when the image is not PET. */
function petSuv(ds: DicomDataset, modality: string | undefined): Suv | undefined {
  if (modality !== 'PT') return undefined;
  const drug = items(ds, '00540016')[0] ?? {};
  const corrected = ds['00280051']?.Value;
  return suvFactor({
    sopClass: text(ds, '00080016'),
    units: text(ds, '00541001'),
    corrected: Array.isArray(corrected) ? corrected.map(String) : [],
    decayCorrection: text(ds, '00541102'),
    weightKg: numbers(ds, '00101030')?.[0],
    seriesDate: text(ds, '00080021'),
    seriesTime: text(ds, '00080031'),
    acquisitionDate: text(ds, '00080022'),
    acquisitionTime: text(ds, '00080032'),
    timezoneOffset: text(ds, '00080201'),
    startDateTime: text(drug, '00181078'),
    startTime: text(drug, '00181072'),
    totalDoseBq: numbers(drug, '00181074')?.[0],
    halfLifeS: numbers(drug, '00181075')?.[0],
  });
}

/**
 * The rate the header asks frames to be played at: Recommended Display Frame
 * Rate (0008,2144), else Cine Rate (0018,0040), else one frame per Frame Time
 * (0018,1063, ms); a zero or negative value says nothing.
 */
export function frameRate(ds: DicomDataset): number | undefined {
  const rate = lengths(ds, '00082144')?.[0] ?? lengths(ds, '00180040')?.[0];
  if (rate !== undefined) return rate;
  const ms = lengths(ds, '00181063')?.[0];
  return ms === undefined ? undefined : 1000 / ms;
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
    seriesNumber: numbers(ds, '00200011')?.[0],
    instanceNumber: numbers(ds, '00200013')?.[0],
    sliceLocation: numbers(ds, '00201041')?.[0],
    imageOrientation: orientation(ds),
    doseUnits: text(ds, '30040002'),
    doseType: text(ds, '30040004'),
    doseSummation: text(ds, '3004000A'),
    suv: petSuv(ds, all.modality),
    frameRate: frameRate(ds),
  };
}
