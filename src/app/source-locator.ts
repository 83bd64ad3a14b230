// Where a platform keeps an upload's bytes, when its file id alone does not
// say (Teams: a pre-authenticated download URL, or a SharePoint address that
// names the file, which may name the patient). Sealed with the asset under a
// key of its own at acceptance, read by the ingest, shredded with the asset.
import { seal, unseal } from '../crypto/seal.js';
import type { DataKeys } from '../storage/data-keys.js';
import type { Database } from '../storage/database.js';
import type { Tx } from '../storage/transaction.js';

/** Binds a sealed locator to its asset. */
const locatorAad = (assetId: string) => `loupe-source-locator/1|${assetId}`;

export async function sealSourceLocator(deps: { dataKeys: DataKeys }, tx: Tx, assetId: string, locator: string): Promise<void> {
  const key = await deps.dataKeys.create(tx, 'source_locator', assetId);
  try {
    await tx.asset.update({ where: { id: assetId }, data: { sourceLocator: seal(key.key, Buffer.from(locator, 'utf8'), locatorAad(assetId)), sourceLocatorKeyId: key.id } });
  } finally {
    key.key.fill(0);
  }
}

/** The asset's locator; undefined when it has none, or its key was shredded. */
export async function readSourceLocator(
  deps: { dataKeys: DataKeys },
  db: Database['prisma'],
  asset: { id: string; sourceLocator: Uint8Array | null; sourceLocatorKeyId: string | null },
): Promise<string | undefined> {
  if (!asset.sourceLocator || !asset.sourceLocatorKeyId) return undefined;
  const keyRow = await db.dataKey.findUniqueOrThrow({ where: { id: asset.sourceLocatorKeyId } });
  if (!keyRow.wrapped) return undefined;
  return unseal(deps.dataKeys.unwrap(keyRow), asset.sourceLocator, locatorAad(asset.id)).toString('utf8');
}
