// Window/level in the page: a frame's samples to 8-bit grey the way the
// server renders previews (src/imaging/dicom/render.ts), so that what the
// viewer shows for a window is what the preview shows for it. Pure arithmetic
// (no DOM), unit tested against the server's rendering.
import type { GreyFormat, WindowPreset } from '../api-types.js';

export interface VoiWindow {
  center: number;
  width: number;
}

export type Samples = Uint16Array | Int16Array | Float32Array;

/** The body of a greyscale frame as the samples the server encoded (little-endian, as browsers are); `encoding` is its X-Loupe-Encoding. */
export function frameSamples(body: ArrayBuffer, encoding: string | null): Samples {
  if (encoding === 'float32') return new Float32Array(body);
  return encoding === 'int16' ? new Int16Array(body) : new Uint16Array(body);
}

/** Modality value = sample × slope + intercept; float32 samples already are modality values. */
export function rescaleOf(format: Pick<GreyFormat, 'encoding' | 'slope' | 'intercept'>): { slope: number; intercept: number } {
  return format.encoding === 'float32' ? { slope: 1, intercept: 0 } : { slope: format.slope, intercept: format.intercept };
}

/** The VOI LUT function (PS3.3 C.11.2.1.2) of one modality value, on 0–255 before clamping and rounding. */
export function voiLevel(x: number, { center: c, width: w }: VoiWindow, fn: string): number {
  if (fn === 'SIGMOID') return 255 / (1 + Math.exp((-4 * (x - c)) / w));
  if (fn === 'LINEAR_EXACT') return ((x - c) / w + 0.5) * 255;
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 255;
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
}

/** Each sample's grey level (0 black, 255 white), MONOCHROME1 inverted after the window. */
export function greyLevels(samples: ArrayLike<number>, format: Pick<GreyFormat, 'encoding' | 'slope' | 'intercept' | 'invert' | 'voiFunction'>, window: VoiWindow): Uint8Array {
  const { slope, intercept } = rescaleOf(format);
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    // Math.round, not a clamped array's round-half-to-even: the server rounds half up.
    const y = Math.min(255, Math.max(0, Math.round(voiLevel(samples[i]! * slope + intercept, window, format.voiFunction))));
    out[i] = format.invert ? 255 - y : y;
  }
  return out;
}

/** Grey levels as opaque RGBA pixels, for a canvas's ImageData. */
export function greyToRgba(grey: Uint8Array, rgba: Uint8ClampedArray): void {
  for (let i = 0; i < grey.length; i++) {
    const y = grey[i]!;
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = y;
    rgba[i * 4 + 3] = 255;
  }
}

/** The window spanning the frame's lowest to highest modality value: offered after the header's and the modality's presets. */
export function fullRange(samples: ArrayLike<number>, format: Pick<GreyFormat, 'encoding' | 'slope' | 'intercept'>): WindowPreset {
  const { slope, intercept } = rescaleOf(format);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]! * slope + intercept;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return { name: 'Full range', center: (lo + hi) / 2, width: Math.max(1, hi - lo) };
}

/** A preset as applied: a window is at least one unit wide. */
export function presetWindow(p: VoiWindow): VoiWindow {
  return { center: p.center, width: Math.max(1, p.width) };
}

/** A left drag of (dx, dy) pixels: sideways widens, down raises the level; steps grow with the width so wide windows move as fast. */
export function dragWindow(w: VoiWindow, dx: number, dy: number): VoiWindow {
  const width = Math.max(1, w.width + dx * Math.max(1, w.width / 200));
  return { width, center: w.center + dy * Math.max(1, width / 400) };
}
