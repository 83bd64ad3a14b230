// Blob bodies in an S3-compatible object store (AWS S3, or a hospital's own:
// Swift, Ceph, MinIO), for several Loupe instances sharing one store. The
// store sees what the folder store sees: ciphertext under random keys, with
// no metadata of Loupe's. A body is written with one PutObject or one
// multipart upload, and an object appears only when either completes, so no
// partial body is ever visible under a key; a failed multipart upload is
// aborted, and one a crash left open is aborted by the debris sweep.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { BLOB_KEY_PATTERN, type BlobStore, type DebrisCounts } from './blob-store.js';
import { uploadInParts, type PartsPlan } from './s3-multipart.js';

export interface S3StoreConfig {
  kind: 's3';
  /** Unset: AWS's own endpoint for the region. */
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** Put before every key ('' or ending in '/'), so Loupe can share a bucket with nothing else of its own. */
  prefix: string;
  /** Unset: the SDK's default chain (environment, web identity, instance or task role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Path-style URLs (bucket in the path), as most on-premises stores need. */
  forcePathStyle: boolean;
  /** How long one request may go unanswered (default two minutes). */
  requestTimeoutMs?: number;
}

/**
 * Multipart parts of 8 MiB, two in flight: a body in progress holds three
 * 8 MiB buffers whatever its size (two parts on their way, the next being
 * filled; a body under one part holds only what it needs). 10 000 parts (S3's limit)
 * of 8 MiB reach 78 GiB: LOUPE_MAX_BLOB_BYTES is held below that (MAX_S3_BLOB_BYTES).
 */
export const PART_BYTES = 8 * 1024 * 1024;
const PARTS: PartsPlan = { partBytes: PART_BYTES, inFlight: 2 };
const PROBE_PREFIX = '.probe-';
/** The keys EncryptedBlobs makes (20 random bytes in hex): the only objects the debris sweep may ever remove. */
const SWEPT_KEY = /^[0-9a-f]{40}$/;
/**
 * S3 dates a multipart object from when its upload began, and an upload in
 * progress never looks newer than its start: the sweep gives both a day
 * beyond its grace, and a body's upload is abandoned after twelve hours, so
 * the sweep never meets a live one.
 */
const UPLOAD_MARGIN_MS = 23 * 3600_000;
const PUT_DEADLINE_MS = 12 * 3600_000;
/** A store that stops answering fails the request instead of holding it (and the job or probe behind it) forever. */
const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 120_000;

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);

function missing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return NOT_FOUND.has(e.name ?? '') || e.$metadata?.httpStatusCode === 404;
}

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(private readonly config: S3StoreConfig) {
    this.client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // Checksums only where S3 requires them: stores other than AWS's (Swift
      // 2.30, older Ceph) refuse the streaming CRC trailers sent by default.
      // Each body is AES-GCM sealed, so a changed byte fails on reading anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: config.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    });
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), PUT_DEADLINE_MS);
    try {
      // On failure the body is destroyed too: the caller's stream is not left waiting for a reader that is gone.
      const bytes = await uploadInParts(this.client, { Bucket: this.config.bucket, Key: this.objectKey(key) }, body, PARTS, deadline.signal);
      return { bytes };
    } finally {
      clearTimeout(timer);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      return out.Body as Readable;
    } catch (cause) {
      if (missing(cause)) throw new LoupeError(ErrorCode.BlobNotFound, 'blob body is missing from the blob store', { cause });
      throw cause;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (error) {
      if (missing(error)) return false;
      throw error;
    }
  }

  async probe(): Promise<void> {
    const Key = `${this.config.prefix}${PROBE_PREFIX}${randomBytes(6).toString('hex')}`;
    const marker = randomBytes(16);
    await this.client.send(new PutObjectCommand({ Bucket: this.config.bucket, Key, Body: marker }));
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key }));
      const read = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
      if (!read.equals(marker)) throw new Error('probe read back different bytes');
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key }));
    }
  }

  async sweepDebris(grace: Date, keep: (keys: string[]) => Promise<Set<string>>): Promise<DebrisCounts> {
    const counts: DebrisCounts = { unfinished: 0, orphans: 0 };
    const olderThan = new Date(grace.getTime() - UPLOAD_MARGIN_MS);
    counts.unfinished += await this.abortStaleUploads(olderThan);
    const { bucket, prefix } = this.config;
    let token: string | undefined;
    // One page (at most 1000 keys) at a time, so a store of millions of bodies is never listed whole.
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      const old = (page.Contents ?? []).filter((o) => o.Key !== undefined && o.LastModified !== undefined && o.LastModified < olderThan);
      const names = old.map((o) => o.Key!.slice(prefix.length));
      for (const probe of names.filter((n) => n.startsWith(PROBE_PREFIX))) {
        await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + probe }));
        counts.unfinished++;
      }
      const candidates = names.filter((n) => SWEPT_KEY.test(n));
      if (candidates.length) {
        const live = await keep(candidates);
        for (const name of candidates.filter((n) => !live.has(n))) {
          await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + name }));
          counts.orphans++;
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return counts;
  }

  close(): void {
    this.client.destroy();
  }

  /** Multipart uploads a crash left open, started before `olderThan`: aborted, so their parts stop taking space. */
  private async abortStaleUploads(olderThan: Date): Promise<number> {
    const { bucket, prefix } = this.config;
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
      );
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId || !u.Initiated || u.Initiated >= olderThan) continue;
        if (!SWEPT_KEY.test(u.Key.slice(prefix.length))) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
        aborted++;
      }
      const more = page.IsTruncated === true;
      keyMarker = more ? page.NextKeyMarker : undefined;
      uploadIdMarker = more ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return aborted;
  }

  private objectKey(key: string): string {
    if (!BLOB_KEY_PATTERN.test(key)) throw new LoupeError(ErrorCode.InvalidInput, 'invalid blob key');
    return `${this.config.prefix}${key}`;
  }
}
