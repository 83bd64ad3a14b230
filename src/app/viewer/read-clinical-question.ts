// The clinical question beside the image: the text of the upload's message
// and the notes added when the patient was linked or corrected. It may name
// the patient, so it stays sealed with the asset and is unsealed only for a
// viewer the access rules have just allowed the patient's details, with its
// audit event in the same transaction as the read (as the details are).
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import type { Storage } from '../../storage/services.js';
import { transaction } from '../../storage/transaction.js';
import { readAssetText } from '../sealed-text.js';

/** The asset as the route has already read it. */
export interface QuestionedAsset {
  id: string;
  workspaceId: string;
  patientId: string | null;
  consultId: string | null;
  messageText: Uint8Array | null;
  messageTextKeyId: string | null;
}

export interface ReadClinicalQuestionOptions {
  storage: Pick<Storage, 'db' | 'audit' | 'dataKeys'>;
  asset: QuestionedAsset;
  actor: AuditActor;
  /** Why it was read, as the audit trail shows it. */
  reason: string;
}

/** The asset's question and notes, or undefined when it came with none (nothing is read, nothing audited). */
export async function readClinicalQuestion(o: ReadClinicalQuestionOptions): Promise<string | undefined> {
  const { asset } = o;
  if (!asset.messageText || !asset.messageTextKeyId) return undefined;
  return transaction(o.storage.db, async (tx) => {
    const text = await readAssetText({ dataKeys: o.storage.dataKeys }, tx, asset);
    await o.storage.audit.append(tx, {
      actor: o.actor,
      action: AuditAction.AssetTextRead,
      outcome: 'success',
      reason: o.reason,
      workspaceId: asset.workspaceId,
      patientId: asset.patientId,
      assetId: asset.id,
      consultId: asset.consultId,
    });
    return text;
  });
}
