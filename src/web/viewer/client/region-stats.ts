// The region tool's numbers: which pixels an ellipse drawn between two
// corners holds (those whose centre lies inside), the statistics of their
// modality values, and what its label says. Pure (no DOM).
import { areaLabel, type Point, type Spacing } from './measurements.js';
import { rounded } from './modality-values.js';

/** An axis-aligned ellipse in image pixels: its centre and half-axes across (x) and down (y). */
export interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

/** The pixels a region holds: those within its bounds (inclusive columns and rows) that `inside` picks. */
export interface PixelRegion {
  left: number;
  top: number;
  right: number;
  bottom: number;
  inside(column: number, row: number): boolean;
}

export interface RegionStats {
  count: number;
  mean: number;
  /** Population standard deviation (over the pixels the region holds, not an estimate for a larger one). */
  sd: number;
  min: number;
  max: number;
}

/** The ellipse that fits the box with corners `a` and `b`. */
export function ellipseBetween(a: Point, b: Point): Ellipse {
  return { cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2, rx: Math.abs(b.x - a.x) / 2, ry: Math.abs(b.y - a.y) / 2 };
}

/** The pixels whose centre (column + ½, row + ½) is inside `e`: none for a flat ellipse. */
export function ellipseRegion(e: Ellipse): PixelRegion {
  return {
    left: Math.floor(e.cx - e.rx),
    top: Math.floor(e.cy - e.ry),
    right: Math.ceil(e.cx + e.rx),
    bottom: Math.ceil(e.cy + e.ry),
    inside: (column, row) => e.rx > 0 && e.ry > 0 && ((column + 0.5 - e.cx) / e.rx) ** 2 + ((row + 0.5 - e.cy) / e.ry) ** 2 <= 1,
  };
}

/** Mean, standard deviation, min and max; null for no values. */
export function statistics(values: readonly number[]): RegionStats | null {
  if (values.length === 0) return null;
  let [sum, min, max] = [0, Infinity, -Infinity];
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / values.length;
  // Two passes: the sum of squares less the squared mean loses what a CT's large values differ by.
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { count: values.length, mean, sd: Math.sqrt(squares / values.length), min, max };
}

export interface RegionContext {
  /** " HU", or "". */
  unit: string;
  /** SUVbw per modality value (PET whose header allows it), else null. */
  suvFactor: number | null;
  spacing: Spacing | null;
}

/** The label's lines: the statistics in the image's unit, SUVbw for PET, then how many pixels and how large. */
export function regionLines(stats: RegionStats | null, e: Ellipse, c: RegionContext): string[] {
  const size = `${stats?.count ?? 0} px · ${areaLabel(e.rx, e.ry, c.spacing)}`;
  if (!stats) return [size];
  const u = c.unit;
  return [
    `Mean ${rounded(stats.mean)}${u}`,
    `SD ${rounded(stats.sd)}${u}`,
    `Min ${rounded(stats.min)}${u} · Max ${rounded(stats.max)}${u}`,
    ...(c.suvFactor === null ? [] : [`SUVbw mean ${rounded(stats.mean * c.suvFactor)} · max ${rounded(stats.max * c.suvFactor)}`]),
    size,
  ];
}
