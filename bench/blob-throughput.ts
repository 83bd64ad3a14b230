// Blob cipher throughput (createEncryptStream / createDecryptStream) on ~1 GiB
// of in-memory data, next to what OpenSSL's own AES-256-GCM manages on this
// machine: the gap is what Loupe's chunking and Node's streams cost. Both are
// timed on the wall clock (`openssl speed -elapsed`: by default it counts its
// own CPU time only, which on a busy machine flatters it), back to back in
// three rounds, and the best round of each side counts.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecryptStream, createEncryptStream } from '../src/crypto/stream-cipher.js';
import { MiB, errorText, figure, mbPerSecond, now, randomPieces, reportLine } from './lib.js';

const TOTAL_BYTES = 1024 * MiB;
// Decryption needs real ciphertext; holding 1 GiB of it would dominate memory,
// so a 128 MiB blob is decrypted 8 times instead (each pass is a valid blob).
const DECRYPT_SAMPLE_BYTES = 128 * MiB;
const DECRYPT_PASSES = TOTAL_BYTES / DECRYPT_SAMPLE_BYTES;
const ROUNDS = 3;
const TARGET = 0.8;
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

/** AES-256-GCM MB/s (10^6 bytes/s, wall clock) at 16384-byte blocks, or why there is none. */
async function opensslSpeed(): Promise<{ mbps: number } | { unavailable: string }> {
  const output = await new Promise<{ code: number | null; stdout: string } | { error: string }>((resolve) => {
    let stdout = '';
    const args = ['speed', '-elapsed', '-evp', 'aes-256-gcm', '-bytes', '16384', '-seconds', '3'];
    const child = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => (stdout += s));
    child.on('error', (error) => resolve({ error: errorText(error) }));
    child.on('close', (code) => resolve({ code, stdout }));
  });
  if ('error' in output) return { unavailable: output.error };
  if (output.code !== 0) return { unavailable: `openssl speed exited with code ${output.code}` };
  const last = output.stdout.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? '';
  const value = last.split(/\s+/).filter((t) => /^[\d.]+k$/.test(t)).at(-1);
  if (!value) return { unavailable: `could not parse openssl output: ${JSON.stringify(last)}` };
  // openssl reports 1000s of bytes per second.
  return { mbps: Number.parseFloat(value) / 1000 };
}

async function main(): Promise<void> {
  const key = randomBytes(32);
  const pieces = randomPieces(8);

  // Warm-up, so the timed runs do not include JIT compilation.
  await encrypt(key, 64 * MiB, pieces);

  const kept: Buffer[] = [];
  const sample = await encrypt(key, DECRYPT_SAMPLE_BYTES, pieces, kept);
  const ciphertext = Buffer.concat(kept);
  kept.length = 0;

  // Untimed check pass (also the warm-up): decryption must give back the plaintext.
  const expected = createHash('sha256');
  for (const piece of plaintext(DECRYPT_SAMPLE_BYTES, pieces)) expected.update(piece);
  const actual = createHash('sha256');
  await decrypt(key, ciphertext, (c) => actual.update(c));
  if (actual.digest('hex') !== expected.digest('hex')) throw new Error('decrypted data differs from the plaintext');

  console.log(`Loupe createEncryptStream on ${TOTAL_BYTES} bytes in 1 MiB pieces; createDecryptStream on`);
  console.log(`${DECRYPT_PASSES} x ${DECRYPT_SAMPLE_BYTES} bytes fed in 1 MiB reads; openssl speed -elapsed -evp aes-256-gcm`);
  console.log(`(16384-byte blocks, one core, 3 s); ${ROUNDS} rounds back to back, best of each`);
  figure('ciphertext overhead', `${sample.out - DECRYPT_SAMPLE_BYTES} bytes per ${DECRYPT_SAMPLE_BYTES}`);
  let encMbps = 0;
  let decMbps = 0;
  let sslMbps = 0;
  let sslMissing: string | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const enc = await encrypt(key, TOTAL_BYTES, pieces);
    encMbps = Math.max(encMbps, mbPerSecond(TOTAL_BYTES, enc.ms));
    let decMs = 0;
    for (let pass = 0; pass < DECRYPT_PASSES; pass++) {
      const dec = await decrypt(key, ciphertext);
      if (dec.out !== DECRYPT_SAMPLE_BYTES) throw new Error(`decrypt pass gave ${dec.out} bytes, expected ${DECRYPT_SAMPLE_BYTES}`);
      decMs += dec.ms;
    }
    decMbps = Math.max(decMbps, mbPerSecond(TOTAL_BYTES, decMs));
    const ssl = await opensslSpeed();
    if ('unavailable' in ssl) sslMissing = ssl.unavailable;
    else sslMbps = Math.max(sslMbps, ssl.mbps);
  }
  figure('encrypt throughput', `${encMbps.toFixed(1)} MB/s`);
  figure('decrypt throughput', `${decMbps.toFixed(1)} MB/s`);
  if (sslMissing || !sslMbps) {
    figure('openssl', `not available (${sslMissing ?? 'no figure'})`);
    reportLine({ name: 'blob encryption', figure: `${encMbps.toFixed(0)} MB/s`, target: `>= ${TARGET} x openssl (unavailable)`, pass: null });
    reportLine({ name: 'blob decryption', figure: `${decMbps.toFixed(0)} MB/s`, target: `>= ${TARGET} x openssl (unavailable)`, pass: null });
    return;
  }
  figure('openssl AES-256-GCM', `${sslMbps.toFixed(1)} MB/s`);
  for (const [name, mbps] of [['blob encryption', encMbps], ['blob decryption', decMbps]] as const) {
    const ratio = mbps / sslMbps;
    reportLine({ name, figure: `${ratio.toFixed(2)} x openssl`, target: `>= ${TARGET} x openssl`, pass: ratio >= TARGET });
  }
}

await main();
