// The S3 blob store against a real S3-compatible server on loopback
// (OpenStack Swift's S3 API, from Debian's packages), reached through a proxy
// that can fail mid-upload. What a privacy officer and an operator would
// check: the store holds ciphertext under random keys and nothing else, a
// failed or crashed upload leaves no object and no open upload, and the
// debris sweep takes only what no live blob needs.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { sweepBlobDebris } from '../../src/storage/blob-debris.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { startCuttingProxy, type CuttingProxy } from '../support/cutting-proxy.js';
import { createTestAsset, createTestStorage, type TestStorage } from '../support/storage.js';
import { clientConfig, startSwiftS3, type S3Server } from '../support/swift-s3.js';

const actor = { type: 'user' as const, id: 'U0001' };
const MiB = 1024 * 1024;
const BUCKET = 'loupe-test';
const PREFIX = 'loupe/blobs/';
const MARKER = 'ZEBEDEE-QUINTUS-MARLOWE-4471 ';
const HOUR = 60 * 60_000;

/** `bytes` of plaintext naming a patient, in 1 MiB chunks. */
function patientBytes(bytes: number): Buffer {
  return Buffer.from(MARKER.repeat(Math.ceil(bytes / MARKER.length))).subarray(0, bytes);
}
const chunked = (b: Buffer) => Readable.from(Array.from({ length: Math.ceil(b.length / MiB) }, (_, i) => b.subarray(i * MiB, (i + 1) * MiB)));

