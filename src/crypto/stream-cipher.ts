// Chunked authenticated encryption for blobs of any size (the STREAM
// construction of Hoang, Reyhanitabar, Rogaway and Vizár, "Online
// Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", 2015):
// each chunk is sealed with AES-256-GCM under the blob's own data key, with a
// nonce made of a random prefix, the chunk counter and a last-chunk flag. So
// memory stays at a few chunks, reordered chunks fail, and a blob cut at a
// chunk boundary fails because its new last chunk was not sealed as last.
//
// Layout: header | chunk 0 | chunk 1 | ... | last chunk (possibly empty)
//   header = "LPB1" | version (1) | log2 chunk size (1) | nonce prefix (7)
//   chunk  = AES-GCM ciphertext | tag (16)
// The associated data of every chunk is the header plus the blob's context
// (asset, kind, part), so a blob moved under another asset or kind fails.
// The header names the chunk size, so blobs written with the older 256 KiB
// chunks read back unchanged.
//
// Chunks are independent, so a few are sealed (or opened) at once: up to
// POOL_CHUNKS in libuv's threadpool through WebCrypto, whose AES-GCM output is
// exactly ciphertext | tag, and the rest on this thread with createCipheriv.
// Both give the same bytes; a queue pushes the results in chunk order.
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ErrorCode, LoupeError } from '../core/errors.js';

const MAGIC = Buffer.from('LPB1', 'ascii');
const VERSION = 1;
const PREFIX = 7;
const TAG = 16;
export const HEADER_BYTES = MAGIC.length + 2 + PREFIX;
// 1 MiB: the per-chunk costs (cipher set-up, tag, nonce) vanish; memory stays small.
const DEFAULT_CHUNK_LOG2 = 20;
// Each update() allocates its output; up to 64 KiB those come from the heap
// already mapped and stay in cache, while 1 MiB outputs cost page faults
// (about three times the CPU per byte, measured on Node 20).
const UPDATE_BYTES = 64 * 1024;
// Chunks handed to the threadpool at once: enough to keep the other cores busy
// while this thread seals chunks of its own, few enough that a blob in flight
// holds a few MiB.
const POOL_CHUNKS = 2;

type CryptoKey = webcrypto.CryptoKey;
const { subtle } = webcrypto;

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

/** WebCrypto wants one contiguous buffer; a chunk within one read is passed as is. */
function contiguous(slices: Buffer[]): Buffer {
  return slices.length === 1 ? slices[0]! : Buffer.concat(slices);
}

/** Runs `update` over the slices in pieces of at most UPDATE_BYTES. */
function updateAll(slices: Buffer[], update: (piece: Buffer) => void): void {
  for (const slice of slices) {
    for (let at = 0; at < slice.length; at += UPDATE_BYTES) update(slice.subarray(at, at + UPDATE_BYTES));
  }
}

/** The key for the threadpool path, imported once per blob; none when that path is off. */
async function importKey(dataKey: Uint8Array, usage: 'encrypt' | 'decrypt', poolChunks: number): Promise<CryptoKey | undefined> {
  return poolChunks > 0 ? subtle.importKey('raw', dataKey, 'AES-GCM', false, [usage]) : undefined;
}

function gcmParams(iv: Buffer, aad: Buffer): webcrypto.AesGcmParams {
  return { name: 'AES-GCM', iv, additionalData: aad, tagLength: TAG * 8 };
}

interface Entry {
  pieces?: Buffer[];
  error?: Error;
}

/**
 * The chunks of one stream between being started and being pushed, in chunk
 * order. It holds the writer back (keeps its callback) while `limit` chunks
 * are queued, so backpressure and memory stay bounded, and turns the first
 * failure into the stream's error.
 */
class ChunkQueue {
  private readonly entries: Entry[] = [];
  private inPool = 0;
  private held: { callback: TransformCallback; untilEmpty: boolean } | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly stream: Transform,
    private readonly poolChunks: number,
  ) {}

  /** Whether the next chunk goes to the threadpool (otherwise it is done on this thread). */
  get poolFree(): boolean {
    return this.inPool < this.poolChunks;
  }

  /** The failure so far, which every later write reports. */
  get failed(): Error | undefined {
    return this.failure;
  }

  done(pieces: Buffer[]): void {
    this.entries.push({ pieces });
    this.drain();
  }

  pooled(work: Promise<Buffer>): void {
    const entry: Entry = {};
    this.entries.push(entry);
    this.inPool++;
    work.then(
      (out) => (entry.pieces = [out]),
      (error: unknown) => (entry.error = error instanceof Error ? error : new Error(String(error))),
    ).finally(() => {
      this.inPool--;
      this.drain();
    });
  }

  /** Calls back now, or once fewer chunks are queued (`untilEmpty`: none, for flush). */
  release(callback: TransformCallback, untilEmpty = false): void {
    if (this.failure) return callback(this.failure);
    this.held = { callback, untilEmpty };
    this.drain();
  }

  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    const held = this.held;
    this.held = undefined;
    if (held) held.callback(error);
    else this.stream.destroy(error);
  }

  private drain(): void {
    if (this.failure || this.stream.destroyed) return;
    for (let head = this.entries[0]; head && (head.pieces || head.error); head = this.entries[0]) {
      this.entries.shift();
      if (head.error) return this.fail(head.error);
      for (const piece of head.pieces!) if (piece.length > 0) this.stream.push(piece);
    }
    const held = this.held;
    if (held && this.entries.length < (held.untilEmpty ? 1 : this.poolChunks + 2)) {
      this.held = undefined;
      held.callback();
    }
  }
}

