// Free text a user gives about an image (a link note, a correction's reason)
// may name the patient, so it is kept only sealed with the image: one sealed
// text per asset (the upload message's, with notes after it), re-sealed under
// a fresh key each time and the old key destroyed.
import type { Clock } from '../core/clock.js';
import { seal, unseal } from '../crypto/seal.js';
import { messageTextAad } from '../intake/accept-upload.js';
import type { DataKeys } from '../storage/data-keys.js';
import type { Tx } from '../storage/transaction.js';

export interface SealedNoteDeps {
  clock: Clock;
  dataKeys: DataKeys;
}

interface AssetText {
  id: string;
  messageText: Uint8Array | null;
  messageTextKeyId: string | null;
}

/** Appends `label: text` to the asset's sealed text. */
export async function appendSealedNote(deps: SealedNoteDeps, tx: Tx, asset: AssetText, label: string, text: string): Promise<void> {
  let full = `${label}: ${text}`;
  if (asset.messageText && asset.messageTextKeyId) {
    const old = await tx.dataKey.findUniqueOrThrow({ where: { id: asset.messageTextKeyId } });
    full = `${unseal(deps.dataKeys.unwrap(old), asset.messageText, messageTextAad(asset.id)).toString('utf8')}\n\n${full}`;
    await tx.dataKey.update({ where: { id: old.id }, data: { wrapped: null, destroyedAt: deps.clock.now() } });
  }
  const key = await deps.dataKeys.create(tx, 'message_text', asset.id);
  await tx.asset.update({ where: { id: asset.id }, data: { messageText: seal(key.key, Buffer.from(full, 'utf8'), messageTextAad(asset.id)), messageTextKeyId: key.id } });
  key.key.fill(0);
}
