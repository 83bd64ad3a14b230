// The card of a secured upload, made once: the patient linked (from a DICOM
// header or the message's text), the uploader's standing in the consult by
// the core rule, the card and its first link, all with their audit events in
// one transaction. A photo's card is made as soon as its original is secured
// (its clean-up follows in its own job: the card needs no pixels); a DICOM
// image's once its header has been read and de-identified, since the header
// names the patient. A card made active with its image stored is the moment a
// channel's policy may send the image to the PACS (export-by-policy.ts).
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import { uploaderGrant } from '../core/consult/uploader-standing.js';
import type { ChannelPolicy } from '../core/policy/channel-policy.js';
import type { Card } from '../storage/prisma/client.js';
import type { PatientDemographics } from '../storage/patients.js';
import { transaction, type Tx } from '../storage/transaction.js';
import { cardView, type CardView } from '../intake/card-view.js';
import { issueLinkToken } from '../intake/link-token.js';
import type { AssetSummary } from '../intake/prepare-asset.js';
import type { IngestDeps } from './ingest-asset.js';
import { exportByPolicy } from './pacs/export-by-policy.js';

const SYSTEM: AuditActor = { type: 'system', id: 'intake' };

export interface CardFor {
  asset: { id: string; workspaceId: string; uploaderId: string };
  consult: { id: string; channelId: string; threadId: string; patientId: string | null };
  policy: Pick<ChannelPolicy, 'acceptedKinds' | 'cardLifetimeSeconds' | 'identifierIssuer'>;
  facts: AssetSummary;
  /** The asset's metadata so far (what intake learnt of the message), kept with the facts when `stored`. */
  metadata: object;
  patient: PatientDemographics | undefined;
  burnedInText: boolean;
  /** A whole study shared as an archive; else the kind follows the family. */
  kind?: 'dicom_study';
  /** Set when the asset is complete with it (a DICOM image): its status becomes stored in the same transaction. */
  stored?: { blobs: number };
}

export interface StoredCard {
  card: CardView;
  /** The card's first link, when this call made the card. */
  linkToken: string | undefined;
}

/** Undefined only for a DICOM image (`stored` set) that failed or was revoked meanwhile: it gets no card. */
export async function storeCard(deps: IngestDeps, c: CardFor): Promise<StoredCard | undefined> {
  const { asset, consult, policy } = c;
  const patientId = c.patient ? await deps.patients.link(asset.workspaceId, c.patient, SYSTEM) : undefined;
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + policy.cardLifetimeSeconds * 1000);
  const family = c.facts.family;
  const kind = c.kind ?? (family === 'photo' ? ('photo' as const) : ('dicom_instance' as const));
  return transaction(deps.db, async (tx) => {
    const existing = await tx.card.findUnique({ where: { assetId_consultId: { assetId: asset.id, consultId: consult.id } } });
    const patient = existing ? {} : { patientId: patientId ?? null };
    let updated;
    if (c.stored) {
      // Conditional: an image failed or revoked meanwhile stays so, and gets no card.
      const data = { status: 'stored' as const, kind, ...patient, metadata: { ...c.metadata, ...c.facts }, burnedInText: c.burnedInText };
      const { count } = await tx.asset.updateMany({ where: { id: asset.id, status: 'processing' }, data });
      if (count === 0) return undefined;
      updated = await tx.asset.findUniqueOrThrow({ where: { id: asset.id } });
    } else {
      // A photo: what its card needs, and no more (its facts come with its clean-up, which may have finished first).
      updated = await tx.asset.update({ where: { id: asset.id }, data: { kind, ...patient, burnedInText: c.burnedInText } });
    }
    if (c.stored) await storedEvent(deps, tx, { assetId: asset.id, workspaceId: asset.workspaceId, consultId: consult.id, patientId: updated.patientId, kind, blobs: c.stored.blobs, burnedInText: c.burnedInText });
    // Made already (a run after a crash, or a photo whose clean-up finished): the same card.
    if (existing) return { card: cardView(existing, updated), linkToken: undefined };
    if (patientId && !consult.patientId) await tx.consult.update({ where: { id: consult.id }, data: { patientId } });
    await grantUploader(deps, tx, { assetId: asset.id, workspaceId: asset.workspaceId, consultId: consult.id, uploaderId: asset.uploaderId, family, acceptedKinds: policy.acceptedKinds, cardLifetimeSeconds: policy.cardLifetimeSeconds }, now);
    const card: Card = await tx.card.create({
      data: {
        workspaceId: asset.workspaceId,
        assetId: asset.id,
        consultId: consult.id,
        channelId: consult.channelId,
        threadId: consult.threadId,
        state: patientId ? 'active' : 'waiting_for_patient',
        expiresAt,
      },
    });
    const linkToken = await issueLinkToken(tx, card.id, expiresAt, now);
    // Active with its image stored (a DICOM image, or a photo whose clean-up finished first): the channel's policy may send it to the PACS.
    if (card.state === 'active' && updated.status === 'stored' && (await exportByPolicy(deps, tx, { cardId: card.id, workspaceId: card.workspaceId, channelId: card.channelId })) === 'queued') {
      const pacsExport = await tx.pacsExport.findUnique({ where: { assetId: asset.id } });
      return { card: cardView(card, { ...updated, pacsExport }), linkToken };
    }
    return { card: cardView(card, updated), linkToken };
  });
}

