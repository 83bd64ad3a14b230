// What two fingers on the image do: moving together they adjust window/level
// (as a mouse drag does), spreading or pinching they zoom. Whichever movement
// is larger once the fingers have moved a little decides, for the rest of the
// touch. Pure (no DOM), unit tested.

export type Point = { x: number; y: number };
export type Pair = readonly [Point, Point];
export type TwoFingerMode = 'zoom' | 'window';

/** How far (CSS pixels) the fingers move before the gesture is decided: a resting hand's jitter decides nothing. */
export const DECIDE_PX = 8;

export const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
export const middle = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

/** Zoom when the fingers' distance changed more than their middle moved since they came down, else window/level; null while both are under DECIDE_PX. */
export function twoFingerMode(start: Pair, now: Pair): TwoFingerMode | null {
  const spread = Math.abs(distance(...now) - distance(...start));
  const travel = distance(middle(...now), middle(...start));
  if (Math.max(spread, travel) < DECIDE_PX) return null;
  return spread >= travel ? 'zoom' : 'window';
}
