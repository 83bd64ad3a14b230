// The Swift + s3api test server speaks the S3 the blob store uses: plain and
// multipart uploads, listing and aborting open uploads, listing, head, delete.
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startSwiftS3, type S3Server } from './swift-s3.js';

const Bucket = 'loupe-test';

/** Whether any process is left in the group the child led (signal 0 only checks). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Swift with s3api on loopback', () => {
  let server: S3Server;
  let client: S3Client;

  beforeAll(async () => {
    server = await startSwiftS3();
    client = new S3Client(clientConfig(server));
    await client.send(new CreateBucketCommand({ Bucket }));
  });

  afterAll(async () => {
    client?.destroy();
    const pids = server?.pids ?? [];
    for (const pid of pids) expect(groupAlive(pid), `process group ${pid} before stop()`).toBe(true);
    await server?.stop();
    // Every process it started (memcached and the four Swift servers), and anything they forked, is gone.
    expect(pids).toHaveLength(5);
    for (const pid of pids) expect(groupAlive(pid), `process group ${pid}`).toBe(false);
  });

  it('puts and gets an object', async () => {
    const body = randomBytes(1000);
    await client.send(new PutObjectCommand({ Bucket, Key: 'small/one', Body: body }));
    const got = await client.send(new GetObjectCommand({ Bucket, Key: 'small/one' }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
  });

  it('takes a streamed PutObject, but only with request checksums WHEN_REQUIRED', async () => {
    const body = randomBytes(100_000);
    await client.send(new PutObjectCommand({ Bucket, Key: 'small/streamed', Body: Readable.from([body]), ContentLength: body.length }));
    const got = await client.send(new GetObjectCommand({ Bucket, Key: 'small/streamed' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);

    // The SDK's default sends it aws-chunked with a CRC32 trailer, which Swift 2.30 refuses.
    const byDefault = new S3Client({ ...clientConfig(server), requestChecksumCalculation: undefined, responseChecksumValidation: undefined });
    try {
      await expect(
        byDefault.send(new PutObjectCommand({ Bucket, Key: 'small/chunked', Body: Readable.from([body]), ContentLength: body.length })),
      ).rejects.toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
    } finally {
      byDefault.destroy();
    }
  });

  it('lists an open multipart upload with its start, and aborting it takes it away', async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'open/one' }));
    await client.send(new UploadPartCommand({ Bucket, Key: 'open/one', UploadId, PartNumber: 1, Body: randomBytes(1024) }));
    const listed = await client.send(new ListMultipartUploadsCommand({ Bucket }));
    const open = listed.Uploads?.find((u) => u.UploadId === UploadId);
    expect(open?.Key).toBe('open/one');
    expect(open?.Initiated).toBeInstanceOf(Date);
    expect(Math.abs(open!.Initiated!.getTime() - Date.now())).toBeLessThan(5 * 60_000);

    await client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'open/one', UploadId }));
    const after = await client.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(after.Uploads?.some((u) => u.UploadId === UploadId) ?? false).toBe(false);
  });

  it('names a missing key NotFound on HEAD and NoSuchKey on GET', async () => {
    await expect(client.send(new HeadObjectCommand({ Bucket, Key: 'nothing/here' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(client.send(new GetObjectCommand({ Bucket, Key: 'nothing/here' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('lists by prefix with LastModified, heads and deletes', async () => {
    await client.send(new PutObjectCommand({ Bucket, Key: 'listed/a', Body: 'a' }));
    await client.send(new PutObjectCommand({ Bucket, Key: 'listed/b', Body: 'bb' }));
    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'listed/' }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([
      ['listed/a', 1],
      ['listed/b', 2],
    ]);
    for (const o of listed.Contents!) expect(o.LastModified).toBeInstanceOf(Date);

    const head = await client.send(new HeadObjectCommand({ Bucket, Key: 'listed/b' }));
    expect(head.ContentLength).toBe(2);
    await client.send(new DeleteObjectCommand({ Bucket, Key: 'listed/b' }));
    await expect(client.send(new HeadObjectCommand({ Bucket, Key: 'listed/b' }))).rejects.toMatchObject({ name: 'NotFound' });
  });
});
