// Streams a body of unknown length into one S3 object, as one PutObject when
// it fits in a part and as a multipart upload otherwise. The parts are filled
// in a few buffers made once per body and reused, never gathered from the
// stream's chunks and copied into a new buffer per part (as the SDK's
// lib-storage does): the copies were garbage V8 collects late, and they cost
// the S3 store some 60 MB of resident memory over the folder store's.
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface PartsPlan {
  /** Bytes in every part but the last (S3: 5 MiB to 5 GiB). */
  partBytes: number;
  /** Parts sent at once; one more buffer is filled meanwhile. */
  inFlight: number;
}

export interface ObjectTarget {
  Bucket: string;
  Key: string;
}

const CONTENT_TYPE = 'application/octet-stream';
const FIRST_BYTES = 64 * 1024;
const GROW_UP_TO = 1024 * 1024;

/**
 * Writes `body` to `target` and returns how many bytes it held. The object
 * appears only when the upload completes; on any failure the multipart
 * upload is aborted (its parts freed), `body` destroyed and the error thrown.
 * `signal` abandons the upload the same way, also while waiting for `body`.
 */
export async function uploadInParts(client: S3Client, target: ObjectTarget, body: Readable, plan: PartsPlan, signal: AbortSignal): Promise<number> {
  if (!(plan.inFlight >= 1)) throw new RangeError('at least one part must be allowed in flight');
  const free: Buffer[] = [];
  const take = (): Buffer => free.pop() ?? Buffer.allocUnsafeSlow(plan.partBytes);
  /**
   * Room for `bytes` in the buffer being filled. The first starts small and
   * doubles up to GROW_UP_TO, then takes a part's worth: a small body never
   * takes 8 MiB, and a large one leaves little garbage behind.
   */
  const room = (bytes: number): void => {
    if (current.length >= bytes) return;
    const size = current.length >= GROW_UP_TO ? plan.partBytes : Math.max(bytes, current.length * 2);
    const bigger = Buffer.allocUnsafeSlow(Math.min(plan.partBytes, size));
    current.copy(bigger, 0, 0, filled);
    current = bigger;
  };
  const sending = new Map<number, Promise<void>>();
  const parts: CompletedPart[] = [];
  /** The first part that failed: a part fails while the next one fills, and must still fail the upload. */
  let failed: { error: unknown } | undefined;
  let uploadId: string | undefined;
  let partNumber = 0;
  let current: Buffer = Buffer.allocUnsafeSlow(Math.min(FIRST_BYTES, plan.partBytes));
  let filled = 0;
  let total = 0;

  const send = (part: Buffer, length: number): void => {
    const id = uploadId!;
    const number = ++partNumber;
    const done = client
      .send(new UploadPartCommand({ ...target, UploadId: id, PartNumber: number, Body: part.subarray(0, length), ContentLength: length }), { abortSignal: signal })
      .then((out) => {
        if (!out.ETag) throw new Error(`the store returned no ETag for part ${number}`);
        parts.push({ PartNumber: number, ETag: out.ETag });
        free.push(part);
      })
      .catch((error: unknown) => {
        failed ??= { error };
        throw error;
      })
      .finally(() => sending.delete(number));
    // A failure is kept in `failed` and thrown from there; marked handled so it is not also reported as unhandled.
    done.catch(() => {});
    sending.set(number, done);
  };
  const throwIfFailed = (): void => {
    if (failed) throw failed.error;
  };

  /** Hands the full buffer to a part and waits until another may be filled. */
  const flush = async (): Promise<void> => {
    throwIfFailed();
    if (!uploadId) {
      // Not abandoned half-way: an upload the store made but Loupe never heard of could not be aborted.
      const created = await client.send(new CreateMultipartUploadCommand({ ...target, ContentType: CONTENT_TYPE }));
      if (!created.UploadId) throw new Error('the store returned no upload id');
      uploadId = created.UploadId;
      signal.throwIfAborted();
    }
    send(current, filled);
    while (sending.size >= plan.inFlight) await Promise.race(sending.values());
    throwIfFailed();
    current = take();
    filled = 0;
  };

  // Abandoned while waiting for the body (a stalled sender): ending the body ends the loop below.
  const onAbort = (): void => void body.destroy(signal.reason instanceof Error ? signal.reason : new Error('upload abandoned'));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const piece of body as AsyncIterable<Uint8Array | string>) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      let at = 0;
      while (at < chunk.length) {
        if (filled === plan.partBytes) await flush();
        room(Math.min(plan.partBytes, filled + chunk.length - at));
        const n = chunk.copy(current, filled, at, at + Math.min(chunk.length - at, plan.partBytes - filled));
        filled += n;
        at += n;
        total += n;
      }
    }
    if (!uploadId) {
      await client.send(new PutObjectCommand({ ...target, Body: current.subarray(0, filled), ContentLength: filled, ContentType: CONTENT_TYPE }), { abortSignal: signal });
      return total;
    }
    throwIfFailed();
    // The last part may be short, never empty: a full buffer is sent only once a byte more has come.
    send(current, filled);
    await Promise.allSettled(sending.values());
    throwIfFailed();
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    // Not abandoned once every part is there: a completion cut off half-way could leave the object made and the caller told it failed.
    await client.send(new CompleteMultipartUploadCommand({ ...target, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    return total;
  } catch (error) {
    body.destroy();
    await Promise.allSettled(sending.values());
    if (uploadId) await client.send(new AbortMultipartUploadCommand({ ...target, UploadId: uploadId })).catch(() => {});
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
