import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { HEADER_BYTES, createDecryptStream, createEncryptStream } from '../../src/crypto/stream-cipher.js';

const CHUNK_LOG2 = 10; // 1 KiB chunks so edge cases are cheap
const CHUNK = 1024;
const SEALED = CHUNK + 16;
const key = randomBytes(32);
const context = 'loupe-blob/1|asset:a1|kind:original|part:0';

async function encrypt(plain: Buffer, ctx = context): Promise<Buffer> {
  // Feed in odd-sized pieces so chunk boundaries never line up with writes.
  const pieces: Buffer[] = [];
  for (let i = 0; i < plain.length; i += 333) pieces.push(plain.subarray(i, i + 333));
  return buffer(Readable.from(pieces).pipe(createEncryptStream(key, ctx, CHUNK_LOG2)));
}

function decrypt(sealed: Buffer, ctx = context, k: Buffer = key): Promise<Buffer> {
  return buffer(Readable.from([sealed]).pipe(createDecryptStream(k, ctx)));
}

/** The way the blob store hands ciphertext over: reads that ignore chunk boundaries. */
function decryptInReads(sealed: Buffer, read: number, ctx = context): Promise<Buffer> {
  const reads: Buffer[] = [];
  for (let i = 0; i < sealed.length; i += read) reads.push(sealed.subarray(i, i + read));
  return buffer(Readable.from(reads).pipe(createDecryptStream(key, ctx)));
}

/** One chunk sealed on its own with createCipheriv, as the format defines it: ciphertext, then tag. */
function sealChunkDirectly(header: Buffer, counter: number, last: boolean, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, chunkNonce(header, counter, last));
  cipher.setAAD(Buffer.concat([header, Buffer.from(context, 'utf8')]));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function chunkNonce(header: Buffer, counter: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  header.copy(n, 0, HEADER_BYTES - 7, HEADER_BYTES);
  n.writeUInt32BE(counter, 7);
  n[11] = last ? 1 : 0;
  return n;
}

const authFailed = (e: unknown) => isLoupeError(e, 'LOUPE_BLOB_AUTH_FAILED');

