// The second step of intake, in a job, in an order that keeps the chat clean
// whatever processing does:
//   1. sniff the bytes (cheap); anything not an image the channel takes is left
//      alone (an image of a kind it does not take, with a word to its uploader);
//   2. store the ORIGINAL encrypted and durable, then (one transaction) queue
//      its removal from the chat: from here the upload leaves the chat;
//   3. process it (derivative, preview, facts, patient) and make its card,
//      granting the uploader their standing in the consult;
//   4. a processing failure of any kind marks the asset failed with a stable
//      code and keeps the encrypted original (it may be the only copy of a
//      clinical image); the adapter tells the uploader and the admins.
// Safe to run again after a crash: a stored original is read back from the
// store (the chat's copy may already be gone), stored blobs are kept, and a
// stored or failed asset answers with its outcome.
import { Readable } from 'node:stream';
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { uploaderGrant } from '../core/consult/uploader-standing.js';
import { ErrorCode, isLoupeError, LoupeError } from '../core/errors.js';
import { identifierIn, type AcceptedKind } from '../core/policy/channel-policy.js';
import type { ImagingSandbox } from '../imaging/sandbox/sandbox.js';
import type { ImagingLimits } from '../imaging/limits.js';
import { sniff, type Sniffed } from '../imaging/sniff.js';
import type { JobQueue } from '../storage/job-queue.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { DataKeys } from '../storage/data-keys.js';
import type { Database } from '../storage/database.js';
import type { EncryptedBlobs } from '../storage/encrypted-blobs.js';
import type { Patients } from '../storage/patients.js';
import { transaction, type Tx } from '../storage/transaction.js';
import type { Workspaces } from '../storage/workspaces.js';
import { readAssetText } from './sealed-text.js';
import { cardView, type CardView } from '../intake/card-view.js';
import { issueLinkToken } from '../intake/link-token.js';
import { prepareAsset, type AssetSummary } from '../intake/prepare-asset.js';

export interface IngestDeps {
  db: Database;
  queue: JobQueue;
  /**
   * The adapter's job that takes the original out of the chat. It is queued
   * once the original is secured (or with a failure that kept nothing), in
   * the same transaction, so no later failure can leave it there.
   */
  removalJob: string;
  blobs: EncryptedBlobs;
  dataKeys: DataKeys;
  patients: Patients;
  workspaces: Workspaces;
  policies: ChannelPolicies;
  audit: AuditLog;
  clock: Clock;
  limits: ImagingLimits;
  sandbox: ImagingSandbox;
}

export type IngestResult =
  | { outcome: 'stored'; card: CardView; linkToken: string | undefined; warnings: string[] }
  | { outcome: 'left_alone'; reason: string }
  /** An image the channel's policy does not take (`accepted` says what it does): left in the chat, its uploader to be told. */
  | { outcome: 'not_accepted'; family: AcceptedKind; accepted: AcceptedKind[] }
  /** `originalKept`: the encrypted original stays in Loupe's store (the admins must hear of it). */
  | { outcome: 'failed'; code: ErrorCode; originalKept: boolean };

/** The upload's bytes, or why they cannot be had; asked only while Loupe holds no copy. Transient trouble throws (the job retries). */
export type FetchUpload = () => Promise<Buffer | LoupeError>;

const SYSTEM: AuditActor = { type: 'system', id: 'intake' };
/** The error code of an upload Loupe left in the chat because it is not an image it takes. */
export const NOT_AN_IMAGE = ErrorCode.NotAnImage;

/** The stable code of a processing failure: Loupe's own, or one code for anything foreign. */
export const failureCode = (error: unknown): ErrorCode => (isLoupeError(error) ? error.code : ErrorCode.ProcessingFailed);

