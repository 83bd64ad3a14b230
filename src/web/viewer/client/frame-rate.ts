// The rates Cine offers, and the one it starts at: the header's, when it gives
// one, else 10 frames a second. Pure (no DOM), unit tested.

/** Frames per second offered beside Cine. */
export const RATES: readonly number[] = [2, 5, 10, 15, 20, 30];
const DEFAULT_RATE = 10;
/** A header's rate outside these is a typo or a high-speed capture: played at the nearest bound. */
const SLOWEST = 1;
const FASTEST = 60;

/** What Cine starts at: the header's rate (rounded to a tenth, within bounds), else 10. */
export function startRate(headerRate: number | undefined): number {
  if (headerRate === undefined || !Number.isFinite(headerRate) || headerRate <= 0) return DEFAULT_RATE;
  return Math.min(FASTEST, Math.max(SLOWEST, Math.round(headerRate * 10) / 10));
}

/** The rates to choose from, slowest first: the usual ones, and the header's own among them. */
export function rateChoices(start: number): number[] {
  return [...new Set([...RATES, start])].sort((a, b) => a - b);
}

/** Milliseconds between frames at `rate` frames per second. */
export function frameInterval(rate: number): number {
  return 1000 / rate;
}
