// Ties the database to its key ring: every KEK version is recorded with a
// fingerprint, so starting with the wrong keys fails loudly instead of
// wrapping new data under keys nobody will have later.
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { KeyRing } from '../crypto/keyring.js';
import type { Database } from './database.js';
import { isUniqueViolation } from './unique.js';

const mismatch = (version: number) => new LoupeError(ErrorCode.KeyMismatch, `key-encryption key version ${version} is not the one this database was written with`);

export async function syncKeyVersions(db: Database, ring: KeyRing): Promise<void> {
  const known = new Map((await db.prisma.keyVersion.findMany()).map((k) => [k.version, k.fingerprint]));
  for (const version of ring.versions()) {
    const fingerprint = ring.fingerprint(version);
    const recorded = known.get(version);
    if (recorded === undefined) {
      await db.prisma.keyVersion.create({ data: { version, fingerprint } }).catch(async (error: unknown) => {
        // Another instance starting at the same moment recorded it first: it must be the same key.
        if (!isUniqueViolation(error)) throw error;
        const theirs = await db.prisma.keyVersion.findUniqueOrThrow({ where: { version } });
        if (theirs.fingerprint !== fingerprint) throw mismatch(version);
      });
    } else if (recorded !== fingerprint) {
      throw mismatch(version);
    }
  }
  await checkKeysCover(db, ring);
}

/** Fails when live data keys are wrapped by a KEK version the ring does not hold. */
export async function checkKeysCover(db: Database, ring: KeyRing): Promise<void> {
  const inUse = await db.prisma.dataKey.groupBy({ by: ['kekVersion'], where: { wrapped: { not: null } } });
  const held = new Set(ring.versions());
  const missing = inUse.map((g) => g.kekVersion).filter((v) => !held.has(v));
  if (missing.length) {
    throw new LoupeError(ErrorCode.KeyVersionUnknown, `key ring lacks key-encryption key version(s) ${missing.join(', ')}`);
  }
}

/** True when the database has never held a key version: a new key ring cannot lock any data away. */
export async function noKeysYet(db: Database): Promise<boolean> {
  return (await db.prisma.keyVersion.count()) === 0;
}
