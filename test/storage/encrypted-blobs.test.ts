import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { KeyRing } from '../../src/crypto/keyring.js';
import { syncKeyVersions } from '../../src/storage/key-versions.js';
import { createTestAsset, createTestStorage, type TestStorage } from '../support/storage.js';
import { testEngines } from '../support/engines.js';
import { until } from '../support/until.js';

const actor = { type: 'user' as const, id: 'U0001' };

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

async function storagePath(s: TestStorage, blobId: string): Promise<string> {
  const { storageKey } = await s.db.prisma.blob.findUniqueOrThrow({ where: { id: blobId } });
  return join(s.blobDir, storageKey.slice(0, 2), storageKey.slice(2, 4), storageKey);
}

describe.each(testEngines())('encrypted blob store on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine);
  });
  afterAll(async () => s.cleanup());

  it('stores ciphertext and reads back the exact bytes, auditing both', async () => {
    const { assetId } = await createTestAsset(s);
    const plain = randomBytes(700_000);
    const stored = await s.blobs.put({ assetId, kind: 'original', mediaType: 'image/jpeg', body: Readable.from([plain]), actor });
    expect(stored.plaintextSize).toBe(700_000n);
    const onDisk = await readFile(await storagePath(s, stored.id));
    expect(onDisk.includes(plain.subarray(1000, 1064))).toBe(false);
    const row = await s.db.prisma.blob.findUniqueOrThrow({ where: { id: stored.id } });
    expect(row.ciphertextSha256).toBe(createHash('sha256').update(onDisk).digest('hex'));
    expect((await buffer(await s.blobs.open(stored.id, actor))).equals(plain)).toBe(true);
    const actions = (await s.db.prisma.auditEvent.findMany({ where: { assetId }, orderBy: { seq: 'asc' } })).map((e) => e.action);
    expect(actions).toEqual(['blob.stored', 'blob.read']);
  });

  it('leaves no plaintext patient data anywhere in the data folder', async () => {
    const { workspaceId, assetId } = await createTestAsset(s, 'T-GREP');
    const marker = 'ZEBEDEE-QUINTUS-MARLOWE-4471';
    await s.patients.link(
      workspaceId,
      { identifier: 'MRN-99817263', issuer: 'urn:oid:1.2.3.4', name: 'Quintus-Marlowe^Zebedee', birthDate: '19411107', sex: 'M' },
      actor,
    );
    const body = Buffer.from(`${marker} `.repeat(20_000));
    await s.blobs.put({ assetId, kind: 'original', mediaType: 'text/plain', body: Readable.from([body]), actor });
    // Flush PGlite's pages to its files before looking at them.
    await s.db.prisma.$executeRawUnsafe('CHECKPOINT');
    const needles = [marker, 'MRN-99817263', 'Quintus-Marlowe', '19411107'].map((n) => Buffer.from(n));
    const files = await filesUnder(s.dir);
    let controlSeen = false;
    for (const file of files) {
      const bytes = await readFile(file);
      for (const needle of needles) expect(bytes.includes(needle), `${needle} in ${file}`).toBe(false);
      // Positive control: the workspace name is stored in clear, so the scan must see it.
      controlSeen ||= bytes.includes(Buffer.from('Test Hospital'));
    }
    expect(controlSeen).toBe(engine === 'pglite');
    const readBack = await s.patients.read(
      (await s.db.prisma.patient.findFirstOrThrow({ where: { workspaceId } })).id,
      actor,
      'test',
    );
    expect(readBack.name).toBe('Quintus-Marlowe^Zebedee');
  });

  it('finds the same patient again by identifier without storing it', async () => {
    const { workspaceId } = await createTestAsset(s, 'T-LINK');
    const p = { identifier: '123', issuer: 'urn:oid:9' };
    const a = await s.patients.link(workspaceId, p, actor);
    expect(await s.patients.link(workspaceId, p, actor)).toBe(a);
    expect(await s.patients.link(workspaceId, { ...p, issuer: 'urn:oid:10' }, actor)).not.toBe(a);
  });

  it('refuses a swapped or truncated blob with a clear error', async () => {
    const one = await createTestAsset(s);
    const two = await createTestAsset(s);
    const a = await s.blobs.put({ ...one, kind: 'original', mediaType: 'image/png', body: Readable.from([randomBytes(5000)]), actor });
    const b = await s.blobs.put({ ...two, kind: 'original', mediaType: 'image/png', body: Readable.from([randomBytes(600_000)]), actor });
    await copyFile(await storagePath(s, a.id), await storagePath(s, b.id));
    await expect(buffer(await s.blobs.open(b.id, actor))).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_BLOB_AUTH_FAILED'));

    const c = await s.blobs.put({ ...one, kind: 'preview', mediaType: 'image/png', body: Readable.from([randomBytes(600_000)]), actor });
    const path = await storagePath(s, c.id);
    const whole = await readFile(path);
    await writeFile(path, whole.subarray(0, 262_144 + 16 + 13));
    await expect(buffer(await s.blobs.open(c.id, actor))).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_BLOB_AUTH_FAILED'));
  });

  it('closes the blob file when a reader stops early or decryption fails', async () => {
    const { assetId } = await createTestAsset(s);
    const stored = await s.blobs.put({ assetId, kind: 'original', mediaType: 'image/png', body: Readable.from([randomBytes(3_000_000)]), actor });
    const path = await storagePath(s, stored.id);
    const openFds = async () => {
      const fds = await readdir('/proc/self/fd');
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((t) => t === path).length;
    };
    const stream = await s.blobs.open(stored.id, actor);
    await new Promise((resolve) => stream.once('data', resolve));
    stream.destroy();
    // Closing is asynchronous: polled rather than slept on, with a deadline short enough that only a close, not a collected leak, passes.
    await until('the blob file closed', async () => (await openFds()) === 0, 5_000);

    const whole = await readFile(path);
    whole[whole.length - 5]! ^= 1;
    await writeFile(path, whole);
    await expect(buffer(await s.blobs.open(stored.id, actor))).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_BLOB_AUTH_FAILED'));
    await until('the blob file closed', async () => (await openFds()) === 0, 5_000);
  });

  it('refuses a blob over the size limit and leaves no file behind', async () => {
    const small = await createTestStorage(engine, { maxBlobBytes: 1_000_000 });
    try {
      const { assetId } = await createTestAsset(small);
      await mkdir(small.blobDir, { recursive: true });
      // Several chunks are written before the limit is reached.
      const pieces = Array.from({ length: 12 }, () => randomBytes(256 * 1024));
      await expect(
        small.blobs.put({ assetId, kind: 'original', mediaType: 'image/png', body: Readable.from(pieces), actor }),
      ).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_BLOB_TOO_LARGE'));
      expect(await filesUnder(small.blobDir)).toEqual([]);
      expect(await small.db.prisma.blob.count()).toBe(0);
    } finally {
      await small.cleanup();
    }
  });

  it('crypto-shreds an asset: its blobs, and every copy of them, become unreadable', async () => {
    const { assetId } = await createTestAsset(s);
    const stored = await s.blobs.put({ assetId, kind: 'original', mediaType: 'image/png', body: Readable.from([randomBytes(4000)]), actor });
    const path = await storagePath(s, stored.id);
    const backup = join(s.dir, 'backup-copy');
    await copyFile(path, backup);
    const wrappedBefore = (await s.db.prisma.dataKey.findFirstOrThrow({ where: { assetId } })).wrapped!;
    expect(await s.blobs.shredAsset(assetId, actor, 'patient request')).toEqual({ shredded: true, dataKeys: 1 });
    expect(await s.blobs.shredAsset(assetId, actor, 'patient request')).toEqual({ shredded: false, dataKeys: 0 });
    await expect(s.blobs.open(stored.id, actor)).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_BLOB_SHREDDED'));
    // The only key that opens the copy is gone from the database, and the body from the store.
    expect(await s.db.prisma.dataKey.count({ where: { assetId, wrapped: { not: null } } })).toBe(0);
    const everyKey = await s.db.prisma.dataKey.findMany({ where: { wrapped: { not: null } } });
    expect(everyKey.some((k) => Buffer.from(k.wrapped!).equals(Buffer.from(wrappedBefore)))).toBe(false);
    expect(await s.blobStore.exists((await s.db.prisma.blob.findUniqueOrThrow({ where: { id: stored.id } })).storageKey)).toBe(false);
    const asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId } });
    expect(asset.status).toBe('shredded');
    // Nothing can be added to it afterwards, and a later key rotation leaves its key destroyed.
    await expect(
      s.blobs.put({ assetId, kind: 'preview', mediaType: 'image/png', body: Readable.from([randomBytes(10)]), actor }),
    ).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_ASSET_SHREDDED'));
    const rotated = await rotateRing(s);
    await rotated.dataKeys.rewrapAll(s.db, s.audit, () => new Date());
    expect(await s.db.prisma.dataKey.count({ where: { assetId, wrapped: { not: null } } })).toBe(0);
    expect(await filesUnder(join(s.blobDir))).not.toContain(path);
  });

  it('refuses to shred an asset under legal hold', async () => {
    const { assetId } = await createTestAsset(s);
    await s.blobs.put({ assetId, kind: 'original', mediaType: 'image/png', body: Readable.from([randomBytes(100)]), actor });
    await s.legalHolds.place((await s.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId } })).workspaceId, { scope: 'asset', targetId: assetId }, 'Matter 2026-14', actor);
    await expect(s.blobs.shredAsset(assetId, actor, 'retention')).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_LEGAL_HOLD'));
    expect(await s.db.prisma.dataKey.count({ where: { assetId, wrapped: { not: null } } })).toBe(1);
  });

  it('rotates the key-encryption key by re-wrapping data keys, without rewriting blob bodies', async () => {
    const { assetId } = await createTestAsset(s);
    const plain = randomBytes(10_000);
    const stored = await s.blobs.put({ assetId, kind: 'original', mediaType: 'image/png', body: Readable.from([plain]), actor });
    const path = await storagePath(s, stored.id);
    const before = { bytes: await readFile(path), mtime: (await stat(path)).mtimeMs };
    const keyBefore = await s.db.prisma.dataKey.findFirstOrThrow({ where: { assetId } });

    const rotated = await rotateRing(s);
    const count = await rotated.dataKeys.rewrapAll(s.db, s.audit, () => new Date());
    expect(count).toBeGreaterThan(0);
    const keyAfter = await s.db.prisma.dataKey.findFirstOrThrow({ where: { assetId } });
    expect(keyAfter.kekVersion).toBe(2);
    expect(Buffer.from(keyAfter.wrapped!).equals(Buffer.from(keyBefore.wrapped!))).toBe(false);
    expect((await readFile(path)).equals(before.bytes)).toBe(true);
    expect((await stat(path)).mtimeMs).toBe(before.mtime);
    expect((await buffer(await rotated.blobs.open(stored.id, actor))).equals(plain)).toBe(true);
    expect(await rotated.dataKeys.rewrapAll(s.db, s.audit, () => new Date())).toBe(0);
  });

  it('reports the data keys it re-wrapped, not the ones it found: two racing rotations add up to the keys there were', async () => {
    for (let i = 0; i < 6; i++) {
      const { assetId } = await createTestAsset(s);
      await s.blobs.put({ assetId, kind: 'original', mediaType: 'image/png', body: Readable.from([randomBytes(100)]), actor });
    }
    const old = await s.db.prisma.dataKey.count({ where: { kekVersion: 1, wrapped: { not: null } } });
    const rotated = await rotateRing(s);
    const [a, b] = await Promise.all([1, 2].map(() => rotated.dataKeys.rewrapAll(s.db, s.audit, () => new Date(), 2)));
    expect(a! + b!).toBe(old);
    expect(await s.db.prisma.dataKey.count({ where: { kekVersion: 1, wrapped: { not: null } } })).toBe(0);
  });
});

const rotatedStorages = new WeakMap<TestStorage, Awaited<ReturnType<typeof makeRotated>>>();

/** The same storage with a key ring that gained version 2 (made once per storage). */
async function rotateRing(s: TestStorage) {
  const known = rotatedStorages.get(s);
  if (known) return known;
  const made = await makeRotated(s);
  rotatedStorages.set(s, made);
  return made;
}

async function makeRotated(s: TestStorage) {
  const { createStorage } = await import('../../src/storage/services.js');
  const { FolderBlobStore } = await import('../../src/storage/folder-blob-store.js');
  // The same key file with a new version, as `loupe keys rotate` writes it.
  const ring = KeyRing.parse(JSON.stringify(KeyRing.withNewKek(s.keyFile, new Date())));
  await syncKeyVersions(s.db, ring);
  return createStorage({
    db: s.db,
    keyRing: ring,
    clock: { now: () => new Date() },
    blobStore: new FolderBlobStore(s.blobDir),
    checkpointInterval: 10,
    maxBlobBytes: 1 << 26,
  });
}
