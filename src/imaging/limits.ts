import { ErrorCode, LoupeError } from '../core/errors.js';

/** Checked before anything is decoded, so a decompression bomb costs nothing. */
export interface ImagingLimits {
  maxBytes: number;
  /** Width × height × frames. */
  maxPixels: number;
  maxFrames: number;
}

export const DEFAULT_LIMITS: ImagingLimits = {
  maxBytes: 1024 * 1024 * 1024,
  maxPixels: 400_000_000,
  maxFrames: 5000,
};

export function checkDimensions(limits: ImagingLimits, width: number, height: number, frames: number): void {
  if (frames > limits.maxFrames) {
    throw new LoupeError(ErrorCode.ImageTooManyFrames, `the image has ${frames} frames; the limit is ${limits.maxFrames}`);
  }
  const pixels = width * height * Math.max(1, frames);
  if (!(pixels > 0)) throw new LoupeError(ErrorCode.ImageCorrupt, 'the image has no valid dimensions');
  if (pixels > limits.maxPixels) {
    throw new LoupeError(
      ErrorCode.ImageTooManyPixels,
      `the image has ${pixels} pixels (${width}×${height}×${Math.max(1, frames)}); the limit is ${limits.maxPixels}`,
    );
  }
}

export function checkBytes(limits: ImagingLimits, bytes: number): void {
  if (bytes > limits.maxBytes) {
    throw new LoupeError(ErrorCode.ImageTooLarge, `the file has ${bytes} bytes; the limit is ${limits.maxBytes}`);
  }
}
