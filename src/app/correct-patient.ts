// Moves an image that stands on the wrong patient to the right one: a
// deliberate act by its sender or an admin, with a reason. The audit event
// names both patients (ids only) and the reason's code; the reason's free
// text may name a patient, so it is kept only sealed with the image. In the
// same transaction: the consult's patient follows when it came from this image
// (see consultPatientAfterCorrection), every View link issued while the image
// stood on the wrong patient stops working, and each of its cards is queued
// to be redrawn (a live card gets a fresh link).
import { queueCardUpdate } from './queue-card-update.js';
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import { consultPatientAfterCorrection, isCorrectionReason, mayCorrectPatient, type CorrectionReason } from '../core/consult/patient-link.js';
import type { WorkspaceRequester } from '../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { transaction } from '../storage/transaction.js';
import { patientKey, type LinkPatientDeps } from './link-patient.js';
import { appendSealedNote } from './sealed-text.js';

export interface PatientCorrection {
  identifier: string;
  issuer: string;
  reason: CorrectionReason | (string & {});
  /** Required; may name a patient, so it is sealed with the image and never audited. */
  explanation: string;
}

export interface CorrectionResult {
  previousPatientId: string;
  patientId: string;
  consultPatient: 'moved' | 'kept';
}

export interface CorrectPatientOptions {
  cardId: string;
  who: WorkspaceRequester;
  correction: PatientCorrection;
}

export async function correctPatient(deps: Omit<LinkPatientDeps, 'policies' | 'pacs'>, { cardId, who, correction: input }: CorrectPatientOptions): Promise<CorrectionResult> {
  const key = patientKey(input);
  const explanation = input.explanation.trim();
  if (!isCorrectionReason(input.reason) || explanation.length < 3 || explanation.length > 1000) {
    throw new LoupeError(ErrorCode.InvalidInput, 'a correction needs a reason and an explanation of 3 to 1000 characters');
  }
  const reason = input.reason;
  const actor: AuditActor = { type: who.isAdmin ? 'admin' : 'user', id: who.userId };
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId }, include: { asset: true } });
  if (!card) throw new LoupeError(ErrorCode.NotFound, 'no such card');
  const event = { actor, action: AuditAction.PatientCorrected, workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId };
  const facts = { uploaderId: card.asset.uploaderId, assetPatientId: card.asset.patientId, assetStatus: card.asset.status };
  const decision = mayCorrectPatient(who, facts);
  if (!decision.allow) {
    await transaction(deps.db, (tx) => deps.audit.append(tx, { ...event, outcome: 'denied', reason: decision.reason, patientId: facts.assetPatientId }));
    if (decision.reason === 'forbidden') throw new LoupeError(ErrorCode.Forbidden, 'only the sender or an admin may correct the patient of this image');
    throw new LoupeError(ErrorCode.InvalidInput, decision.reason === 'not_linked' ? 'the image has no patient yet: link it instead' : 'the image was shredded');
  }
  const from = card.asset.patientId!;
  const to = await deps.patients.link(card.workspaceId, key, actor);
  if (to === from) throw new LoupeError(ErrorCode.InvalidInput, 'the image is already linked to that patient');
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    // Conditional on the patient it was read with: two corrections at once cannot both apply.
    const moved = await tx.asset.updateMany({ where: { id: card.assetId, patientId: from }, data: { patientId: to } });
    if (moved.count !== 1) throw new LoupeError(ErrorCode.AlreadyLinked, 'the image’s patient changed meanwhile: nothing was changed');
    const consult = await tx.consult.findUniqueOrThrow({ where: { id: card.consultId } });
    const othersOnFrom = await tx.asset.count({ where: { consultId: consult.id, patientId: from, id: { not: card.assetId } } });
    const after = consultPatientAfterCorrection(consult.patientId, from, to, othersOnFrom);
    if (after.patientId !== consult.patientId) await tx.consult.update({ where: { id: consult.id }, data: { patientId: after.patientId } });
    await appendSealedNote(deps, tx, card.asset, `Patient corrected (${reason})`, explanation);
    const cards = await tx.card.findMany({ where: { assetId: card.assetId }, select: { id: true } });
    // Links handed out while the image stood on the wrong patient may have gone to that patient's carers.
    const revoked = await tx.linkToken.updateMany({ where: { cardId: { in: cards.map((c) => c.id) }, revokedAt: null }, data: { revokedAt: now } });
    await deps.audit.append(tx, {
      ...event,
      outcome: 'success',
      reason,
      patientId: to,
      details: { previousPatientId: from, consultPatient: after.outcome, linksRevoked: revoked.count },
    });
    for (const c of cards) await queueCardUpdate(deps, tx, c.id, `corrected:${now.getTime()}`);
    return { previousPatientId: from, patientId: to, consultPatient: after.outcome };
  });
}

/** The question the Correct patient button asks before opening its form: undefined when it may. */
export async function correctionRefusal(deps: Pick<LinkPatientDeps, 'db'>, { cardId, who }: { cardId: string; who: WorkspaceRequester }) {
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId }, include: { asset: true } });
  if (!card) return 'forbidden' as const;
  const decision = mayCorrectPatient(who, { uploaderId: card.asset.uploaderId, assetPatientId: card.asset.patientId, assetStatus: card.asset.status });
  return decision.allow ? undefined : decision.reason;
}
