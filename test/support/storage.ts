import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/core/clock.js';
import { KeyRing, type KeyRingFile } from '../../src/crypto/keyring.js';
import type { Engine } from '../../src/storage/database.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { FolderBlobStore } from '../../src/storage/folder-blob-store.js';
import { syncKeyVersions } from '../../src/storage/key-versions.js';
import { createStorage, type Storage } from '../../src/storage/services.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestStorage extends Storage {
  keyRing: KeyRing;
  keyFile: KeyRingFile;
  dir: string;
  blobDir: string;
  testDb: TestDatabase;
  cleanup(): Promise<void>;
}


/** The storage layer on a fresh database; PGlite keeps its files under `dir` so tests can inspect them. */
export async function createTestStorage(
  engine: Engine,
  options: { clock?: Clock; checkpointInterval?: number; maxBlobBytes?: number; blobStore?: BlobStore } = {},
): Promise<TestStorage> {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-storage-'));
  const testDb = await createTestDatabase(engine, { dataDir: join(dir, 'db') });
  const keyFile = KeyRing.generateFile(new Date());
  const keyRing = KeyRing.parse(JSON.stringify(keyFile));
  await syncKeyVersions(testDb.db, keyRing);
  const blobDir = join(dir, 'blobs');
  const storage = createStorage({
    db: testDb.db,
    keyRing,
    clock: options.clock ?? { now: () => new Date() },
    blobStore: options.blobStore ?? new FolderBlobStore(blobDir),
    checkpointInterval: options.checkpointInterval ?? 10,
    maxBlobBytes: options.maxBlobBytes ?? 64 * 1024 * 1024,
  });
  return {
    ...storage,
    keyRing,
    keyFile,
    dir,
    blobDir,
    testDb,
    cleanup: async () => {
      storage.blobStore.close();
      await testDb.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A workspace, a consult-less asset and its id, ready for blobs. */
export async function createTestAsset(s: Storage, workspaceExternalId = 'T0001'): Promise<{ workspaceId: string; assetId: string }> {
  const ws = await s.workspaces.ensure('slack', workspaceExternalId, 'Test Hospital', { type: 'system', id: 'test' });
  const asset = await s.db.prisma.asset.create({
    data: { workspaceId: ws.id, uploaderId: 'U0001', kind: 'photo', sourceRef: `F${Math.random().toString(36).slice(2)}` },
  });
  return { workspaceId: ws.id, assetId: asset.id };
}
