// "Share for teaching" on a card: a de-identified copy of the card's image,
// with its own link and expiry, for any signed-in hospital user, only while
// the patient's recorded consent covers education within the institution.
// Decided in order: the card still live, the sharer's standing on the
// consult (src/core/access/teaching.ts), the image stored and linked to a
// patient, the consent; then an image that may show identifiers (flagged
// burned-in text, or any photo, which may show a face) needs the sharer's
// confirmation. A refusal is audited and returned with its reason; the copy
// is made once per image in the imaging sandbox and stored encrypted as the
// asset's `teaching` blob (so shredding the asset shreds it); the share row
// and its audit event commit together. The link goes back to the sharer only.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import { needsIdentifierCheck } from '../../core/access/teaching.js';
import { consultStanding } from '../consult-standing.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { describeError, ErrorCode, isLoupeError, LoupeError } from '../../core/errors.js';
import { asBuffer } from '../../imaging/sandbox/as-buffer.js';
import { transaction } from '../../storage/transaction.js';
import { isUniqueViolation } from '../../storage/unique.js';
import { educationConsent, hashTeachingToken, newTeachingToken, type TeachingDeps } from './teaching-deps.js';
import { middleInstance, studyOf } from '../../intake/study-summary.js';

export interface ShareForTeachingOptions {
  cardId: string;
  who: WorkspaceRequester;
  /** The sharer said they checked: no burned-in identifiers, no face. */
  confirmed: boolean;
}

export type TeachingRefusal =
  | 'card_stale'
  | 'asset_shredded'
  | 'not_participant'
  | 'no_live_grant'
  | 'asset_not_stored'
  | 'no_patient'
  | 'consent_missing'
  | 'consent_refused'
  | 'copy_failed';

export type ShareForTeachingResult =
  | { outcome: 'shared'; shareId: string; url: string; expiresAt: Date; channelId: string }
  | { outcome: 'needs_confirmation'; cardId: string; channelId: string }
  | { outcome: 'refused'; reason: TeachingRefusal; channelId: string };

const DAY_MS = 24 * 3600_000;

export async function shareForTeaching(deps: TeachingDeps, { cardId, who, confirmed }: ShareForTeachingOptions): Promise<ShareForTeachingResult> {
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId }, include: { asset: true } });
  if (!card) throw new LoupeError(ErrorCode.NotFound, 'no such card');
  const { asset, channelId } = card;
  const actor: AuditActor = { type: who.isAdmin ? 'admin' : 'user', id: who.userId };
  const event = { actor, action: AuditAction.TeachingShareCreated, workspaceId: card.workspaceId, assetId: asset.id, consultId: card.consultId, patientId: asset.patientId };
  const refuse = async (reason: TeachingRefusal): Promise<ShareForTeachingResult> => {
    await deps.audit.record({ ...event, outcome: 'denied', reason, details: { cardId, purpose: 'education' } });
    return { outcome: 'refused', reason, channelId };
  };
  const now = deps.clock.now();

  if (card.state === 'deleted' || asset.status === 'shredded') return refuse('asset_shredded');
  // A card past its time is stale even before the sweep marks it expired.
  if (card.state === 'expired' || card.expiresAt.getTime() <= now.getTime() || card.state === 'revoked' || asset.status === 'revoked') return refuse('card_stale');
  const standing = await consultStanding(deps.db, card.consultId, who, now);
  if (!standing.allow) return refuse(standing.reason);
  if (asset.status !== 'stored' || !asset.kind || card.state === 'pending') return refuse('asset_not_stored');
  if (!asset.patientId || card.state === 'waiting_for_patient') return refuse('no_patient');
  const consent = await educationConsent(deps.db, asset.patientId, asset.kind, now);
  if (!consent.ok) return refuse(consent.reason);
  if (needsIdentifierCheck(asset) && !confirmed) return { outcome: 'needs_confirmation', cardId, channelId };

  try {
    await ensureCopy(deps, asset.id, actor);
  } catch (error) {
    if (isLoupeError(error, ErrorCode.AssetShredded)) return refuse('asset_shredded');
    if (!isLoupeError(error)) throw error;
    await deps.audit.record({ ...event, outcome: 'failure', reason: 'copy_failed', details: { cardId, purpose: 'education', code: describeError(error).code } });
    return { outcome: 'refused', reason: 'copy_failed', channelId };
  }

  const token = newTeachingToken();
  const expiresAt = new Date(now.getTime() + deps.lifetimeDays * DAY_MS);
  const shared = await transaction(deps.db, async (tx) => {
    // Read again under the asset's row lock, which shredding takes: a share is never created for a shredded image.
    const rows = await tx.$queryRaw<{ status: string }[]>`SELECT status::text AS status FROM "Asset" WHERE id = ${asset.id} FOR UPDATE`;
    if (rows[0]?.status !== 'stored') return undefined;
    const share = await tx.teachingShare.create({
      data: { workspaceId: card.workspaceId, assetId: asset.id, cardId, tokenHash: hashTeachingToken(token), createdBy: who.userId, expiresAt, confirmed: needsIdentifierCheck(asset) && confirmed },
    });
    await deps.audit.append(tx, {
      ...event,
      outcome: 'success',
      details: { cardId, purpose: 'education', shareId: share.id, consentId: consent.consentId, confirmed: share.confirmed, expiresAt: expiresAt.toISOString() },
    });
    return share;
  });
  if (!shared) return refuse('asset_shredded');
  return { outcome: 'shared', shareId: shared.id, url: deps.teachUrl(token), expiresAt, channelId };
}

/** The image's teaching copy, made from its original in the sandbox unless it exists already. */
async function ensureCopy(deps: TeachingDeps, assetId: string, actor: AuditActor): Promise<void> {
  if (await deps.db.prisma.blob.findFirst({ where: { assetId, kind: 'teaching' }, select: { id: true } })) return;
  const original = await teachingSource(deps, assetId);
  if (!original) throw new LoupeError(ErrorCode.BlobNotFound, 'the image has no original');
  const bytes = await buffer(await deps.blobs.open(original.id, actor));
  // A fresh secret: the copy's replaced UIDs cannot be matched to the care copy's.
  const made = await deps.sandbox.run('teachingCopy', { bytes, limits: deps.limits, secret: randomBytes(32) }, bytes.length);
  try {
    if (made.display) await deps.blobs.put({ assetId, kind: 'teaching_display', mediaType: made.display.mediaType, body: Readable.from([asBuffer(made.display.data)]), actor });
    await deps.blobs.put({ assetId, kind: 'teaching', mediaType: made.copy.mediaType, body: Readable.from([asBuffer(made.copy.data)]), actor });
  } catch (error) {
    // Two shares of one image at once: the first copy stands.
    if (!isUniqueViolation(error)) throw error;
  }
}

/** What a teaching copy is made from: the original; for a whole study (whose original is its zip), the middle image of its first series. */
async function teachingSource(deps: TeachingDeps, assetId: string) {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, select: { kind: true, metadata: true } });
  if (asset.kind !== 'dicom_study') return deps.db.prisma.blob.findFirst({ where: { assetId, kind: 'original' }, orderBy: { part: 'asc' } });
  const first = studyOf(asset)?.series[0];
  const middle = first && middleInstance(first);
  return middle ? deps.db.prisma.blob.findFirst({ where: { assetId, kind: 'instance', part: middle.part } }) : null;
}