export async function ingestAsset(deps: IngestDeps, assetId: string, fetchUpload: FetchUpload): Promise<IngestResult> {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true, blobs: { select: { id: true, kind: true } } } });
  const consult = asset.consult;
  if (!consult) throw new Error('an intercepted asset always belongs to a consult');
  if (asset.status === 'stored') {
    const card = await deps.db.prisma.card.findUniqueOrThrow({ where: { assetId_consultId: { assetId, consultId: consult.id } } });
    return { outcome: 'stored', card: cardView(card, asset), linkToken: undefined, warnings: [] };
  }
  if (asset.status === 'failed') {
    if (asset.errorCode === NOT_AN_IMAGE) return { outcome: 'left_alone', reason: 'not an image Loupe takes' };
    if (asset.errorCode === ErrorCode.KindNotAccepted) return notAccepted(deps, asset.metadata, asset.workspaceId, consult.channelId);
    return { outcome: 'failed', code: (asset.errorCode ?? ErrorCode.ProcessingFailed) as ErrorCode, originalKept: asset.blobs.some((b) => b.kind === 'original') };
  }
  const policy = await deps.policies.effective(asset.workspaceId, consult.channelId);
  // Text naming a patient is PHI in the chat: its message must go, whatever becomes of the file.
  const text = await readAssetText(deps, deps.db.prisma, asset);
  const textIdentifier = text === undefined ? undefined : identifierIn(policy, text);
  const metadata = { ...(asset.metadata as object), messageNamesPatient: textIdentifier !== undefined };
  const failed = (code: ErrorCode, originalKept: boolean) => fail(deps, assetId, asset.workspaceId, code, metadata, originalKept);

  // 1. and 2.: the original, secured before anything reads more than its first bytes.
  let bytes: Buffer;
  const original = asset.blobs.find((b) => b.kind === 'original');
  if (original) {
    bytes = await readBlob(deps, original.id);
  } else {
    const upload = await fetchUpload();
    if (upload instanceof LoupeError) return failed(upload.code, false);
    bytes = upload;
    let kind: Sniffed;
    try {
      kind = sniff(bytes);
    } catch (error) {
      return failed(failureCode(error), false);
    }
    if (kind.family === 'none') {
      await leaveAlone(deps, asset, NOT_AN_IMAGE, 'left in the chat', asset.metadata as object);
      return { outcome: 'left_alone', reason: kind.reason };
    }
    if (!policy.acceptedKinds.includes(kind.family)) {
      // The family is kept (a non-identifying fact) so a run after a crash tells the uploader the same.
      await leaveAlone(deps, asset, ErrorCode.KindNotAccepted, 'left in the chat: a kind this channel does not take', { ...(asset.metadata as object), family: kind.family });
      return { outcome: 'not_accepted', family: kind.family, accepted: [...policy.acceptedKinds] };
    }
    await deps.blobs.put({ assetId, kind: 'original', mediaType: kind.mediaType, body: Readable.from([bytes]), actor: SYSTEM });
  }
  if (asset.status === 'received') {
    await transaction(deps.db, async (tx) => {
      // Conditional: a run that resumes after this committed does not record it twice.
      const { count } = await tx.asset.updateMany({ where: { id: assetId, status: 'received' }, data: { status: 'processing', metadata } });
      if (count === 0) return;
      await queueRemoval(deps, tx, assetId);
      await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.OriginalSecured, outcome: 'success', workspaceId: asset.workspaceId, assetId, consultId: consult.id });
    });
  }

  // 3. Processing: anything it throws, Loupe's or not, is this upload's failure, not a reason to retry.
  const secret = await deps.workspaces.secret(asset.workspaceId);
  let prepared: Awaited<ReturnType<typeof prepareAsset>>;
  try {
    prepared = await prepareAsset(bytes, { limits: deps.limits, secret, sandbox: deps.sandbox });
  } catch (error) {
    return failed(failureCode(error), true);
  }
  if (prepared.outcome === 'not_an_image' || !policy.acceptedKinds.includes(prepared.family)) return failed(ErrorCode.ImageUnsupported, true);
  const stored = new Set(asset.blobs.map((b) => b.kind));
  for (const blob of prepared.blobs) {
    if (blob.kind === 'original' || stored.has(blob.kind)) continue;
    await deps.blobs.put({ assetId, kind: blob.kind, mediaType: blob.mediaType, body: Readable.from([blob.data]), actor: SYSTEM });
  }

  // The patient: from the DICOM header, else an identifier in the message text by the channel's pattern.
  let patient = prepared.patient ? { ...prepared.patient, issuer: prepared.patient.issuer || policy.identifierIssuer } : undefined;
  if (!patient && textIdentifier) patient = { identifier: textIdentifier, issuer: policy.identifierIssuer };
  const patientId = patient ? await deps.patients.link(asset.workspaceId, patient, SYSTEM) : undefined;

  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + policy.cardLifetimeSeconds * 1000);
  const facts: AssetSummary = prepared.facts;
  const family = prepared.family;
  const kind = family === 'photo' ? 'photo' : 'dicom_instance';
  const { card, updated, token } = await transaction(deps.db, async (tx) => {
    const updated = await tx.asset.update({
      where: { id: assetId },
      data: {
        status: 'stored',
        kind,
        patientId: patientId ?? null,
        metadata: { ...metadata, ...facts },
        burnedInText: prepared.burnedInText,
      },
    });
    if (patientId && !consult.patientId) await tx.consult.update({ where: { id: consult.id }, data: { patientId } });
    await grantUploader(deps, tx, { assetId, workspaceId: asset.workspaceId, consultId: consult.id, uploaderId: asset.uploaderId, family, acceptedKinds: policy.acceptedKinds, cardLifetimeSeconds: policy.cardLifetimeSeconds }, now);
    const card = await tx.card.create({
      data: {
        workspaceId: asset.workspaceId,
        assetId,
        consultId: consult.id,
        channelId: consult.channelId,
        threadId: consult.threadId,
        state: patientId ? 'active' : 'waiting_for_patient',
        expiresAt,
      },
    });
    const token = await issueLinkToken(tx, card.id, expiresAt, now);
    await deps.audit.append(tx, {
      actor: SYSTEM,
      action: AuditAction.AssetStored,
      outcome: 'success',
      workspaceId: asset.workspaceId,
      assetId,
      consultId: consult.id,
      patientId: patientId ?? null,
      details: { kind, blobs: prepared.blobs.length, burnedInText: prepared.burnedInText, patientLinked: Boolean(patientId) },
    });
    return { card, updated, token };
  });
  return { outcome: 'stored', card: cardView(card, updated), linkToken: token, warnings: prepared.warnings };
}