describe('chunked blob encryption', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 7])('round-trips %i bytes', async (n) => {
    const plain = randomBytes(n);
    const sealed = await encrypt(plain);
    expect(sealed.length).toBe(HEADER_BYTES + n + 16 * (Math.floor(n / CHUNK) + (n % CHUNK === 0 && n > 0 ? 0 : 1)));
    // A 16-byte run of plaintext showing up in ciphertext by chance is out of the question.
    if (n >= 16) expect(sealed.includes(plain.subarray(0, 16))).toBe(false);
    expect((await decrypt(sealed)).equals(plain)).toBe(true);
  });

  it('uses a fresh nonce prefix for every blob, even with the same key and content', async () => {
    const plain = randomBytes(100);
    const a = await encrypt(plain);
    const b = await encrypt(plain);
    expect(a.subarray(6, HEADER_BYTES).equals(b.subarray(6, HEADER_BYTES))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('fails on a flipped bit', async () => {
    const sealed = await encrypt(randomBytes(3 * CHUNK));
    sealed[HEADER_BYTES + CHUNK + 5]! ^= 1;
    await expect(decrypt(sealed)).rejects.toSatisfy(authFailed);
  });

  it('fails when cut at a chunk boundary', async () => {
    const sealed = await encrypt(randomBytes(3 * CHUNK + 10));
    await expect(decrypt(sealed.subarray(0, HEADER_BYTES + 2 * SEALED))).rejects.toSatisfy(authFailed);
  });

  it('fails when cut inside a chunk, or to the header alone', async () => {
    const sealed = await encrypt(randomBytes(3 * CHUNK + 10));
    await expect(decrypt(sealed.subarray(0, sealed.length - 3))).rejects.toSatisfy(authFailed);
    await expect(decrypt(sealed.subarray(0, HEADER_BYTES))).rejects.toSatisfy(authFailed);
  });

  it('fails when chunks are reordered', async () => {
    const sealed = await encrypt(randomBytes(3 * CHUNK + 10));
    const c0 = sealed.subarray(HEADER_BYTES, HEADER_BYTES + SEALED);
    const c1 = sealed.subarray(HEADER_BYTES + SEALED, HEADER_BYTES + 2 * SEALED);
    const swapped = Buffer.concat([sealed.subarray(0, HEADER_BYTES), c1, c0, sealed.subarray(HEADER_BYTES + 2 * SEALED)]);
    await expect(decrypt(swapped)).rejects.toSatisfy(authFailed);
  });

  it('fails under another asset or blob kind (a swapped blob)', async () => {
    const sealed = await encrypt(randomBytes(100));
    await expect(decrypt(sealed, 'loupe-blob/1|asset:a2|kind:original|part:0')).rejects.toSatisfy(authFailed);
    await expect(decrypt(sealed, 'loupe-blob/1|asset:a1|kind:preview|part:0')).rejects.toSatisfy(authFailed);
    await expect(decrypt(sealed, context, randomBytes(32))).rejects.toSatisfy(authFailed);
  });

  it.each([
    ['the magic', 0],
    ['the version', 4],
    ['the chunk-size byte', 5],
    ['the nonce prefix', 8],
  ])('fails when %s in the header is changed', async (_label, at) => {
    const sealed = await encrypt(randomBytes(3 * CHUNK));
    sealed[at]! ^= 1;
    await expect(decrypt(sealed)).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_BLOB_AUTH_FAILED') || isLoupeError(e, 'LOUPE_BLOB_FORMAT'));
  });

  it('fails when a middle chunk is dropped or bytes are appended', async () => {
    const sealed = await encrypt(randomBytes(3 * CHUNK + 10));
    const dropped = Buffer.concat([sealed.subarray(0, HEADER_BYTES + SEALED), sealed.subarray(HEADER_BYTES + 2 * SEALED)]);
    await expect(decrypt(dropped)).rejects.toSatisfy(authFailed);
    await expect(decrypt(Buffer.concat([sealed, Buffer.from([0])]))).rejects.toSatisfy(authFailed);
    await expect(decrypt(Buffer.concat([sealed, sealed.subarray(HEADER_BYTES)]))).rejects.toSatisfy(authFailed);
  });

  it('refuses a chunk size it cannot read back', () => {
    expect(() => createEncryptStream(key, context, 9)).toThrow(RangeError);
    expect(() => createEncryptStream(key, context, 25)).toThrow(RangeError);
  });

  it('rejects something that is not a Loupe blob', async () => {
    await expect(decrypt(Buffer.from('hello, this is plainly not encrypted'))).rejects.toSatisfy((e) =>
      isLoupeError(e, 'LOUPE_BLOB_FORMAT'),
    );
  });

  it('reads a blob written by an earlier release, whatever chunk size its header names', async () => {
    // Sealed by the release that used createCipheriv per chunk and 256 KiB chunks by default,
    // here with 1 KiB chunks: key 32 bytes of 7, plaintext i % 251 for 2,500 bytes.
    const sealed = await readFile(new URL('../fixtures/blob-lpb1-1k-chunks.bin', import.meta.url));
    const expected = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
    const plain = await buffer(Readable.from([sealed]).pipe(createDecryptStream(Buffer.alloc(32, 7), 'loupe-blob/1|asset:fixture|kind:original|part:0')));
    expect(plain.equals(expected)).toBe(true);
  });

  it('writes 1 MiB chunks by default and reads them back across reads of any size', async () => {
    const plain = randomBytes(2 * 1024 * 1024 + 5);
    const sealed = await buffer(Readable.from([plain.subarray(0, 777), plain.subarray(777)]).pipe(createEncryptStream(key, context)));
    expect(sealed[5]).toBe(20);
    expect(sealed.length).toBe(HEADER_BYTES + plain.length + 3 * 16);
    for (const read of [1024 * 1024, 65_537, 4093]) expect((await decryptInReads(sealed, read)).equals(plain)).toBe(true);
  });

  it('still reads the 256 KiB chunks of earlier blobs', async () => {
    const plain = randomBytes(600 * 1024);
    const sealed = await buffer(Readable.from([plain]).pipe(createEncryptStream(key, context, 18)));
    expect(sealed[5]).toBe(18);
    expect((await decryptInReads(sealed, 1024 * 1024)).equals(plain)).toBe(true);
  });

  it('fails on a flipped tag bit even when the tag is split across two reads', async () => {
    const sealed = await encrypt(randomBytes(3 * CHUNK + 10));
    const tagStart = HEADER_BYTES + CHUNK;
    sealed[tagStart + 9]! ^= 1;
    await expect(decryptInReads(sealed, tagStart + 8)).rejects.toSatisfy(authFailed);
    sealed[tagStart + 9]! ^= 1;
    expect((await decryptInReads(sealed, tagStart + 8)).length).toBe(3 * CHUNK + 10);
  });

  it('writes blobs that open chunk by chunk with createDecipheriv', async () => {
    for (const n of [3 * CHUNK + 10, 2 * CHUNK]) {
      const plain = randomBytes(n);
      const sealed = await encrypt(plain);
      const header = sealed.subarray(0, HEADER_BYTES);
      const chunks: Buffer[] = [];
      for (let at = HEADER_BYTES; at < sealed.length; at += SEALED) chunks.push(sealed.subarray(at, at + SEALED));
      const opened = chunks.map((chunk, i) => {
        const decipher = createDecipheriv('aes-256-gcm', key, chunkNonce(header, i, i === chunks.length - 1));
        decipher.setAAD(Buffer.concat([header, Buffer.from(context, 'utf8')]));
        decipher.setAuthTag(chunk.subarray(chunk.length - 16));
        return Buffer.concat([decipher.update(chunk.subarray(0, chunk.length - 16)), decipher.final()]);
      });
      expect(Buffer.concat(opened).equals(plain)).toBe(true);
    }
  });

  it('opens blobs sealed chunk by chunk with createCipheriv', async () => {
    for (const n of [3 * CHUNK + 10, 2 * CHUNK, 0]) {
      const plain = randomBytes(n);
      const header = Buffer.concat([Buffer.from('LPB1', 'ascii'), Buffer.from([1, CHUNK_LOG2]), randomBytes(7)]);
      const count = Math.floor(n / CHUNK) + 1;
      const chunks = Array.from({ length: count }, (_, i) =>
        sealChunkDirectly(header, i, i === count - 1, plain.subarray(i * CHUNK, (i + 1) * CHUNK)),
      );
      const sealed = Buffer.concat([header, ...chunks]);
      expect((await decryptInReads(sealed, 700)).equals(plain)).toBe(true);
    }
  });

  it('releases no plaintext of the chunk that fails, nor of any after it', async () => {
    const plain = randomBytes(6 * CHUNK + 10);
    const sealed = await encrypt(plain);
    sealed[HEADER_BYTES + 3 * SEALED + 100]! ^= 1;
    const released: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, callback) {
        released.push(chunk);
        callback();
      },
    });
    await expect(pipeline(Readable.from([sealed]), createDecryptStream(key, context), sink)).rejects.toSatisfy(authFailed);
    const out = Buffer.concat(released);
    expect(out.length).toBeLessThanOrEqual(3 * CHUNK);
    expect(out.equals(plain.subarray(0, out.length))).toBe(true);
  });

  it('keeps chunks in order for a slow reader', async () => {
    const plain = randomBytes(200 * CHUNK + 3);
    const sealed = await encrypt(plain);
    const released: Buffer[] = [];
    const slowSink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, callback) {
        released.push(chunk);
        setImmediate(callback);
      },
    });
    await pipeline(Readable.from([sealed]), createDecryptStream(key, context), slowSink);
    expect(Buffer.concat(released).equals(plain)).toBe(true);
  });
});
