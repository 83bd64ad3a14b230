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

/** The study's summary; undefined for any other asset, or a study whose metadata lacks it. */
export function studyOf(asset: { kind: string | null; metadata: unknown }): StudySummary | undefined {
  if (asset.kind !== 'dicom_study') return undefined;
  const study = (asset.metadata as { study?: StudySummary } | null)?.study;
  return study && Array.isArray(study.series) ? study : undefined;
}

/** The image a series is shown by (its thumbnail, a teaching copy): the middle of its stack. */
export const middleInstance = (series: StudySeries): StudyInstance | undefined => series.instances[Math.floor(series.instances.length / 2)];

/** How many images a series' stack shows: every frame of every instance. */
export const stackLength = (series: StudySeries): number => series.instances.reduce((n, i) => n + i.frames, 0);

/** Where an image of the archive stands in its study, as its header says: for grouping and stacking, never stored (UIDs are the patient's). */
export interface InstancePlace {
  studyUid: string | undefined;
  seriesUid: string | undefined;
  seriesNumber: number | undefined;
  instanceNumber: number | undefined;
  sliceLocation: number | undefined;
  frames: number;
  modality: string | undefined;
  bodyPart: string | undefined;
}

/** An image of the archive with its blob part. */
export type PlacedInstance = InstancePlace & { part: number };

const last = Number.POSITIVE_INFINITY;

/**
 * The archive's images grouped by series (Series Number order) and stacked
 * (Instance Number, then Slice Location, then archive order); 'several'
 * when they belong to more than one study.
 */
export function groupStudy(instances: readonly PlacedInstance[], skipped: number): StudySummary | 'several' {
  if (new Set(instances.map((i) => i.studyUid ?? '')).size > 1) return 'several';
  const bySeries = new Map<string, PlacedInstance[]>();
  for (const i of instances) {
    const key = i.seriesUid ?? `number:${i.seriesNumber ?? ''}`;
    bySeries.set(key, [...(bySeries.get(key) ?? []), i]);
  }
  const series = [...bySeries.values()].map((members) =>
    [...members].sort((a, b) => (a.instanceNumber ?? last) - (b.instanceNumber ?? last) || (a.sliceLocation ?? 0) - (b.sliceLocation ?? 0) || a.part - b.part),
  );
  series.sort((a, b) => (a[0]!.seriesNumber ?? last) - (b[0]!.seriesNumber ?? last) || Math.min(...a.map((i) => i.part)) - Math.min(...b.map((i) => i.part)));
  return {
    series: series.map((members) => {
      const first = members[0]!;
      return {
        ...(first.seriesNumber === undefined ? {} : { number: first.seriesNumber }),
        ...(first.modality === undefined ? {} : { modality: first.modality }),
        ...(first.bodyPart === undefined ? {} : { bodyPart: first.bodyPart }),
        instances: members.map((i) => ({ part: i.part, frames: i.frames })),
      };
    }),
    images: instances.length,
    skipped,
  };
}
