// The JSON the viewer's session-bound API answers with, and the headers of a
// greyscale frame: one definition for the routes and the browser code
// (src/web/viewer/client), so a field renamed on one side fails the other's
// typecheck. Types only (nothing here runs) and self-contained: the browser
// code's typecheck has no Node types, so this file imports no server module.

/** A window (VOI) in modality units: what a preset offers and what the page applies. */
export interface WindowPreset {
  name: string;
  center: number;
  width: number;
}

/**
 * How a greyscale frame's samples become grey levels: uint16/int16 samples are
 * stored values (sign and bits stored applied) to rescale by slope and
 * intercept; float32 samples are already modality values.
 */
export interface GreyFormat {
  encoding: FrameEncoding;
  slope: number;
  intercept: number;
  /** MONOCHROME1: the lowest value is white. */
  invert: boolean;
  /** VOI LUT Function (0028,1056): LINEAR, LINEAR_EXACT or SIGMOID. */
  voiFunction: string;
  presets: WindowPreset[];
  bitsStored: number;
}

export type FrameEncoding = 'uint16' | 'int16' | 'float32';

export interface PhotoInfo {
  kind: 'photo';
  title: string;
  frames: 1;
  lossy: false;
  /** The signed-in viewer's name, for the watermark. */
  viewer: string;
}

export interface DicomInfo {
  kind: 'dicom';
  title: string;
  frames: number;
  rows?: number;
  columns?: number;
  /** Slice Thickness (0018,0050) in mm, when the header gives it: shown in the image's corner. */
  sliceThickness?: number;
  /** Series and Instance Number, Slice Location (mm), when the header gives them: shown in the image's corner. */
  seriesNumber?: number;
  instanceNumber?: number;
  sliceLocation?: number;
  /** Image Orientation (Patient): row then column direction cosines, for the orientation markers at the image's edges. */
  orientation?: [number, number, number, number, number, number];
  /** Pixel Spacing (0028,0030) in mm: between rows, then between columns; what the length tool measures in. */
  pixelSpacing?: [number, number];
  /** Imager Pixel Spacing (0018,1164) in mm, at the detector: measured with a caveat when Pixel Spacing is absent. */
  imagerPixelSpacing?: [number, number];
  /** Modality (0008,0060): the pixel probe says HU for CT. */
  modality?: string;
  /** PET only: SUVbw = modality value × factor, or why the header allows none. Never the weight or times it came from. */
  suv?: { factor: number } | { unavailable: string };
  /** Frames per second the header asks a multi-frame image to play at: what Cine starts at. */
  frameRate?: number;
  /** A study's series: its frames are the stack's images (the facts above its first's), each frame's answer naming its own instance and slice location. */
  stack?: true;
  lossy: boolean;
  viewer: string;
}

/** GET /viewer/api/:token/info. A DICOM's grey fields are there when its first frame is greyscale; colour frames come as PNG. */
export type InfoResponse = PhotoInfo | (DicomInfo & (GreyFormat | { encoding?: undefined }));

/**
 * GET /viewer/api/:token/series: the consult's other images, what each is,
 * never whose; a study is one item per series (`series`, what `series=` asks
 * for), with `thumbnail` when GET /viewer/api/:token/thumbnails/<series>
 * has one.
 */
export interface SeriesResponse {
  current: string;
  /** The series on show when the current asset is a study. */
  currentSeries?: number;
  items: SeriesItem[];
}

export interface SeriesItem {
  assetId: string;
  label: string;
  series?: number;
  thumbnail?: boolean;
}

/** GET /viewer/api/:token/details: label and value pairs, in display order. */
export interface DetailsResponse {
  fields: [string, string][];
  /** The clinical question: the upload's message and the notes added to it, when it came with any. */
  question?: string;
}

/**
 * GET /viewer/api/:token/status and POST /viewer/api/session/activity: go on
 * (and when the session locks if nothing more happens), or why the image must go.
 */
export type StatusResponse =
  | { state: 'ok'; idleMs: number; idleSeconds: number }
  /** locked: idle too long; ended: signed out or past its lifetime; revoked, expired: the image or its link; deleted: shredded under the retention policy; consent: the patient's consent no longer covers it; denied: any other end of access. */
  | { state: 'locked' | 'ended' | 'revoked' | 'expired' | 'deleted' | 'consent' | 'denied' };

export type PageEnding = Exclude<StatusResponse['state'], 'ok'>;

/** GET /viewer/api/session */
export interface SessionResponse {
  state: 'active' | 'locked' | 'expired' | 'none';
}

/** An API refusal or failure: a short machine word, never patient data. */
export interface ErrorResponse {
  error: string;
}

/**
 * GET /viewer/api/:token/frames/:index answers a greyscale frame as
 * little-endian samples (application/octet-stream) with these headers, a
 * colour frame as image/png.
 */
export interface FrameHeaders {
  'X-Loupe-Encoding': FrameEncoding;
  'X-Loupe-Rows': string;
  'X-Loupe-Columns': string;
  /** A study series' image (grey or colour): its own Instance Number and Slice Location (mm), when its header gives them. */
  'X-Loupe-Instance-Number'?: string;
  'X-Loupe-Slice-Location'?: string;
}

/** Marks a request the page makes on its own (frames fetched ahead): not use of the session. */
export const AHEAD_HEADER = 'X-Loupe-Ahead';
