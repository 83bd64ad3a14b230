// Blob cipher throughput (createEncryptStream / createDecryptStream) on ~1 GiB
// of in-memory data, next to what OpenSSL's own AES-256-GCM manages on this
// machine: the gap is what Loupe's chunking and Node's streams cost.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecryptStream, createEncryptStream } from '../src/crypto/stream-cipher.js';
import { MiB, errorText, figure, mbPerSecond, now, randomPieces, seconds } from './lib.js';

const TOTAL_BYTES = 1024 * MiB;
// Decryption needs real ciphertext; holding 1 GiB of it would dominate memory,
// so a 128 MiB blob is decrypted 8 times instead (each pass is a valid blob).
const DECRYPT_SAMPLE_BYTES = 128 * MiB;
const DECRYPT_PASSES = TOTAL_BYTES / DECRYPT_SAMPLE_BYTES;
const CONTEXT = 'loupe-blob/1|asset:bench|kind:original|part:0';

function* plaintext(total: number, pieces: Buffer[]): Generator<Buffer> {
  for (let sent = 0, i = 0; sent < total; i++) {
    const piece = pieces[i % pieces.length];
    if (!piece) throw new Error('no plaintext pieces');
    const n = Math.min(piece.length, total - sent);
    yield n === piece.length ? piece : piece.subarray(0, n);
    sent += n;
  }
}

/** Slices without copying, the way the blob store hands ciphertext over (1 MiB reads). */
function* slices(data: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

function counter(onChunk?: (chunk: Buffer) => void): { sink: Writable; bytes: () => number } {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      bytes += chunk.length;
      onChunk?.(chunk);
      callback();
    },
  });
  return { sink, bytes: () => bytes };
}

async function encrypt(key: Buffer, total: number, pieces: Buffer[], keep?: Buffer[]): Promise<{ ms: number; out: number }> {
  const { sink, bytes } = counter(keep ? (c) => keep.push(c) : undefined);
  const start = now();
  await pipeline(Readable.from(plaintext(total, pieces), { objectMode: false }), createEncryptStream(key, CONTEXT), sink);
  return { ms: now() - start, out: bytes() };
}

async function decrypt(key: Buffer, ciphertext: Buffer, onChunk?: (chunk: Buffer) => void): Promise<{ ms: number; out: number }> {
  const { sink, bytes } = counter(onChunk);
  const start = now();
  await pipeline(Readable.from(slices(ciphertext, MiB), { objectMode: false }), createDecryptStream(key, CONTEXT), sink);
  return { ms: now() - start, out: bytes() };
}

/** AES-256-GCM MB/s (10^6 bytes/s) at 16384-byte blocks, or why there is none. */
async function opensslSpeed(): Promise<{ mbps: number } | { unavailable: string }> {
  const output = await new Promise<{ code: number | null; stdout: string } | { error: string }>((resolve) => {
    let stdout = '';
    const child = spawn('openssl', ['speed', '-evp', 'aes-256-gcm', '-seconds', '3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => (stdout += s));
    child.on('error', (error) => resolve({ error: errorText(error) }));
    child.on('close', (code) => resolve({ code, stdout }));
  });
  if ('error' in output) return { unavailable: output.error };
  if (output.code !== 0) return { unavailable: `openssl speed exited with code ${output.code}` };
  const lines = output.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? '';
  const values = last.split(/\s+/).filter((t) => /^[\d.]+k$/.test(t));
  // The header names the block sizes; fall back to the last column (16384 in every release so far).
  const header = lines.find((l) => l.startsWith('type'));
  const sizes = header ? [...header.matchAll(/(\d+) bytes/g)].map((m) => m[1]) : [];
  const column = sizes.indexOf('16384');
  const value = values[column >= 0 ? column : values.length - 1];
  if (!value) return { unavailable: `could not parse openssl output: ${JSON.stringify(last)}` };
  // openssl reports 1000s of bytes per second.
  return { mbps: Number.parseFloat(value) / 1000 };
}

async function main(): Promise<void> {
  const key = randomBytes(32);
  const pieces = randomPieces(8);

  // Warm-up, so the timed run does not include JIT compilation.
  await encrypt(key, 64 * MiB, pieces);

  const enc = await encrypt(key, TOTAL_BYTES, pieces);
  const encMbps = mbPerSecond(TOTAL_BYTES, enc.ms);
  console.log(`Loupe createEncryptStream, ${TOTAL_BYTES} bytes in 1 MiB pieces`);
  figure('encrypt time', seconds(enc.ms));
  figure('encrypt throughput', `${encMbps.toFixed(1)} MB/s`);
  figure('ciphertext overhead', `${enc.out - TOTAL_BYTES} bytes`);

  const kept: Buffer[] = [];
  await encrypt(key, DECRYPT_SAMPLE_BYTES, pieces, kept);
  const ciphertext = Buffer.concat(kept);
  kept.length = 0;

  // Untimed check pass (also the warm-up): decryption must give back the plaintext.
  const expected = createHash('sha256');
  for (const piece of plaintext(DECRYPT_SAMPLE_BYTES, pieces)) expected.update(piece);
  const actual = createHash('sha256');
  await decrypt(key, ciphertext, (c) => actual.update(c));
  if (actual.digest('hex') !== expected.digest('hex')) throw new Error('decrypted data differs from the plaintext');

  let decMs = 0;
  for (let pass = 0; pass < DECRYPT_PASSES; pass++) {
    const dec = await decrypt(key, ciphertext);
    if (dec.out !== DECRYPT_SAMPLE_BYTES) throw new Error(`decrypt pass gave ${dec.out} bytes, expected ${DECRYPT_SAMPLE_BYTES}`);
    decMs += dec.ms;
  }
  const decMbps = mbPerSecond(TOTAL_BYTES, decMs);
  console.log(`Loupe createDecryptStream, ${DECRYPT_PASSES} x ${DECRYPT_SAMPLE_BYTES} bytes fed in 1 MiB reads`);
  figure('decrypt time', seconds(decMs));
  figure('decrypt throughput', `${decMbps.toFixed(1)} MB/s`);

  console.log('openssl speed -evp aes-256-gcm -seconds 3 (16384-byte blocks, one core)');
  const ssl = await opensslSpeed();
  if ('unavailable' in ssl) {
    figure('openssl', `not available (${ssl.unavailable})`);
    return;
  }
  figure('openssl AES-256-GCM', `${ssl.mbps.toFixed(1)} MB/s`);
  figure('ratio encrypt Loupe/openssl', `${(encMbps / ssl.mbps).toFixed(2)}`);
  figure('ratio decrypt Loupe/openssl', `${(decMbps / ssl.mbps).toFixed(2)}`);
}

await main();
