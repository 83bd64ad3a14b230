import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { KeyRing } from '../../src/crypto/keyring.js';

const fresh = () => KeyRing.generateFile(new Date('2026-01-01T00:00:00Z'));

describe('key ring', () => {
  it('wraps data keys under the active version and unwraps them with the same associated data only', () => {
    const ring = KeyRing.parse(JSON.stringify(fresh()));
    const dataKey = randomBytes(32);
    const wrapped = ring.wrap(dataKey, 'dk-1');
    expect(wrapped.kekVersion).toBe(1);
    expect(Buffer.from(wrapped.wrapped).includes(dataKey)).toBe(false);
    expect(ring.unwrap(wrapped, 'dk-1').equals(dataKey)).toBe(true);
    expect(() => ring.unwrap(wrapped, 'dk-2')).toThrow(expect.objectContaining({ code: 'LOUPE_UNWRAP_FAILED' }));
  });

  it('keeps old versions readable after a new key is added', () => {
    const file = fresh();
    const v1 = KeyRing.parse(JSON.stringify(file));
    const wrapped = v1.wrap(Buffer.alloc(32, 7), 'x');
    const v2 = KeyRing.parse(JSON.stringify(KeyRing.withNewKek(file, new Date())));
    expect(v2.activeVersion).toBe(2);
    expect(v2.versions()).toEqual([1, 2]);
    expect(v2.unwrap(wrapped, 'x').equals(Buffer.alloc(32, 7))).toBe(true);
    expect(v2.wrap(Buffer.alloc(32), 'y').kekVersion).toBe(2);
    expect(v2.fingerprint(1)).toBe(v1.fingerprint(1));
    expect(v2.fingerprint(2)).not.toBe(v2.fingerprint(1));
  });

  it('names an unknown key version', () => {
    const ring = KeyRing.parse(JSON.stringify(fresh()));
    expect(() => ring.unwrap({ kekVersion: 9, wrapped: new Uint8Array(60) }, 'x')).toThrow(/version 9/);
  });

  it('signs and verifies audit checkpoints', () => {
    const ring = KeyRing.parse(JSON.stringify(fresh()));
    const other = KeyRing.parse(JSON.stringify(fresh()));
    const sig = ring.signCheckpoint('head');
    expect(ring.verifyCheckpoint('head', sig)).toBe(true);
    expect(ring.verifyCheckpoint('head2', sig)).toBe(false);
    expect(other.verifyCheckpoint('head', sig)).toBe(false);
    expect(ring.auditPublicKeyPem()).toMatch(/BEGIN PUBLIC KEY/);
  });

  it.each([
    ['not JSON', 'nope'],
    ['a short key', JSON.stringify({ ...fresh(), keks: [{ version: 1, key: 'AAAA', createdAt: 'x' }] })],
    ['an active version without key', JSON.stringify({ ...fresh(), activeVersion: 3 })],
    ['a bad signing key', JSON.stringify({ ...fresh(), auditSigningKey: 'AAAA' })],
  ])('rejects %s with a clear error that quotes no key material', (_label, json) => {
    try {
      KeyRing.parse(json);
      expect.unreachable();
    } catch (error) {
      expect(isLoupeError(error, 'LOUPE_KEYS_INVALID')).toBe(true);
      expect((error as Error).message).not.toMatch(/[A-Za-z0-9+/]{40,}/);
    }
  });
});
