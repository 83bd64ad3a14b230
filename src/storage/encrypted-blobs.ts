// An asset's blobs: each streamed through its own data key into the blob
// store, recorded (with its wrapped key and an audit event) in one
// transaction once the ciphertext is durably written. Reads are audited before
// a single byte is decrypted. Shredding destroys the data keys, which makes
// every copy of the ciphertext, backups included, unreadable.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Transform, pipeline as pipelineCallback, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditActor } from '../core/audit/event.js';
import { AuditAction } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { createDecryptStream, createEncryptStream } from '../crypto/stream-cipher.js';
import type { AuditLog } from './audit-log.js';
import type { BlobStore } from './blob-store.js';
import type { DataKeys } from './data-keys.js';
import type { Database } from './database.js';
import { holdsOnAsset, lockHolds } from './legal-holds.js';
import type { BlobKind } from './prisma/client.js';
import { transaction, type Tx } from './transaction.js';

export interface StoreBlobInput {
  assetId: string;
  kind: BlobKind;
  part?: number;
  mediaType: string;
  body: Readable;
  actor: AuditActor;
  requestId?: string | null;
}

export interface StoredBlob {
  id: string;
  plaintextSize: bigint;
  ciphertextSize: bigint;
}

export interface EncryptedBlobsOptions {
  db: Database;
  store: BlobStore;
  dataKeys: DataKeys;
  audit: AuditLog;
  clock: Clock;
  maxBlobBytes: number;
}

const blobContext = (assetId: string, kind: BlobKind, part: number) =>
  `loupe-blob/1|asset:${assetId}|kind:${kind}|part:${part}`;

function sizeLimit(max: number, counted: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      counted.bytes += chunk.length;
      if (counted.bytes > max) {
        callback(new LoupeError(ErrorCode.BlobTooLarge, `blob exceeds the limit of ${max} bytes`));
      } else {
        callback(null, chunk);
      }
    },
  });
}

/**
 * Row lock on the asset: storing a blob and shredding the asset take it, so
 * a blob can never be added to an asset while (or after) it is shredded.
 */
