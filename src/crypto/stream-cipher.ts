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

/** Plaintext in, ciphertext out. `context` must be given again to decrypt. */
export function createEncryptStream(dataKey: Uint8Array, context: string, chunkLog2 = DEFAULT_CHUNK_LOG2): Transform {
  const chunkSize = 2 ** chunkLog2;
  const prefix = randomBytes(PREFIX);
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION, chunkLog2]), prefix]);
  const aad = chunkAad(header, context);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let counter = 0;

  const sealChunk = (plain: Buffer, last: boolean): Buffer => {
    if (counter > 0xffffffff) throw new LoupeError(ErrorCode.BlobTooLarge, 'blob exceeds the chunk counter');
    const cipher = createCipheriv('aes-256-gcm', dataKey, nonce(prefix, counter++, last));
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
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
        if (pendingBytes > chunkSize) {
          const all = Buffer.concat(pending);
          let offset = 0;
          while (all.length - offset > chunkSize) {
            this.push(sealChunk(all.subarray(offset, offset + chunkSize), false));
            offset += chunkSize;
          }
          pending = [all.subarray(offset)];
          pendingBytes = all.length - offset;
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        this.push(sealChunk(Buffer.concat(pending), true));
        pending = [];
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

/** Ciphertext in, plaintext out; fails with LOUPE_BLOB_AUTH_FAILED on any tampering. */
export function createDecryptStream(dataKey: Uint8Array, context: string): Transform {
  let header: Buffer | undefined;
  let aad: Buffer | undefined;
  let prefix: Buffer | undefined;
  let sealedChunk = 0;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let counter = 0;

  const open = (sealed: Buffer, last: boolean): Buffer => {
    if (!prefix || !aad || sealed.length < TAG) throw authFailure();
    const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce(prefix, counter++, last));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
    } catch (cause) {
      throw authFailure(cause);
    }
  };

  const take = (n: number): Buffer => {
    const all = Buffer.concat(buffered);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    buffered = rest.length ? [rest] : [];
    bufferedBytes = rest.length;
    return head;
  };

  return new Transform({
    transform(data: Buffer, _enc, callback: TransformCallback) {
      try {
        buffered.push(data);
        bufferedBytes += data.length;
        if (!header) {
          if (bufferedBytes < HEADER_BYTES) return callback();
          header = take(HEADER_BYTES);
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
        if (bufferedBytes > sealedChunk) {
          const all = take(bufferedBytes);
          let offset = 0;
          while (all.length - offset > sealedChunk) {
            this.push(open(all.subarray(offset, offset + sealedChunk), false));
            offset += sealedChunk;
          }
          buffered = [all.subarray(offset)];
          bufferedBytes = all.length - offset;
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        if (!header) throw authFailure();
        this.push(open(take(bufferedBytes), true));
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