/**
 * Plaintext in, ciphertext out. `context` must be given again to decrypt.
 * `poolChunks` (for tests and benchmarks) bounds the chunks in the threadpool; 0 keeps all on this thread.
 */
export function createEncryptStream(
  dataKey: Uint8Array,
  context: string,
  chunkLog2 = DEFAULT_CHUNK_LOG2,
  poolChunks = POOL_CHUNKS,
): Transform {
  if (!Number.isInteger(chunkLog2) || chunkLog2 < 10 || chunkLog2 > 24) throw new RangeError('chunkLog2 must be 10..24');
  const chunkSize = 2 ** chunkLog2;
  // The key is prepared once per blob, not once per chunk.
  const key: KeyObject = createSecretKey(dataKey);
  let cryptoKey: CryptoKey | undefined;
  const prefix = randomBytes(PREFIX);
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION, chunkLog2]), prefix]);
  const aad = chunkAad(header, context);
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let counter = 0;

  // Encrypts straight from the input's own buffers; on this thread the tag is
  // a piece of its own: no copy of the data beyond the cipher's output.
  const sealChunk = (queue: ChunkQueue, slices: Buffer[], last: boolean): void => {
    if (counter > 0xffffffff) throw new LoupeError(ErrorCode.BlobTooLarge, 'blob exceeds the chunk counter');
    const iv = nonce(prefix, counter++, last);
    if (cryptoKey && queue.poolFree) {
      queue.pooled(subtle.encrypt(gcmParams(iv, aad), cryptoKey, contiguous(slices)).then((out) => Buffer.from(out)));
      return;
    }
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad);
    const out: Buffer[] = [];
    updateAll(slices, (piece) => out.push(cipher.update(piece)));
    cipher.final();
    out.push(cipher.getAuthTag());
    queue.done(out);
  };

  let queue: ChunkQueue;
  const stream = new Transform({
    construct(callback) {
      this.push(header);
      importKey(dataKey, 'encrypt', poolChunks).then(
        (k) => {
          cryptoKey = k;
          callback();
        },
        (error: Error) => callback(error),
      );
    },
    transform(data: Buffer, _enc, callback: TransformCallback) {
      try {
        if (queue.failed) return callback(queue.failed);
        pending.push(data);
        pendingBytes += data.length;
        // Keep at least one byte back so the final chunk is always sealed as last.
        while (pendingBytes > chunkSize) {
          sealChunk(queue, takeSlices(pending, chunkSize), false);
          pendingBytes -= chunkSize;
        }
        queue.release(callback);
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        if (queue.failed) return callback(queue.failed);
        sealChunk(queue, takeSlices(pending, pendingBytes), true);
        pendingBytes = 0;
        queue.release(callback, true);
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  queue = new ChunkQueue(stream, poolChunks);
  return stream;
}

/**
 * Ciphertext in, plaintext out; fails with LOUPE_BLOB_AUTH_FAILED on any tampering.
 * `poolChunks` as for createEncryptStream.
 */
export function createDecryptStream(dataKey: Uint8Array, context: string, poolChunks = POOL_CHUNKS): Transform {
  const key: KeyObject = createSecretKey(dataKey);
  let cryptoKey: CryptoKey | undefined;
  let aad: Buffer | undefined;
  let prefix: Buffer | undefined;
  let sealedChunk = 0;
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let counter = 0;

  // Deciphers the chunk where it lies (on this thread across the reads it
  // spans, no concatenation) and releases its plaintext only once its tag is
  // verified: WebCrypto gives nothing back for a chunk that fails.
  const open = (queue: ChunkQueue, sealed: number, last: boolean): void => {
    if (!prefix || !aad || sealed < TAG) throw authFailure();
    const iv = nonce(prefix, counter++, last);
    pendingBytes -= sealed;
    if (cryptoKey && queue.poolFree) {
      const data = contiguous(takeSlices(pending, sealed));
      queue.pooled(
        subtle.decrypt(gcmParams(iv, aad), cryptoKey, data).then(
          (out) => Buffer.from(out),
          (cause: unknown) => {
            throw authFailure(cause);
          },
        ),
      );
      return;
    }
    const body = takeSlices(pending, sealed - TAG);
    const tagSlices = takeSlices(pending, TAG);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(contiguous(tagSlices));
    const plain: Buffer[] = [];
    try {
      updateAll(body, (piece) => plain.push(decipher.update(piece)));
      decipher.final();
    } catch (cause) {
      throw authFailure(cause);
    }
    queue.done(plain);
  };

  let queue: ChunkQueue;
  const stream = new Transform({
    construct(callback) {
      importKey(dataKey, 'decrypt', poolChunks).then(
        (k) => {
          cryptoKey = k;
          callback();
        },
        (error: Error) => callback(error),
      );
    },
    transform(data: Buffer, _enc, callback: TransformCallback) {
      try {
        if (queue.failed) return callback(queue.failed);
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
        while (pendingBytes > sealedChunk) open(queue, sealedChunk, false);
        queue.release(callback);
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        if (queue.failed) return callback(queue.failed);
        if (!aad) throw authFailure();
        open(queue, pendingBytes, true);
        queue.release(callback, true);
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  queue = new ChunkQueue(stream, poolChunks);
  return stream;
}
