// An asset's sealed text: the upload message's text and the notes users add
// about the image (a link note, a correction's reason). Any of it may name the
// patient, so it is kept only sealed with the asset under its own data key,
// one sealed text per asset; appending re-seals it under a fresh key and
// destroys the old one. Every use case seals and reads it through here.
import type { Clock } from '../core/clock.js';
import { seal, unseal } from '../crypto/seal.js';
import type { DataKeys } from '../storage/data-keys.js';
import type { Database } from '../storage/database.js';
import type { Tx } from '../storage/transaction.js';

export interface SealedTextDeps {
  clock: Clock;
  dataKeys: DataKeys;
}

interface AssetText {
  id: string;
  messageText: Uint8Array | null;
  messageTextKeyId: string | null;
}

/** Binds a sealed text to its asset: it cannot be moved to another. */
export const messageTextAad = (assetId: string) => `loupe-message-text/1|${assetId}`;

/** Seals `text` as the asset's text under a new data key. */
export async function sealAssetText(deps: Pick<SealedTextDeps, 'dataKeys'>, tx: Tx, assetId: string, text: string): Promise<void> {
  const key = await deps.dataKeys.create(tx, 'message_text', assetId);
  try {
    await tx.asset.update({ where: { id: assetId }, data: { messageText: seal(key.key, Buffer.from(text, 'utf8'), messageTextAad(assetId)), messageTextKeyId: key.id } });
  } finally {
    key.key.fill(0);
  }
}

/** The asset's text, or undefined when it has none. */
export async function readAssetText(deps: Pick<SealedTextDeps, 'dataKeys'>, db: Tx | Database['prisma'], asset: AssetText): Promise<string | undefined> {
  if (!asset.messageText || !asset.messageTextKeyId) return undefined;
  const keyRow = await db.dataKey.findUniqueOrThrow({ where: { id: asset.messageTextKeyId } });
  return unseal(deps.dataKeys.unwrap(keyRow), asset.messageText, messageTextAad(asset.id)).toString('utf8');
}

/** Appends `label: text` to the asset's sealed text. */
export async function appendSealedNote(deps: SealedTextDeps, tx: Tx, asset: AssetText, label: string, text: string): Promise<void> {
  let full = `${label}: ${text}`;
  const before = await readAssetText(deps, tx, asset);
  if (before !== undefined) {
    full = `${before}\n\n${full}`;
    await tx.dataKey.update({ where: { id: asset.messageTextKeyId! }, data: { wrapped: null, destroyedAt: deps.clock.now() } });
  }
  await sealAssetText(deps, tx, asset.id, full);
}