async function lockAsset(tx: Tx, assetId: string): Promise<{ status: string; workspaceId: string }> {
  const rows = await tx.$queryRaw<{ status: string; workspaceId: string }[]>`
    SELECT status::text AS status, "workspaceId" FROM "Asset" WHERE id = ${assetId} FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new LoupeError(ErrorCode.NotFound, 'no such asset');
  return row;
}

export class EncryptedBlobs {
  constructor(private readonly o: EncryptedBlobsOptions) {}

  async put(input: StoreBlobInput): Promise<StoredBlob> {
    const part = input.part ?? 0;
    const id = randomUUID();
    const storageKey = randomBytes(20).toString('hex');
    const plain = { bytes: 0 };
    const digest = createHash('sha256');
    const key = randomBytes(32);
    // Hashes the ciphertext on its way to the store: the store reads from it directly.
    const ciphertext = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        digest.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      // Both sides settle before going on, so a failure on one side has
      // finished cleaning up (no temporary file left) when put() returns.
      const [encrypted, stored] = await Promise.allSettled([
        pipeline(
          input.body,
          sizeLimit(this.o.maxBlobBytes, plain),
          createEncryptStream(key, blobContext(input.assetId, input.kind, part)),
          ciphertext,
        ),
        this.o.store.put(storageKey, ciphertext),
      ]);
      if (encrypted.status === 'rejected') throw encrypted.reason;
      if (stored.status === 'rejected') throw stored.reason;
      const written = stored.value;
      await transaction(this.o.db, async (tx) => {
        const asset = await lockAsset(tx, input.assetId);
        if (asset.status === 'shredded') throw new LoupeError(ErrorCode.AssetShredded, 'the asset was shredded');
        // The data key is created here with the random key used above, so it
        // exists only if the blob row does.
        const dataKeyId = await this.o.dataKeys.createWithKey(tx, 'blob', input.assetId, key);
        await tx.blob.create({
          data: {
            id,
            assetId: input.assetId,
            kind: input.kind,
            part,
            storageKey,
            mediaType: input.mediaType,
            plaintextSize: BigInt(plain.bytes),
            ciphertextSize: BigInt(written.bytes),
            ciphertextSha256: digest.digest('hex'),
            dataKeyId,
          },
        });
        await this.o.audit.append(tx, {
          actor: input.actor,
          action: AuditAction.BlobStored,
          outcome: 'success',
          // So a workspace admin's trail shows the stores as well as the reads.
          workspaceId: asset.workspaceId,
          assetId: input.assetId,
          requestId: input.requestId ?? null,
          details: { blobId: id, kind: input.kind, part, bytes: plain.bytes },
        });
      });
      return { id, plaintextSize: BigInt(plain.bytes), ciphertextSize: BigInt(written.bytes) };
    } catch (error) {
      ciphertext.destroy();
      // Only ciphertext was ever written; remove it so nothing is orphaned.
      await this.o.store.delete(storageKey).catch(() => {});
      throw error;
    } finally {
      key.fill(0);
    }
  }

  /** Audits the read, then returns the decrypting stream. */
  async open(blobId: string, actor: AuditActor, requestId?: string | null): Promise<Readable> {
    const blob = await this.o.db.prisma.blob.findUnique({ where: { id: blobId }, include: { dataKey: true, asset: { select: { workspaceId: true } } } });
    if (!blob) throw new LoupeError(ErrorCode.NotFound, 'no such blob');
    const key = this.o.dataKeys.unwrap(blob.dataKey);
    await this.o.audit.record({
      actor,
      action: AuditAction.BlobRead,
      outcome: 'success',
      // With its workspace, so that workspace's admins see the read in the console's trail.
      workspaceId: blob.asset.workspaceId,
      assetId: blob.assetId,
      requestId: requestId ?? null,
      details: { blobId, kind: blob.kind, part: blob.part },
    });
    const source = await this.o.store.get(blob.storageKey);
    const decrypt = createDecryptStream(key, blobContext(blob.assetId, blob.kind, blob.part));
    // pipeline closes the file when decryption fails or the reader stops early;
    // the reader sees any error on the stream it holds.
    pipelineCallback(source, decrypt, () => {});
    return decrypt;
  }

  /**
   * Destroys every data key of the asset, then removes the ciphertext it can
   * no longer open. Refused while a legal hold covers the asset. Shredding a
   * shredded asset does nothing (`shredded: false`): two sweeps racing on one
   * asset take turns at its row lock, and only the first shreds and audits.
   * `alsoInTx` writes what goes with the shredding (its cards) in the same transaction.
   */
  async shredAsset(assetId: string, actor: AuditActor, reason: string, alsoInTx?: (tx: Tx) => Promise<void>): Promise<{ shredded: boolean; dataKeys: number }> {
    const done = await transaction(this.o.db, async (tx) => {
      const asset = await lockAsset(tx, assetId);
      if (asset.status === 'shredded') return undefined;
      const { workspaceId } = await tx.asset.findUniqueOrThrow({ where: { id: assetId }, select: { workspaceId: true } });
      await lockHolds(tx, workspaceId);
      const held = await holdsOnAsset(tx, assetId);
      if (held.asset || held.patient || held.channel) throw new LoupeError(ErrorCode.LegalHold, 'the asset is under legal hold and cannot be shredded');
      const blobs = await tx.blob.findMany({ where: { assetId }, select: { storageKey: true } });
      const now = this.o.clock.now();
      const destroyed = await tx.dataKey.updateMany({
        where: { assetId, wrapped: { not: null } },
        data: { wrapped: null, destroyedAt: now },
      });
      await tx.asset.update({ where: { id: assetId }, data: { status: 'shredded', shreddedAt: now } });
      await this.o.audit.append(tx, {
        actor,
        action: AuditAction.AssetShredded,
        outcome: 'success',
        reason,
        workspaceId,
        assetId,
        details: { dataKeys: destroyed.count, blobs: blobs.length },
      });
      await alsoInTx?.(tx);
      return { keys: destroyed.count, storageKeys: blobs.map((b) => b.storageKey) };
    });
    if (!done) return { shredded: false, dataKeys: 0 };
    // Unreadable already (no key left); a file left by a failed delete is swept as debris.
    await Promise.all(done.storageKeys.map((k) => this.o.store.delete(k).catch(() => {})));
    return { shredded: true, dataKeys: done.keys };
  }
}
