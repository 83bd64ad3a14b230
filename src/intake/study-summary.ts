// What Loupe keeps about a whole study shared as an archive (asset kind
// dicom_study), in the asset's metadata beside AssetSummary: how its
// instances are grouped into series and stacked, never whose they are.
// Blobs: the archive as it came is the `original` (part 0); instance i (in
// the order below) is the `instance` blob part i, as it came (what the viewer
// reads), and the `derivative` blob part i, de-identified; the `preview`
// blob part k, when there is one, is series k's. Types, not interfaces:
// Prisma's JSON input takes only what has an index signature.

/** One instance in its series' stack: its blob part, and how many frames it holds. */
export type StudyInstance = {
  part: number;
  frames: number;
};

/** One series of the study, its instances in stack order (Instance Number, then Slice Location). */
export type StudySeries = {
  /** Series Number (0020,0011), when the header gives one. */
  number?: number | undefined;
  /** Modality (0008,0060), a code string. */
  modality?: string | undefined;
  /** Body Part Examined (0018,0015), a code string. */
  bodyPart?: string | undefined;
  instances: StudyInstance[];
};

export type StudySummary = {
  /** In Series Number order. */
  series: StudySeries[];
  /** Instances with pixel data kept, across every series. */
  images: number;
  /** Archive entries that are not images (DICOMDIR, reports, a CD's viewer program): left out. */
  skipped: number;
};

/** The stack position `index` of a series: which instance, and which of its frames. Undefined past its end. */
export function stackPosition(series: StudySeries, index: number): { part: number; frame: number } | undefined {
  if (!Number.isInteger(index) || index < 0) return undefined;
  let left = index;
  for (const instance of series.instances) {
    if (left < instance.frames) return { part: instance.part, frame: left };
    left -= instance.frames;
  }
  return undefined;
}

/** How many images a series' stack shows: every frame of every instance. */
export const stackLength = (series: StudySeries): number => series.instances.reduce((n, i) => n + i.frames, 0);
