// Links an asset that arrived without a patient (a photo, a DICOM without
// an identifier) to the patient its uploader names. Until then only the
// uploader may see it; afterwards the card becomes active and is redrawn (and,
// where the channel's policy says so, its image queued for the PACS).
// Linking happens once, from a live card: a stale button or a form submitted
// again is refused (and the refusal audited) without changing anything; a
// wrong patient is put right with correctPatient instead.
import { queueCardUpdate } from './queue-card-update.js';
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { mayLinkPatient, type LinkFacts, type LinkRefusal } from '../core/consult/patient-link.js';
import type { WorkspaceRequester } from '../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { JobQueue } from '../storage/job-queue.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { DataKeys } from '../storage/data-keys.js';
import type { Database } from '../storage/database.js';
import type { Patients } from '../storage/patients.js';
import { transaction, type Tx } from '../storage/transaction.js';
import { appendSealedNote } from './sealed-text.js';
import { exportByPolicy } from './pacs/export-by-policy.js';
import type { PacsConfig } from '../config.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';

export interface LinkPatientDeps {
  db: Database;
  audit: AuditLog;
  queue: JobQueue;
  clock: Clock;
  patients: Patients;
  dataKeys: DataKeys;
  /** The channel's policy may send every image linked to a patient to the PACS (export-by-policy.ts). */
  policies: Pick<ChannelPolicies, 'effective'>;
  /** The hospital's PACS; unset: none configured. */
  pacs: PacsConfig | undefined;
}

export interface PatientReference {
  identifier: string;
  issuer: string;
  /** Free text from the uploader; may name the patient, so it is kept sealed with the asset. */
  note?: string | undefined;
}

/** The identifier and issuer as given, trimmed; each 1 to 64 characters. */
export function patientKey(ref: Pick<PatientReference, 'identifier' | 'issuer'>): { identifier: string; issuer: string } {
  const identifier = ref.identifier.trim();
  const issuer = ref.issuer.trim();
  if (!identifier || identifier.length > 64 || !issuer || issuer.length > 64) {
    throw new LoupeError(ErrorCode.InvalidInput, 'the patient identifier and its issuer are each 1 to 64 characters');
  }
  return { identifier, issuer };
}

const REFUSALS: Record<LinkRefusal, [ErrorCode, string]> = {
  forbidden: [ErrorCode.Forbidden, 'only the sender or an admin may link this image to a patient'],
  card_revoked: [ErrorCode.CardRevoked, 'the card was revoked: nothing was linked'],
  card_expired: [ErrorCode.CardExpired, 'the card has expired: nothing was linked'],
  already_linked: [ErrorCode.AlreadyLinked, 'the image is already linked to a patient: nothing was changed'],
  asset_shredded: [ErrorCode.AssetShredded, 'the image was deleted under retention: nothing was linked'],
};

export const linkRefusalError = (reason: LinkRefusal) => new LoupeError(...REFUSALS[reason]);

async function linkFacts(tx: Tx | Database['prisma'], cardId: string, who: WorkspaceRequester) {
  const card = await tx.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId }, include: { asset: true } });
  if (!card) throw new LoupeError(ErrorCode.NotFound, 'no such card');
  const facts: LinkFacts = { uploaderId: card.asset.uploaderId, assetPatientId: card.asset.patientId, assetStatus: card.asset.status, cardState: card.state, cardExpiresAt: card.expiresAt };
  return { card, facts };
}

/** The question the Link patient button asks before opening its form: undefined when linking may go ahead. */
export async function linkRefusal(deps: Pick<LinkPatientDeps, 'db' | 'clock'>, { cardId, who }: { cardId: string; who: WorkspaceRequester }): Promise<LinkRefusal | undefined> {
  const { facts } = await linkFacts(deps.db.prisma, cardId, who);
  const decision = mayLinkPatient(who, facts, deps.clock.now());
  return decision.allow ? undefined : decision.reason;
}

export interface LinkPatientOptions {
  cardId: string;
  who: WorkspaceRequester;
  patient: PatientReference;
}

export async function linkPatient(deps: LinkPatientDeps, { cardId, who, patient: ref }: LinkPatientOptions): Promise<void> {
  const key = patientKey(ref);
  const actor: AuditActor = { type: who.isAdmin ? 'admin' : 'user', id: who.userId };
  // Asked first without a lock, so a stale form does not even create a patient record.
  const pre = await linkFacts(deps.db.prisma, cardId, who);
  const early = mayLinkPatient(who, pre.facts, deps.clock.now());
  const patientId = early.allow ? await deps.patients.link(pre.card.workspaceId, key, actor) : undefined;
  const refused = await transaction(deps.db, async (tx) => {
    const { card, facts } = await linkFacts(tx, cardId, who);
    const decision = mayLinkPatient(who, facts, deps.clock.now());
    const event = { actor, action: AuditAction.PatientLinked, workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId };
    if (!decision.allow || !patientId) {
      const reason = decision.allow ? (early.allow ? 'already_linked' : early.reason) : decision.reason;
      // The refusal is recorded: it commits, so it is returned rather than thrown here.
      await deps.audit.append(tx, { ...event, outcome: 'denied', reason, patientId: facts.assetPatientId });
      return reason;
    }
    // Conditional on the image still having no patient and the card still waiting: two forms submitted at once link once.
    const asset = await tx.asset.updateMany({ where: { id: card.assetId, patientId: null }, data: { patientId } });
    const live = await tx.card.updateMany({ where: { id: card.id, state: 'waiting_for_patient', expiresAt: { gt: deps.clock.now() } }, data: { state: 'active' } });
    if (asset.count !== 1 || live.count !== 1) throw linkRefusalError('already_linked');
    await tx.consult.updateMany({ where: { id: card.consultId, patientId: null }, data: { patientId } });
    const note = ref.note?.trim();
    if (note) await appendSealedNote(deps, tx, card.asset, 'Note', note);
    await deps.audit.append(tx, { ...event, outcome: 'success', patientId, details: { previousPatientId: null } });
    await queueCardUpdate(deps, tx, cardId, `linked:${patientId}`);
    // Active now; with its image stored (a photo still being cleaned is its clean-up's to send), the channel's policy may send it to the PACS.
    const { status } = await tx.asset.findUniqueOrThrow({ where: { id: card.assetId }, select: { status: true } });
    if (status === 'stored') await exportByPolicy(deps, tx, { cardId, workspaceId: card.workspaceId, channelId: card.channelId });
    return undefined;
  });
  if (refused) throw linkRefusalError(refused);
}
