// Chunked authenticated encryption for blobs of any size (the STREAM
// construction of Hoang, Reyhanitabar, Rogaway and Vizár, "Online
// Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", 2015):
// each chunk is sealed with AES-256-GCM under the blob's own data key, with a
// nonce made of a random prefix, the chunk counter and a last-chunk flag. So
// memory stays at one chunk, reordered chunks fail, and a blob cut at a chunk
// boundary fails because its new last chunk was not sealed as last.
//
// Layout: header | chunk 0 | chunk 1 | ... | last chunk (possibly empty)
//   header = "LPB1" | version (1) | log2 chunk size (1) | nonce prefix (7)
//   chunk  = AES-GCM ciphertext | tag (16)
// The associated data of every chunk is the header plus the blob's context
// (asset, kind, part), so a blob moved under another asset or kind fails.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ErrorCode, LoupeError } from '../core/errors.js';

const MAGIC = Buffer.from('LPB1', 'ascii');
const VERSION = 1;
const PREFIX = 7;
const TAG = 16;
export const HEADER_BYTES = MAGIC.length + 2 + PREFIX;
const DEFAULT_CHUNK_LOG2 = 18; // 256 KiB

function nonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, PREFIX);
  n[11] = last ? 1 : 0;
  return n;
}

function chunkAad(header: Buffer, context: string): Buffer {
  return Buffer.concat([header, Buffer.from(context, 'utf8')]);
}

function authFailure(cause?: unknown): LoupeError {
  return new LoupeError(
    ErrorCode.BlobAuthFailed,
    'blob failed authentication: it was altered, truncated, reordered or swapped',
    { cause },
  );
}

/**
 * Removes the first `n` bytes from a list of buffers as a list of views (no
 * copy); the caller knows the list holds at least `n` bytes.
 */
function takeSlices(list: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  while (n > 0) {
    const head = list[0]!;
    if (head.length <= n) {
      out.push(head);
      list.shift();
      n -= head.length;
    } else {
      out.push(head.subarray(0, n));
      list[0] = head.subarray(n);
      n = 0;
    }
  }
  return out;
}

/** Plaintext in, ciphertext out. `context` must be given again to decrypt. */
export function createEncryptStream(dataKey: Uint8Array, context: string, chunkLog2 = DEFAULT_CHUNK_LOG2): Transform {
  if (!Number.isInteger(chunkLog2) || chunkLog2 < 10 || chunkLog2 > 24) throw new RangeError('chunkLog2 must be 10..24');
  const chunkSize = 2 ** chunkLog2;
  const prefix = randomBytes(PREFIX);
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION, chunkLog2]), prefix]);
  const aad = chunkAad(header, context);
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let counter = 0;

  // Encrypts straight from the input's own buffers and pushes the tag as a
  // piece of its own: no copy of the data beyond the cipher's output.
  const sealChunk = (stream: Transform, slices: Buffer[], last: boolean): void => {
    if (counter > 0xffffffff) throw new LoupeError(ErrorCode.BlobTooLarge, 'blob exceeds the chunk counter');
    const cipher = createCipheriv('aes-256-gcm', dataKey, nonce(prefix, counter++, last));
    cipher.setAAD(aad);
    for (const slice of slices) stream.push(cipher.update(slice));
    cipher.final();
    stream.push(cipher.getAuthTag());
  };

  return new Transform({
    construct(callback) {
      this.push(header);
      callback();
    },
    transform(data: Buffer, _enc, callback: TransformCallback) {
      try {
        pending.push(data);
        pendingBytes += data.length;
        // Keep at least one byte back so the final chunk is always sealed as last.
        while (pendingBytes > chunkSize) {
          sealChunk(this, takeSlices(pending, chunkSize), false);
          pendingBytes -= chunkSize;
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        sealChunk(this, takeSlices(pending, pendingBytes), true);
        pendingBytes = 0;
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

/** Ciphertext in, plaintext out; fails with LOUPE_BLOB_AUTH_FAILED on any tampering. */
export function createDecryptStream(dataKey: Uint8Array, context: string): Transform {
  let aad: Buffer | undefined;
  let prefix: Buffer | undefined;
  let sealedChunk = 0;
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let counter = 0;

  // Plaintext is released only after its chunk's tag has been verified.
  const open = (slices: Buffer[], last: boolean): Buffer => {
    const sealed = slices.length === 1 ? slices[0]! : Buffer.concat(slices);
    if (!prefix || !aad || sealed.length < TAG) throw authFailure();
    const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce(prefix, counter++, last));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    try {
      const plain = decipher.update(sealed.subarray(0, sealed.length - TAG));
      decipher.final();
      return plain;
    } catch (cause) {
      throw authFailure(cause);
    }
  };

  return new Transform({
    transform(data: Buffer, _enc, callback: TransformCallback) {
      try {
        pending.push(data);
        pendingBytes += data.length;
        if (!aad) {
          if (pendingBytes < HEADER_BYTES) return callback();
          const header = Buffer.concat(takeSlices(pending, HEADER_BYTES));
          pendingBytes -= HEADER_BYTES;
          if (!header.subarray(0, MAGIC.length).equals(MAGIC) || header[MAGIC.length] !== VERSION) {
            throw new LoupeError(ErrorCode.BlobFormat, 'not a Loupe encrypted blob, or an unknown version');
          }
          const log2 = header[MAGIC.length + 1] ?? 0;
          if (log2 < 10 || log2 > 24) throw new LoupeError(ErrorCode.BlobFormat, 'blob header has an invalid chunk size');
          sealedChunk = 2 ** log2 + TAG;
          prefix = header.subarray(MAGIC.length + 2);
          aad = chunkAad(header, context);
        }
        // A full chunk is known not to be last only once more bytes follow it.
        while (pendingBytes > sealedChunk) {
          this.push(open(takeSlices(pending, sealedChunk), false));
          pendingBytes -= sealedChunk;
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        if (!aad) throw authFailure();
        this.push(open(takeSlices(pending, pendingBytes), true));
        pendingBytes = 0;
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
