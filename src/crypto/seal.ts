// One-shot AES-256-GCM for small values (wrapped data keys, encrypted PHI
// fields). Layout: nonce (12) | ciphertext | tag (16). The associated data
// binds a sealed value to the record it belongs to.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ErrorCode, LoupeError } from '../core/errors.js';

const NONCE = 12;
const TAG = 16;

/** Returns a plain Uint8Array so it can be stored as a database `bytea` as is. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Uint8Array<ArrayBuffer> {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
}

export function unseal(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  if (sealed.length < NONCE + TAG) {
    throw new LoupeError(ErrorCode.UnwrapFailed, 'sealed value is too short');
  }
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, NONCE));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(buf.subarray(buf.length - TAG));
  try {
    return Buffer.concat([decipher.update(buf.subarray(NONCE, buf.length - TAG)), decipher.final()]);
  } catch (cause) {
    throw new LoupeError(ErrorCode.UnwrapFailed, 'sealed value failed authentication', { cause });
  }
}
