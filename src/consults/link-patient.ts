// Links an asset that arrived without a patient (a photo, a DICOM without
// an identifier) to the patient its uploader names. Until then only the
// uploader may see it; afterwards the card becomes active and is redrawn.
import { queueUpdate } from '../cards/lifecycle.js';
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { mayRevoke, type Requester } from '../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { seal, unseal } from '../crypto/seal.js';
import { messageTextAad } from '../intake/accept-upload.js';
import type { JobQueue } from '../jobs/queue.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { DataKeys } from '../storage/data-keys.js';
import type { Database } from '../storage/database.js';
import type { Patients } from '../storage/patients.js';
import { transaction } from '../storage/transaction.js';

export interface LinkPatientDeps {
  db: Database;
  audit: AuditLog;
  queue: JobQueue;
  clock: Clock;
  patients: Patients;
  dataKeys: DataKeys;
}

export interface PatientReference {
  identifier: string;
  issuer: string;
  /** Free text from the uploader; may name the patient, so it is kept sealed with the asset. */
  note?: string | undefined;
}

export async function linkPatient(deps: LinkPatientDeps, cardId: string, who: Requester, ref: PatientReference): Promise<void> {
  const identifier = ref.identifier.trim();
  const issuer = ref.issuer.trim();
  if (!identifier || identifier.length > 64 || !issuer || issuer.length > 64) {
    throw new LoupeError(ErrorCode.InvalidInput, 'the patient identifier and its issuer are each 1 to 64 characters');
  }
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId }, include: { asset: true } });
  if (!card) throw new LoupeError(ErrorCode.NotFound, 'no such card');
  // The same people who may revoke a card may say whose it is: its sender, or an admin.
  if (!mayRevoke(who, card.asset.uploaderId)) throw new LoupeError(ErrorCode.Forbidden, 'only the sender or an admin may link this image to a patient');
  const actor: AuditActor = { type: who.isAdmin ? 'admin' : 'user', id: who.userId };
  const patientId = await deps.patients.link(card.workspaceId, { identifier, issuer }, actor);
  await transaction(deps.db, async (tx) => {
    const asset = card.asset;
    await tx.asset.update({ where: { id: asset.id }, data: { patientId } });
    await tx.consult.updateMany({ where: { id: card.consultId, patientId: null }, data: { patientId } });
    const note = ref.note?.trim();
    if (note) {
      // One sealed text per asset: the message's, with the note after it, under a fresh key.
      let text = note;
      if (asset.messageText && asset.messageTextKeyId) {
        const old = await tx.dataKey.findUniqueOrThrow({ where: { id: asset.messageTextKeyId } });
        text = `${unseal(deps.dataKeys.unwrap(old), asset.messageText, messageTextAad(asset.id)).toString('utf8')}\n\nNote: ${note}`;
        await tx.dataKey.update({ where: { id: old.id }, data: { wrapped: null, destroyedAt: deps.clock.now() } });
      }
      const key = await deps.dataKeys.create(tx, 'message_text', asset.id);
      await tx.asset.update({ where: { id: asset.id }, data: { messageText: seal(key.key, Buffer.from(text, 'utf8'), messageTextAad(asset.id)), messageTextKeyId: key.id } });
      key.key.fill(0);
    }
    if (card.state === 'waiting_for_patient') await tx.card.update({ where: { id: card.id }, data: { state: 'active' } });
    await deps.audit.append(tx, { actor, action: AuditAction.PatientLinked, outcome: 'success', workspaceId: card.workspaceId, assetId: asset.id, consultId: card.consultId, patientId });
    await queueUpdate(deps, tx, cardId, card.workspaceId, `linked:${patientId}`);
  });
}
