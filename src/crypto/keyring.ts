// The key ring: versioned key-encryption keys (KEKs) that wrap every data key,
// and the Ed25519 key that signs audit checkpoints. Key material comes from a
// key file or from LOUPE_KEYS (same JSON); it is never stored in the database.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { seal, unseal } from './seal.js';

const base64Key = z
  .string()
  .refine((s) => Buffer.from(s, 'base64').length === 32, 'a base64 encoded 256-bit key');

const fileSchema = z.object({
  format: z.literal('loupe-keyring/1'),
  activeVersion: z.number().int().positive(),
  keks: z
    .array(z.object({ version: z.number().int().positive(), key: base64Key, createdAt: z.string() }))
    .min(1),
  auditSigningKey: z.string().min(1),
});

export type KeyRingFile = z.infer<typeof fileSchema>;

export interface WrappedKey {
  kekVersion: number;
  wrapped: Uint8Array<ArrayBuffer>;
}

export class KeyRing {
  private active: number;
  readonly auditKeyId: string;
  private readonly keks: Map<number, Buffer>;
  private readonly signingKey: KeyObject;
  private readonly verifyKey: KeyObject;

  private constructor(file: KeyRingFile) {
    this.keks = new Map(file.keks.map((k) => [k.version, Buffer.from(k.key, 'base64')]));
    if (!this.keks.has(file.activeVersion)) {
      throw new LoupeError(ErrorCode.KeysInvalid, `key ring: active version ${file.activeVersion} has no key`);
    }
    this.active = file.activeVersion;
    try {
      this.signingKey = createPrivateKey({
        key: Buffer.from(file.auditSigningKey, 'base64'),
        format: 'der',
        type: 'pkcs8',
      });
    } catch (cause) {
      throw new LoupeError(ErrorCode.KeysInvalid, 'key ring: auditSigningKey is not a PKCS#8 Ed25519 key', { cause });
    }
    if (this.signingKey.asymmetricKeyType !== 'ed25519') {
      throw new LoupeError(ErrorCode.KeysInvalid, 'key ring: auditSigningKey must be Ed25519');
    }
    this.verifyKey = createPublicKey(this.signingKey);
    const spki = this.verifyKey.export({ format: 'der', type: 'spki' });
    this.auditKeyId = createHash('sha256').update(spki).digest('hex').slice(0, 16);
  }

  static parse(json: string): KeyRing {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch (cause) {
      throw new LoupeError(ErrorCode.KeysInvalid, 'key ring is not valid JSON', { cause });
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new LoupeError(ErrorCode.KeysInvalid, `key ring is malformed: ${where}`);
    }
    return new KeyRing(parsed.data);
  }

  static generateFile(now: Date): KeyRingFile {
    const { privateKey } = generateKeyPairSync('ed25519');
    return {
      format: 'loupe-keyring/1',
      activeVersion: 1,
      keks: [{ version: 1, key: randomBytes(32).toString('base64'), createdAt: now.toISOString() }],
      auditSigningKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    };
  }

  /** A new file with one more KEK, made active. */
  static withNewKek(file: KeyRingFile, now: Date): KeyRingFile {
    const version = Math.max(...file.keks.map((k) => k.version)) + 1;
    return {
      ...file,
      activeVersion: version,
      keks: [...file.keks, { version, key: randomBytes(32).toString('base64'), createdAt: now.toISOString() }],
    };
  }

  get activeVersion(): number {
    return this.active;
  }

  /**
   * Takes in a rotated key file in place, so a running server (and every part
   * holding this ring) wraps with the new KEK at once. The file must extend
   * this ring: same checkpoint key, every KEK it holds unchanged.
   */
  adopt(file: KeyRingFile): void {
    const next = this.checkExtendedBy(file);
    for (const [version, key] of next.keks) this.keks.set(version, key);
    this.active = next.active;
  }

  /** Fails unless `file` holds this ring's checkpoint key and every KEK unchanged; returns it parsed. */
  checkExtendedBy(file: KeyRingFile): KeyRing {
    const next = KeyRing.parse(JSON.stringify(file));
    const same = next.auditKeyId === this.auditKeyId && [...this.keks].every(([v, k]) => next.keks.get(v)?.equals(k));
    if (!same) throw new LoupeError(ErrorCode.KeyMismatch, 'the key file does not extend the key ring in use: it was changed by hand');
    return next;
  }

  versions(): number[] {
    return [...this.keks.keys()].sort((a, b) => a - b);
  }

  /** One-way fingerprint, so the database can tell a wrong key ring from the right one. */
  fingerprint(version: number): string {
    return createHash('sha256').update('loupe-kek-fingerprint/1').update(this.kek(version)).digest('hex').slice(0, 32);
  }

  wrap(dataKey: Uint8Array, aad: string): WrappedKey {
    return { kekVersion: this.activeVersion, wrapped: seal(this.kek(this.activeVersion), dataKey, aad) };
  }

  unwrap(key: WrappedKey, aad: string): Buffer {
    return unseal(this.kek(key.kekVersion), key.wrapped, aad);
  }

  signCheckpoint(message: string): string {
    return sign(null, Buffer.from(message, 'utf8'), this.signingKey).toString('base64');
  }

  verifyCheckpoint(message: string, signature: string): boolean {
    return verify(null, Buffer.from(message, 'utf8'), this.verifyKey, Buffer.from(signature, 'base64'));
  }

  /** PEM of the checkpoint key, for auditors who verify exports outside Loupe. */
  auditPublicKeyPem(): string {
    return this.verifyKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  private kek(version: number): Buffer {
    const key = this.keks.get(version);
    if (!key) {
      throw new LoupeError(ErrorCode.KeyVersionUnknown, `key-encryption key version ${version} is not in the key ring`);
    }
    return key;
  }
}