describe('the S3 blob store on a real S3-compatible server (Swift with s3api)', () => {
  let server: S3Server;
  let proxy: CuttingProxy;
  let raw: S3Client;
  let s: TestStorage;

  beforeAll(async () => {
    server = await startSwiftS3();
    const credentials = { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
    raw = new S3Client(clientConfig(server));
    await raw.send(new CreateBucketCommand({ Bucket: BUCKET }));
    proxy = await startCuttingProxy(new URL(server.endpoint));
    const store = new S3BlobStore({ kind: 's3', endpoint: proxy.url, region: server.region, bucket: BUCKET, prefix: PREFIX, credentials, forcePathStyle: true });
    s = await createTestStorage('postgres', { blobStore: store, maxBlobBytes: 256 * MiB });
  });
  afterAll(async () => {
    await s?.cleanup();
    raw?.destroy();
    await proxy?.close();
    await server?.stop();
  });

  const objects = async (prefix = PREFIX) => (await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? [];
  const openUploads = async () => (await raw.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: PREFIX }))).Uploads ?? [];
  const storageKey = async (blobId: string) => (await s.db.prisma.blob.findUniqueOrThrow({ where: { id: blobId } })).storageKey;

  it('stores a 20 MB body in parts as ciphertext under a random key with no metadata, reads back the exact bytes, and deletes it when shredded', async () => {
    const { assetId } = await createTestAsset(s);
    const plain = patientBytes(20 * MiB);
    const stored = await s.blobs.put({ assetId, kind: 'original', mediaType: 'application/dicom', body: chunked(plain), actor });
    const key = await storageKey(stored.id);
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect((await objects()).map((o) => o.Key)).toEqual([PREFIX + key]);
    const head = await raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: PREFIX + key }));
    expect(head.Metadata).toEqual({});
    expect(BigInt(head.ContentLength!)).toBe(stored.ciphertextSize);
    // A multipart object's ETag ends in its part count: 20 MB went as three 8 MiB parts, never as one buffer.
    expect(head.ETag).toMatch(/-3"$/);
    const atRest = Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: PREFIX + key }))).Body!.transformToByteArray());
    expect(atRest.includes(Buffer.from('ZEBEDEE'))).toBe(false);
    expect(createHash('sha256').update(atRest).digest('hex')).toBe((await s.db.prisma.blob.findUniqueOrThrow({ where: { id: stored.id } })).ciphertextSha256);
    expect((await buffer(await s.blobs.open(stored.id, actor))).equals(plain)).toBe(true);

    await s.blobs.shredAsset(assetId, actor, 'test');
    expect(await objects()).toEqual([]);
  });

  it('when the server fails mid-upload: the store fails, no object and no open upload are left, no blob is recorded; then it works again', async () => {
    const { assetId } = await createTestAsset(s);
    const rows = await s.db.prisma.blob.count();
    // Every request carrying more than 3 MiB is cut: each 8 MiB part, on every retry; the abort still gets through.
    proxy.cutAfter(3 * MiB);
    const cutsBefore = proxy.cuts;
    const failed = await s.blobs.put({ assetId, kind: 'original', mediaType: 'application/dicom', body: chunked(patientBytes(20 * MiB)), actor }).catch((e: unknown) => e);
    proxy.cutAfter(undefined);
    expect(failed).toBeInstanceOf(Error);
    expect(proxy.cuts).toBeGreaterThan(cutsBefore);
    expect(await objects()).toEqual([]);
    expect(await openUploads()).toEqual([]);
    expect(await s.db.prisma.blob.count()).toBe(rows);

    const again = await s.blobs.put({ assetId, kind: 'original', mediaType: 'application/dicom', body: chunked(patientBytes(9 * MiB)), actor });
    expect((await buffer(await s.blobs.open(again.id, actor))).length).toBe(9 * MiB);
    await s.blobs.shredAsset(assetId, actor, 'test');
  });

  it('when the upload itself fails midway (its source breaks after a part was sent): no object and no open upload are left', async () => {
    const { assetId } = await createTestAsset(s);
    const rows = await s.db.prisma.blob.count();
    const breaking = Readable.from(
      (async function* () {
        for (let i = 0; i < 12; i++) yield patientBytes(MiB);
        throw new Error('the chat platform closed the download');
      })(),
    );
    await expect(s.blobs.put({ assetId, kind: 'original', mediaType: 'application/dicom', body: breaking, actor })).rejects.toThrow(/closed the download/);
    expect(await objects()).toEqual([]);
    expect(await openUploads()).toEqual([]);
    expect(await s.db.prisma.blob.count()).toBe(rows);
  });

  it('aborts a multipart upload a crash left open once it is a day old, and keeps a younger one (it may still be going)', async () => {
    const Key = PREFIX + randomBytes(20).toString('hex');
    const { UploadId } = await raw.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
    await raw.send(new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: 1, Body: randomBytes(4096) }));
    const keepAll = async (keys: string[]) => new Set(keys);
    // The debris sweep's hour of grace, from a clock 22 hours on: not yet.
    expect(await s.blobStore.sweepDebris(new Date(Date.now() + 21 * HOUR), keepAll)).toEqual({ unfinished: 0, orphans: 0 });
    expect((await openUploads()).map((u) => u.UploadId)).toEqual([UploadId]);
    expect(await s.blobStore.sweepDebris(new Date(Date.now() + 25 * HOUR), keepAll)).toEqual({ unfinished: 1, orphans: 0 });
    expect(await openUploads()).toEqual([]);
  });

  it('sweeps bodies without a live row and old probes, keeps live blobs, and touches nothing that is not a body Loupe wrote', async () => {
    const { assetId } = await createTestAsset(s);
    const live = await s.blobs.put({ assetId, kind: 'original', mediaType: 'image/jpeg', body: Readable.from([Buffer.from('wound photo')]), actor });
    const orphan = randomBytes(20).toString('hex');
    await s.blobStore.put(orphan, Readable.from([randomBytes(1000)]));
    await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}.probe-0a1b2c3d4e5f`, Body: 'x' }));
    await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'elsewhere/report.pdf', Body: 'not Loupe’s' }));
    await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}README`, Body: 'not a blob key' }));
    // Another program's object that a blob key could name, but not one Loupe makes.
    await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}backup-2026-11-30`, Body: 'not Loupe’s' }));
    // Now: a body without its row is normal for the moment before its transaction commits.
    expect(await sweepBlobDebris({ db: s.db, blobStore: s.blobStore, audit: s.audit, clock: { now: () => new Date() } })).toEqual({ unfinished: 0, orphans: 0 });
    expect(await s.blobStore.exists(orphan)).toBe(true);
    // More than a day on (S3 dates a multipart body from its upload's start), everything there is old.
    const later = { now: () => new Date(Date.now() + 26 * HOUR) };
    const counts = await sweepBlobDebris({ db: s.db, blobStore: s.blobStore, audit: s.audit, clock: later });
    expect(counts).toEqual({ unfinished: 1, orphans: 1 });
    expect((await objects()).map((o) => o.Key).sort()).toEqual([`${PREFIX}README`, `${PREFIX}backup-2026-11-30`, PREFIX + (await storageKey(live.id))].sort());
    expect((await objects('elsewhere/')).length).toBe(1);
    expect((await buffer(await s.blobs.open(live.id, actor))).toString()).toBe('wound photo');
    await s.blobs.shredAsset(assetId, actor, 'test');
  });

  it('says a missing body is missing, refuses a key that is not a blob key, and probes without leaving anything', async () => {
    const key = randomBytes(20).toString('hex');
    const missing = await s.blobStore.get(key).catch((e: unknown) => e);
    expect(isLoupeError(missing) && missing.code).toBe('LOUPE_BLOB_NOT_FOUND');
    expect(await s.blobStore.exists(key)).toBe(false);
    await s.blobStore.put(key, Readable.from([Buffer.from('x')]));
    expect(await s.blobStore.exists(key)).toBe(true);
    await s.blobStore.delete(key);
    expect(await s.blobStore.exists(key)).toBe(false);
    const hostile = await s.blobStore.get('../elsewhere/report.pdf').catch((e: unknown) => e);
    expect(isLoupeError(hostile) && hostile.code).toBe('LOUPE_INVALID_INPUT');
    const before = (await objects()).length;
    await s.blobStore.probe();
    expect((await objects()).length).toBe(before);
  });

  it('fails, rather than waits forever, when the store stops answering', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const store = new S3BlobStore({
      kind: 's3',
      endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      region: server.region,
      bucket: BUCKET,
      prefix: PREFIX,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      forcePathStyle: true,
      requestTimeoutMs: 1000,
    });
    try {
      await expect(store.probe()).rejects.toThrow();
      await expect(store.put(randomBytes(20).toString('hex'), Readable.from([randomBytes(1000)]))).rejects.toThrow();
    } finally {
      store.close();
      silent.close();
    }
  });
});
