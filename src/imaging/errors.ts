// Whatever an imaging library throws on a hostile or odd file becomes a
// typed error: callers (the ingest job, `loupe deidentify`) then say what
// happened instead of "unexpected failure", and no library message (which may
// quote header values) travels further.
import { ErrorCode, LoupeError } from '../core/errors.js';

/** Raised by the safety net below, not by the imaging code itself: the fuzz script counts these as findings. */
export class UnexpectedImagingError extends LoupeError {}

export function asImagingError(cause: unknown): LoupeError {
  if (cause instanceof LoupeError) return cause;
  // A file system failure (a file gone, a folder not writable) is not the file's fault.
  const io = cause as NodeJS.ErrnoException;
  if (io instanceof Error && typeof io.syscall === 'string' && typeof io.code === 'string' && /^E[A-Z]+$/.test(io.code)) {
    return new LoupeError(ErrorCode.InvalidInput, `the file could not be read or written (${io.code})`, { cause });
  }
  return new UnexpectedImagingError(ErrorCode.ImageCorrupt, 'the file is damaged or malformed and could not be processed', { cause });
}

/** Runs `work`, turning any foreign error it throws into a typed one. */
export async function typedImaging<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    throw asImagingError(cause);
  }
}
