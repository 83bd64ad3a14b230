// Moves a byte range from one open file to another through two reused
// buffers, the read of the next piece overlapping the write of the last: the
// pixel data of a 500 MB instance passes once through the same 512 KB, never
// held whole, never reallocated chunk by chunk (which costs more in page
// faults and garbage collection than the copy itself).
import type { FileHandle } from 'node:fs/promises';
import { ErrorCode, LoupeError } from '../../core/errors.js';

/** Small enough to stay in a core's cache between the read and the write. */
const PIECE = 256 * 1024;

async function writeAll(to: FileHandle, piece: Buffer, length: number, at: number): Promise<void> {
  for (let done = 0; done < length; ) {
    const { bytesWritten } = await to.write(piece, done, length - done, at + done);
    done += bytesWritten;
  }
}

/** Copies `from`'s bytes [start, end) to `to` at offset `at`. */
export async function copyRange(from: FileHandle, start: number, end: number, to: FileHandle, at: number): Promise<void> {
  const pieces = [Buffer.allocUnsafe(Math.min(PIECE, end - start)), Buffer.allocUnsafe(Math.min(PIECE, end - start))];
  let writing: Promise<void> = Promise.resolve();
  try {
    for (let pos = start, k = 0; pos < end; k ^= 1) {
      const piece = pieces[k]!;
      const { bytesRead } = await from.read(piece, 0, Math.min(piece.length, end - pos), pos);
      await writing;
      // The file shrank while it was read: refused like any truncated file.
      if (bytesRead === 0) throw new LoupeError(ErrorCode.ImageCorrupt, 'the DICOM file is corrupt or truncated and cannot be read');
      writing = writeAll(to, piece, bytesRead, at + pos - start);
      writing.catch(() => undefined); // awaited below; a read failing meanwhile must not leave it unhandled
      pos += bytesRead;
    }
  } catch (error) {
    // No write may still use a buffer, or the output, once this returns.
    await writing.catch(() => undefined);
    throw error;
  }
  await writing;
}
