// What a length, an angle or a region's area measured in image pixels says:
// in mm from the header's Pixel Spacing (row spacing down, column spacing
// across), with a caveat from Imager Pixel Spacing alone, in px with
// neither. Pure (no DOM).
import type { InfoResponse } from '../api-types.js';

/** A point in image pixels from the image's top left corner. */
export type Point = { x: number; y: number };

/** Millimetres per image pixel (between rows, between columns), and whether only at the detector; null: in pixels. */
export interface Spacing {
  row: number;
  column: number;
  atDetector: boolean;
}

export function spacingOf(info: InfoResponse | null): Spacing | null {
  if (!info || info.kind !== 'dicom') return null;
  const [ps, atDetector] = info.pixelSpacing ? [info.pixelSpacing, false] : [info.imagerPixelSpacing, true];
  if (!ps || !(ps[0] > 0) || !(ps[1] > 0)) return null;
  return { row: ps[0], column: ps[1], atDetector };
}

/** From a to b in mm (row spacing down, column spacing across), or in image pixels with no spacing. */
function physical(a: Point, b: Point, s: Spacing | null): Point {
  return { x: (b.x - a.x) * (s?.column ?? 1), y: (b.y - a.y) * (s?.row ?? 1) };
}

export function lengthLabel(a: Point, b: Point, s: Spacing | null): string {
  const d = physical(a, b, s);
  const length = Math.hypot(d.x, d.y).toFixed(1);
  if (!s) return `${length} px`;
  return s.atDetector ? `${length} mm (at detector)` : `${length} mm`;
}

/** Areas this large read better in cm². */
const CM2 = 100;

/** An ellipse's area from its half-axes across (rx) and down (ry) in image pixels: mm², cm² once large, px² with no spacing. */
export function areaLabel(rx: number, ry: number, s: Spacing | null): string {
  const area = Math.PI * rx * (s?.column ?? 1) * ry * (s?.row ?? 1);
  if (!s) return `${area.toFixed(1)} px²`;
  const shown = area >= CM2 ? `${(area / CM2).toFixed(2)} cm²` : `${area.toFixed(1)} mm²`;
  return s.atDetector ? `${shown} (at detector)` : shown;
}

/** The angle at `vertex` between the arms to `a` and `c`, in degrees (on the patient when the spacing is known). */
export function angleLabel(a: Point, vertex: Point, c: Point, s: Spacing | null): string {
  const u = physical(vertex, a, s);
  const v = physical(vertex, c, s);
  const degrees = (Math.abs(Math.atan2(u.x * v.y - u.y * v.x, u.x * v.x + u.y * v.y)) * 180) / Math.PI;
  return `${degrees.toFixed(1)}°`;
}