/** The asset complete (its derivative and preview stored): recorded once, with the facts its clean-up found. */
export async function storedEvent(
  deps: Pick<IngestDeps, 'audit'>,
  tx: Tx,
  e: { assetId: string; workspaceId: string; consultId: string; patientId: string | null; kind: string; blobs: number; burnedInText: boolean },
): Promise<void> {
  await deps.audit.append(tx, {
    actor: SYSTEM,
    action: AuditAction.AssetStored,
    outcome: 'success',
    workspaceId: e.workspaceId,
    assetId: e.assetId,
    consultId: e.consultId,
    patientId: e.patientId,
    details: { kind: e.kind, blobs: e.blobs, burnedInText: e.burnedInText, patientLinked: Boolean(e.patientId) },
  });
}

/** The uploader's participation and grant for the asset just secured, by the core rule, with its audit event. */
async function grantUploader(
  deps: IngestDeps,
  tx: Tx,
  a: { assetId: string; workspaceId: string; consultId: string; uploaderId: string; family: 'photo' | 'dicom'; acceptedKinds: readonly ('photo' | 'dicom')[]; cardLifetimeSeconds: number },
  now: Date,
): Promise<void> {
  const consult = await tx.consult.findUniqueOrThrow({ where: { id: a.consultId }, select: { requesterId: true, _count: { select: { participants: true } } } });
  const participation = await tx.consultParticipant.findUnique({ where: { consultId_userId: { consultId: a.consultId, userId: a.uploaderId } }, select: { removedAt: true } });
  const grant = uploaderGrant(
    { uploaderId: a.uploaderId, status: 'stored', family: a.family },
    { requesterId: consult.requesterId, empty: consult._count.participants === 0, uploaderParticipates: participation !== null && participation.removedAt === null, acceptedKinds: a.acceptedKinds, cardLifetimeSeconds: a.cardLifetimeSeconds },
    now,
  );
  if (!grant) return;
  if (grant.becomesRequester) await tx.consult.update({ where: { id: a.consultId }, data: { requesterId: grant.userId } });
  await tx.consultParticipant.upsert({
    where: { consultId_userId: { consultId: a.consultId, userId: grant.userId } },
    create: { consultId: a.consultId, userId: grant.userId, role: grant.role },
    update: {},
  });
  // The uploader may view what they shared for as long as its card lives: one live grant, extended.
  const live = await tx.grant.findFirst({ where: { consultId: a.consultId, userId: grant.userId, source: grant.source, revokedAt: null, expiresAt: { gt: now } } });
  if (live) {
    if (grant.expiresAt > live.expiresAt) await tx.grant.update({ where: { id: live.id }, data: { expiresAt: grant.expiresAt } });
  } else {
    await tx.grant.create({ data: { consultId: a.consultId, userId: grant.userId, source: grant.source, hop: grant.hop, expiresAt: grant.expiresAt } });
  }
  await deps.audit.append(tx, {
    actor: SYSTEM,
    action: AuditAction.ParticipantAdded,
    outcome: 'success',
    workspaceId: a.workspaceId,
    assetId: a.assetId,
    consultId: a.consultId,
    details: { participant: grant.userId, role: grant.role, grant: live ? 'extended' : 'created' },
  });
}
