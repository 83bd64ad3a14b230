// What a greyscale pixel's modality value is in, for the probe and the
// region: HU for a CT's rescaled stored values, and for PET the SUVbw from
// the factor the server worked out of the header (or why it could not).
// Pure (no DOM).
import type { InfoResponse } from '../api-types.js';

/** Two decimals at most, as the probe and region show values. */
export const rounded = (n: number): string => String(Math.round(n * 100) / 100);

/** " HU" for a CT's stored values rescaled; "" otherwise (a float frame's values are whatever its header made them). */
export function unitOf(info: InfoResponse | null): string {
  return info?.kind === 'dicom' && info.modality === 'CT' && info.encoding !== 'float32' ? ' HU' : '';
}

/** SUVbw = modality value × this; null when the image is not PET or its header allows no SUV. */
export function suvFactorOf(info: InfoResponse | null): number | null {
  const suv = info?.kind === 'dicom' ? info.suv : undefined;
  return suv && 'factor' in suv ? suv.factor : null;
}

/** The probe's SUV line for a modality value: "SUVbw 2.31", or why there is none (PET only); "" for any other image. */
export function suvLine(info: InfoResponse | null, value: number): string {
  const suv = info?.kind === 'dicom' ? info.suv : undefined;
  if (!suv) return '';
  return 'factor' in suv ? `SUVbw ${rounded(value * suv.factor)}` : suv.unavailable;
}