/** The uploader's participation and grant for the asset just stored, by the core rule, with its audit event. */
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

/** A refusal recorded by an earlier run: the family it found, and what the channel takes now. */
async function notAccepted(deps: IngestDeps, metadata: unknown, workspaceId: string, channelId: string): Promise<IngestResult> {
  const family = (metadata as { family?: unknown }).family;
  if (family !== 'photo' && family !== 'dicom') return { outcome: 'left_alone', reason: 'not an image this channel takes' };
  const policy = await deps.policies.effective(workspaceId, channelId);
  return { outcome: 'not_accepted', family, accepted: [...policy.acceptedKinds] };
}

async function readBlob(deps: IngestDeps, blobId: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await deps.blobs.open(blobId, SYSTEM)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function queueRemoval(deps: IngestDeps, tx: Tx, assetId: string) {
  return deps.queue.enqueue({ type: deps.removalJob, payload: { assetId }, dedupeKey: `${deps.removalJob}:${assetId}` }, tx);
}

/**
 * Marks the asset failed with its code and queues the original's removal
 * (already queued when the original was secured), unless `remove` is false:
 * Loupe then holds no copy, and the chat's is the only one. Conditional on
 * the asset not being stored or failed already, so a late run changes nothing.
 */
/** An upload Loupe does not take, left in the chat with nothing of it kept: recorded with its audit event, once. */
async function leaveAlone(deps: IngestDeps, asset: { id: string; workspaceId: string }, code: ErrorCode, removalDetail: string, metadata: object): Promise<void> {
  await transaction(deps.db, async (tx) => {
    const { count } = await tx.asset.updateMany({ where: { id: asset.id, status: 'received' }, data: { status: 'failed', errorCode: code, removal: 'not_possible', removalDetail, metadata } });
    if (count === 0) return;
    await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.AssetFailed, outcome: 'failure', workspaceId: asset.workspaceId, assetId: asset.id, details: { code, originalKept: false, removal: false } });
  });
}

async function fail(deps: IngestDeps, assetId: string, workspaceId: string, code: ErrorCode, metadata: object, originalKept: boolean, remove = true): Promise<IngestResult> {
  await transaction(deps.db, async (tx) => {
    const left = remove ? {} : { removal: 'not_possible' as const, removalDetail: 'left in the chat: Loupe holds no copy' };
    const { count } = await tx.asset.updateMany({ where: { id: assetId, status: { in: ['received', 'processing'] } }, data: { status: 'failed', errorCode: code, metadata, ...left } });
    if (count === 0) return;
    if (remove) await queueRemoval(deps, tx, assetId);
    await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.AssetFailed, outcome: 'failure', workspaceId, assetId, details: { code, originalKept, removal: remove } });
  });
  return { outcome: 'failed', code, originalKept };
}

/**
 * A dead-lettered ingest ends failed, never silent: with its encrypted
 * original kept (and removed from the chat) when Loupe had secured it, else
 * left in the chat, the only copy. Answers the asset's recorded outcome.
 */
export async function abandonIngest(deps: IngestDeps, assetId: string): Promise<IngestResult> {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { blobs: { select: { kind: true } } } });
  if (asset.status === 'received' || asset.status === 'processing') {
    const kept = asset.blobs.some((b) => b.kind === 'original');
    await fail(deps, assetId, asset.workspaceId, ErrorCode.IngestAbandoned, asset.metadata as object, kept, kept);
  }
  return ingestAsset(deps, assetId, () => Promise.reject(new LoupeError(ErrorCode.IngestAbandoned, 'an abandoned ingest fetches nothing')));
}
