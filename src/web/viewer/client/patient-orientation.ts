// The orientation markers at the image's edges, from Image Orientation
// (Patient): which way each edge of the screen points in the patient (R/L,
// A/P, H/F, PS3.3 C.7.6.2.1.1), following the image's turn on screen. Pure
// (no DOM).
import type { Turn } from './orientation.js';

export type Cosines = readonly [number, number, number, number, number, number];

export interface EdgeLabels {
  left: string;
  right: string;
  top: string;
  bottom: string;
}

// The patient's axes: +x towards the patient's left, +y posterior, +z head.
const AXES: readonly (readonly [string, string])[] = [
  ['L', 'R'],
  ['P', 'A'],
  ['H', 'F'],
];
// An axis counts for the label when it carries at least this much of the direction: an oblique edge reads "LA", not "L".
const SIGNIFICANT = 0.25;

/** The letters of a direction in the patient, strongest first: (1, 0, 0) is "L", (0.7, -0.7, 0) "LA". */
export function directionLetters(v: readonly [number, number, number]): string {
  return v
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => Math.abs(c) >= SIGNIFICANT)
    .sort((a, b) => Math.abs(b.c) - Math.abs(a.c))
    .map(({ c, i }) => AXES[i]![c > 0 ? 0 : 1])
    .join('');
}

/**
 * What each screen edge points to. The image's columns run along the row
 * cosines and its rows along the column cosines; the turn maps image axes to
 * screen axes (screen x = a·x + c·y, screen y = b·x + d·y), and being a
 * symmetry of the square its inverse is its transpose.
 */
export function edgeLabels(cosines: Cosines, turn: Turn): EdgeLabels {
  const [a, b, c, d] = turn;
  const row = [cosines[0], cosines[1], cosines[2]] as const;
  const column = [cosines[3], cosines[4], cosines[5]] as const;
  const along = (x: number, y: number) => [0, 1, 2].map((i) => x * row[i]! + y * column[i]!) as [number, number, number];
  const right = along(a, c);
  const down = along(b, d);
  const negate = (v: [number, number, number]) => v.map((n) => -n) as [number, number, number];
  return { right: directionLetters(right), left: directionLetters(negate(right)), bottom: directionLetters(down), top: directionLetters(negate(down)) };
}
