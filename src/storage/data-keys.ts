// Data keys: one random 256-bit key per blob or sealed record, stored only
// wrapped by the active key-encryption key. The wrapping's associated data
// names the key's id, purpose and asset, so a wrapped key cannot be moved.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditLog } from './audit-log.js';
import { AuditAction } from '../core/audit/event.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { KeyRing } from '../crypto/keyring.js';
import type { Database } from './database.js';
import type { DataKeyPurpose } from './prisma/client.js';
import { transaction, type Tx } from './transaction.js';

export interface DataKeyRow {
  id: string;
  purpose: DataKeyPurpose;
  assetId: string | null;
  kekVersion: number;
  wrapped: Uint8Array | null;
}

const aad = (row: Pick<DataKeyRow, 'id' | 'purpose' | 'assetId'>) =>
  `loupe-data-key/1|${row.id}|${row.purpose}|${row.assetId ?? ''}`;

export class DataKeys {
  constructor(private readonly ring: KeyRing) {}

  async create(tx: Tx, purpose: DataKeyPurpose, assetId: string | null): Promise<{ id: string; key: Buffer }> {
    const key = randomBytes(32);
    return { id: await this.createWithKey(tx, purpose, assetId, key), key };
  }

  /** Records a key that was already used (a blob is encrypted before its row exists). */
  async createWithKey(tx: Tx, purpose: DataKeyPurpose, assetId: string | null, key: Uint8Array): Promise<string> {
    const id = randomUUID();
    const { kekVersion, wrapped } = this.ring.wrap(key, aad({ id, purpose, assetId }));
    await tx.dataKey.create({ data: { id, purpose, assetId, kekVersion, wrapped } });
    return id;
  }

  unwrap(row: DataKeyRow): Buffer {
    if (!row.wrapped) throw new LoupeError(ErrorCode.BlobShredded, 'the data key was destroyed: the data is unrecoverable');
    return this.ring.unwrap({ kekVersion: row.kekVersion, wrapped: new Uint8Array(row.wrapped) }, aad(row));
  }

  /**
   * Re-wraps every live data key under the active KEK; blob bodies are not
   * touched. Returns the rows actually changed, not the rows found.
   */
  async rewrapAll(db: Database, audit: AuditLog, now: () => Date, batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await transaction(db, async (tx) => {
        const rows = await tx.dataKey.findMany({
          where: { kekVersion: { not: this.ring.activeVersion }, wrapped: { not: null } },
          take: batchSize,
        });
        let rewrapped = 0;
        for (const row of rows) {
          const key = this.unwrap(row);
          const { kekVersion, wrapped } = this.ring.wrap(key, aad(row));
          // Conditional: a key shredded since it was read must stay destroyed.
          const { count } = await tx.dataKey.updateMany({
            where: { id: row.id, kekVersion: row.kekVersion, wrapped: { not: null } },
            data: { kekVersion, wrapped, rewrappedAt: now() },
          });
          rewrapped += count;
        }
        if (rewrapped) {
          await audit.append(tx, {
            actor: { type: 'system', id: 'key-rotation' },
            action: AuditAction.KeysRewrapped,
            outcome: 'success',
            details: { count: rewrapped, kekVersion: this.ring.activeVersion },
          });
        }
        return { found: rows.length, rewrapped };
      });
      total += done.rewrapped;
      if (done.found < batchSize) return total;
    }
  }
}
