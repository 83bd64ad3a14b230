// Loupe's own multipart upload (the S3 store's put) against a real
// S3-compatible server (Swift with s3api, from Debian's packages), at the
// boundaries where a hand-written part loop goes wrong: an empty body, a body
// of exactly one or two parts, one byte over, chunks larger than a part.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadInParts, type PartsPlan } from '../../src/storage/s3-multipart.js';
import { clientConfig, startSwiftS3, type S3Server } from '../support/swift-s3.js';

const MiB = 1024 * 1024;
const Bucket = 'loupe-parts';
// S3's smallest part (and Swift's): every part but the last must be at least this.
const PLAN: PartsPlan = { partBytes: 5 * MiB, inFlight: 2 };

/** `body` as a stream of `chunk`-byte pieces. */
const inChunks = (body: Buffer, chunk: number) =>
  Readable.from(Array.from({ length: Math.ceil(body.length / chunk) }, (_, i) => body.subarray(i * chunk, (i + 1) * chunk)));

describe('uploadInParts on a real S3-compatible server', () => {
  let server: S3Server;
  let client: S3Client;
  let sendingNow = 0;
  let mostSendingAtOnce = 0;
  /** A part the store refuses (after 20 ms), as a store answering 500 on every retry would. */
  let refusedPart = 0;

  beforeAll(async () => {
    server = await startSwiftS3();
    client = new S3Client(clientConfig(server));
    await client.send(new CreateBucketCommand({ Bucket }));
    // Counts parts on their way, to check the plan's limit is kept.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'UploadPartCommand') return next(args);
        mostSendingAtOnce = Math.max(mostSendingAtOnce, ++sendingNow);
        try {
          return await next(args);
        } finally {
          sendingNow--;
        }
      },
      { step: 'initialize' },
    );
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'UploadPartCommand' || (args.input as { PartNumber?: number }).PartNumber !== refusedPart) return next(args);
        await new Promise((r) => setTimeout(r, 20));
        throw Object.assign(new Error(`the store refused part ${refusedPart}`), { name: 'InternalError' });
      },
      { step: 'initialize' },
    );
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  const openUploads = async () => (await client.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? [];
  const read = async (Key: string) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray());

  const cases: [string, number, number, string][] = [
    // name, body bytes, chunk bytes, the object's ETag ending: a plain PUT has no part count, a multipart object ends in "-parts".
    ['an empty body', 0, MiB, '[0-9a-f]"'],
    ['one byte', 1, MiB, '[0-9a-f]"'],
    ['exactly one part', 5 * MiB, MiB, '[0-9a-f]"'],
    ['one byte over one part', 5 * MiB + 1, MiB, '-2"'],
    ['exactly two parts', 10 * MiB, MiB, '-2"'],
    ['four parts in odd chunks', 17 * MiB + 3, 700_001, '-4"'],
    ['one chunk larger than two parts', 12 * MiB, 12 * MiB, '-3"'],
  ];

  for (const [name, bytes, chunk, etag] of cases) {
    it(`stores ${name} whole (${bytes} bytes in ${chunk}-byte chunks)`, async () => {
      const body = randomBytes(bytes);
      const Key = `case/${bytes}-${chunk}`;
      const written = await uploadInParts(client, { Bucket, Key }, inChunks(body, chunk), PLAN, new AbortController().signal);
      expect(written).toBe(bytes);
      const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
      expect(head.ContentLength).toBe(bytes);
      expect(head.ETag).toMatch(new RegExp(`${etag}$`));
      expect((await read(Key)).equals(body)).toBe(true);
      expect(await openUploads()).toEqual([]);
    });
  }

  it('never has more parts on their way than the plan allows', async () => {
    mostSendingAtOnce = 0;
    const body = randomBytes(31 * MiB);
    await uploadInParts(client, { Bucket, Key: 'limit/one' }, inChunks(body, 256 * 1024), PLAN, new AbortController().signal);
    expect(mostSendingAtOnce).toBeGreaterThan(0);
    expect(mostSendingAtOnce).toBeLessThanOrEqual(PLAN.inFlight);
    expect((await read('limit/one')).equals(body)).toBe(true);
  });

  it('when abandoned half-way (its deadline passed): fails, leaves no object and no open upload, and stops reading its source', async () => {
    const deadline = new AbortController();
    let pulled = 0;
    const source = Readable.from(
      (async function* () {
        for (let i = 0; i < 40; i++) {
          // Abandoned once three parts' worth has been read: parts have been sent by then.
          if (pulled === 15 * MiB) deadline.abort();
          pulled += MiB;
          yield randomBytes(MiB);
        }
      })(),
    );
    await expect(uploadInParts(client, { Bucket, Key: 'abandoned/one' }, source, PLAN, deadline.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(await openUploads()).toEqual([]);
    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'abandoned/' }));
    expect(listed.Contents ?? []).toEqual([]);
    expect(pulled).toBeLessThan(40 * MiB);
    expect(source.destroyed).toBe(true);
  });

  it('fails when one part fails while the next is still arriving, and leaves no object short of that part', async () => {
    // A sender slower than the store (a 256 KiB chunk every 5 ms): part 1 fails while part 2 fills.
    const body = randomBytes(15 * MiB);
    const slow = Readable.from(
      (async function* () {
        for (let at = 0; at < body.length; at += 256 * 1024) {
          await new Promise((r) => setTimeout(r, 5));
          yield body.subarray(at, at + 256 * 1024);
        }
      })(),
    );
    refusedPart = 1;
    try {
      await expect(uploadInParts(client, { Bucket, Key: 'refused/one' }, slow, PLAN, new AbortController().signal)).rejects.toThrow('the store refused part 1');
    } finally {
      refusedPart = 0;
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'refused/' }));
    expect(listed.Contents ?? []).toEqual([]);
    expect(await openUploads()).toEqual([]);
    expect(slow.destroyed).toBe(true);
  });

  it('when abandoned while its sender has stalled: fails at once, ends the sender\'s stream and leaves no open upload', async () => {
    const deadline = new AbortController();
    let sent = 0;
    // Seven MiB, then nothing more (the sender stalls, the stream stays open).
    const stalled = new Readable({
      read() {
        if (sent < 7) {
          sent++;
          this.push(randomBytes(MiB));
          if (sent === 7) setImmediate(() => deadline.abort());
        }
      },
    });
    await expect(uploadInParts(client, { Bucket, Key: 'stalled/one' }, stalled, PLAN, deadline.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(stalled.destroyed).toBe(true);
    expect(await openUploads()).toEqual([]);
  });
});
