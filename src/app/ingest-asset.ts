// The second step of intake, in a job, in an order that keeps the chat clean
// whatever processing does:
//   1. sniff the bytes (cheap); anything not an image the channel takes is left
//      alone (an image of a kind it does not take, with a word to its uploader);
//   2. store the ORIGINAL encrypted and durable, then (one transaction) queue
//      its removal from the chat and its preparation: from here the upload
//      leaves the chat, in the order uploads arrived;
//   3. a photo gets its card at once (storeCard): the card needs no pixels,
//      and its clean-up (derivative, preview) follows in the preparation job
//      (prepare-secured-asset.ts), which also makes a DICOM image's card once
//      its header has been read;
//   4. a failure of any kind marks the asset failed with a stable code and
//      keeps the encrypted original (it may be the only copy of a clinical
//      image); the adapter tells the uploader and the admins.
// Safe to run again after a crash: a stored original is read back from the
// store (the chat's copy may already be gone), stored blobs are kept, and a
// stored or failed asset answers with its outcome.
import { Readable } from 'node:stream';
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import type { PacsConfig } from '../config.js';
import { ErrorCode, isLoupeError, LoupeError } from '../core/errors.js';
import { identifierIn, type AcceptedKind } from '../core/policy/channel-policy.js';
import type { ImagingSandbox } from '../imaging/sandbox/sandbox.js';
import type { ImagingLimits } from '../imaging/limits.js';
import { sniff, type Sniffed } from '../imaging/sniff.js';
import { archiveHoldsDicom } from '../imaging/study/archive-peek.js';
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
import { queueCardUpdate } from './queue-card-update.js';
import { storeCard } from './store-card.js';

export interface IngestDeps {
  db: Database;
  queue: JobQueue;
  /**
   * The adapter's job that takes the original out of the chat. It is queued
   * once the original is secured (or with a failure that kept nothing), in
   * the same transaction, so no later failure can leave it there.
   */
  removalJob: string;
  /** The job that cleans a secured upload (prepare-secured-asset.ts), queued with its removal. */
  prepareJob: string;
  blobs: EncryptedBlobs;
  dataKeys: DataKeys;
  patients: Patients;
  workspaces: Workspaces;
  policies: ChannelPolicies;
  audit: AuditLog;
  clock: Clock;
  limits: ImagingLimits;
  sandbox: ImagingSandbox;
  /** The hospital's PACS, where a channel's policy sends every image (export-by-policy.ts); unset: none configured. */
  pacs: PacsConfig | undefined;
}

export type IngestResult =
  | { outcome: 'stored'; card: CardView; linkToken: string | undefined; warnings: string[] }
  /** Secured, its card waiting for its preparation (a DICOM image's header names the patient). */
  | { outcome: 'preparing' }
  /** A photo's clean-up done: its card was made and delivered when its original was secured. */
  | { outcome: 'prepared' }
  | { outcome: 'left_alone'; reason: string }
  /** An image the channel's policy does not take (`accepted` says what it does): left in the chat, its uploader to be told. */
  | { outcome: 'not_accepted'; family: AcceptedKind; accepted: AcceptedKind[] }
  /** `originalKept`: the encrypted original stays in Loupe's store (the admins must hear of it). */
  | { outcome: 'failed'; code: ErrorCode; originalKept: boolean };

/** The upload's bytes, or why they cannot be had; asked only while Loupe holds no copy. Transient trouble throws (the job retries). */
export type FetchUpload = () => Promise<Buffer | LoupeError>;

export const SYSTEM: AuditActor = { type: 'system', id: 'intake' };
/** The error code of an upload Loupe left in the chat because it is not an image it takes. */
export const NOT_AN_IMAGE = ErrorCode.NotAnImage;

/** The stable code of a processing failure: Loupe's own, or one code for anything foreign. */
export const failureCode = (error: unknown): ErrorCode => (isLoupeError(error) ? error.code : ErrorCode.ProcessingFailed);

export async function ingestAsset(deps: IngestDeps, assetId: string, fetchUpload: FetchUpload): Promise<IngestResult> {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true, blobs: { select: { id: true, kind: true } } } });
  const consult = asset.consult;
  if (!consult) throw new Error('an intercepted asset always belongs to a consult');
  // A DICOM image's card is its preparation's to deliver: a second delivery here could post it twice.
  const secured = asset.status === 'processing' || asset.status === 'stored';
  if (secured && (asset.metadata as { family?: unknown }).family === 'dicom') return { outcome: 'preparing' };
  const earlier = await recordedOutcome(deps, asset, consult);
  if (earlier) return earlier;
  const policy = await deps.policies.effective(asset.workspaceId, consult.channelId);
  // Text naming a patient is PHI in the chat: its message must go, whatever becomes of the file.
  const text = await readAssetText(deps, deps.db.prisma, asset);
  const textIdentifier = text === undefined ? undefined : identifierIn(policy, text);
  let metadata: object = { ...(asset.metadata as object), messageNamesPatient: textIdentifier !== undefined };
  const failed = (code: ErrorCode, originalKept: boolean) => failAsset(deps, assetId, asset.workspaceId, code, metadata, originalKept);

  // 1. and 2.: the original, secured before anything reads more than its first bytes.
  let family = (asset.metadata as { family?: unknown }).family;
  if (asset.status === 'received') {
    const original = asset.blobs.find((b) => b.kind === 'original');
    // Stored by a run that died before recording it: the family is read again from the stored bytes.
    const upload = original ? await readBlob(deps, original.id) : await fetchUpload();
    if (upload instanceof LoupeError) return failed(upload.code, false);
    let sniffed: Sniffed;
    try {
      sniffed = sniff(upload);
    } catch (error) {
      return failed(failureCode(error), Boolean(original));
    }
    // A zip of DICOM files is a whole study: a DICOM upload, which its preparation unpacks (study/prepare-study.ts).
    const archive = sniffed.family === 'none' && (await archiveHoldsDicom(upload));
    const kind = archive ? { family: 'dicom' as const, mediaType: 'application/zip' } : sniffed;
    if (kind.family === 'none') {
      if (original) return failed(ErrorCode.ImageUnsupported, true);
      await leaveAlone(deps, asset, NOT_AN_IMAGE, 'left in the chat', asset.metadata as object);
      return { outcome: 'left_alone', reason: kind.reason };
    }
    if (!policy.acceptedKinds.includes(kind.family)) {
      if (original) return failed(ErrorCode.ImageUnsupported, true);
      // The family is kept (a non-identifying fact) so a run after a crash tells the uploader the same.
      await leaveAlone(deps, asset, ErrorCode.KindNotAccepted, 'left in the chat: a kind this channel does not take', { ...(asset.metadata as object), family: kind.family });
      return { outcome: 'not_accepted', family: kind.family, accepted: [...policy.acceptedKinds] };
    }
    if (!original) await deps.blobs.put({ assetId, kind: 'original', mediaType: kind.mediaType, body: Readable.from([upload]), actor: SYSTEM });
    family = kind.family;
    metadata = { ...metadata, family, ...(archive ? { archive: true } : {}) };
    await transaction(deps.db, async (tx) => {
      // Conditional: a run that resumes after this committed does not record it twice.
      const { count } = await tx.asset.updateMany({ where: { id: assetId, status: 'received' }, data: { status: 'processing', metadata } });
      if (count === 0) return;
      // Dated at its arrival, so originals leave the chat in the order they came, ahead of later uploads' work.
      await queueRemoval(deps, tx, assetId, asset.createdAt);
      await deps.queue.enqueue({ type: deps.prepareJob, payload: { assetId }, dedupeKey: `${deps.prepareJob}:${assetId}` }, tx);
      await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.OriginalSecured, outcome: 'success', workspaceId: asset.workspaceId, assetId, consultId: consult.id });
    });
  }
  // 3. A DICOM image's card waits for its header (prepare-secured-asset.ts); a photo's is made now.
  if (family !== 'photo') return { outcome: 'preparing' };
  const patient = textIdentifier ? { identifier: textIdentifier, issuer: policy.identifierIssuer } : undefined;
  // Never undefined for a photo: only a DICOM image's card (made with `stored`) can be refused.
  const made = (await storeCard(deps, { asset, consult, policy, facts: { family: 'photo' }, metadata, patient, burnedInText: false }))!;
  return { outcome: 'stored', card: made.card, linkToken: made.linkToken, warnings: [] };
}

/**
 * What an earlier run settled: a card already made (a stored asset's, or a
 * photo's made before its clean-up finished), or a failure; undefined when
 * there is work left.
 */
export async function recordedOutcome(
  deps: IngestDeps,
  asset: { id: string; status: string; errorCode: string | null; metadata: unknown; workspaceId: string; uploaderId: string; burnedInText: boolean | null; blobs: { kind: string }[] },
  consult: { id: string; channelId: string },
): Promise<IngestResult | undefined> {
  if (asset.status === 'failed') {
    if (asset.errorCode === NOT_AN_IMAGE) return { outcome: 'left_alone', reason: 'not an image Loupe takes' };
    if (asset.errorCode === ErrorCode.KindNotAccepted) return notAccepted(deps, asset.metadata, asset.workspaceId, consult.channelId);
    return { outcome: 'failed', code: (asset.errorCode ?? ErrorCode.ProcessingFailed) as ErrorCode, originalKept: asset.blobs.some((b) => b.kind === 'original') };
  }
  if (asset.status !== 'stored' && asset.status !== 'processing') return undefined;
  const card = await deps.db.prisma.card.findUnique({ where: { assetId_consultId: { assetId: asset.id, consultId: consult.id } } });
  if (card) return { outcome: 'stored', card: cardView(card, asset), linkToken: undefined, warnings: [] };
  return undefined;
}

/** A refusal recorded by an earlier run: the family it found, and what the channel takes now. */
async function notAccepted(deps: IngestDeps, metadata: unknown, workspaceId: string, channelId: string): Promise<IngestResult> {
  const family = (metadata as { family?: unknown }).family;
  if (family !== 'photo' && family !== 'dicom') return { outcome: 'left_alone', reason: 'not an image this channel takes' };
  const policy = await deps.policies.effective(workspaceId, channelId);
  return { outcome: 'not_accepted', family, accepted: [...policy.acceptedKinds] };
}

export async function readBlob(deps: Pick<IngestDeps, 'blobs'>, blobId: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await deps.blobs.open(blobId, SYSTEM)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function queueRemoval(deps: IngestDeps, tx: Tx, assetId: string, arrivedAt?: Date) {
  return deps.queue.enqueue({ type: deps.removalJob, payload: { assetId }, dedupeKey: `${deps.removalJob}:${assetId}`, ...(arrivedAt ? { runAt: arrivedAt } : {}) }, tx);
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

export async function failAsset(
  deps: IngestDeps,
  assetId: string,
  workspaceId: string,
  code: ErrorCode,
  metadata: object,
  originalKept: boolean,
  remove = true,
  from: ('received' | 'processing' | 'stored')[] = ['received', 'processing'],
): Promise<IngestResult> {
  await transaction(deps.db, async (tx) => {
    const left = remove ? {} : { removal: 'not_possible' as const, removalDetail: 'left in the chat: Loupe holds no copy' };
    const { count } = await tx.asset.updateMany({ where: { id: assetId, status: { in: from } }, data: { status: 'failed', errorCode: code, metadata, ...left } });
    if (count === 0) return;
    if (remove) await queueRemoval(deps, tx, assetId);
    await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.AssetFailed, outcome: 'failure', workspaceId, assetId, details: { code, originalKept, removal: remove } });
    // A photo's card, made before its clean-up failed, loses its View. Written, not just read, so a card being posted
    // right now (deliverCard writes it too) either is posted already and is redrawn, or sees the failure when it is.
    await tx.card.updateMany({ where: { assetId }, data: { updatedAt: deps.clock.now() } });
    for (const card of await tx.card.findMany({ where: { assetId }, select: { id: true } })) await queueCardUpdate(deps, tx, card.id, 'asset_failed');
  });
  return { outcome: 'failed', code, originalKept };
}

/**
 * A dead-lettered ingest ends failed, never silent: with its encrypted
 * original kept (and removed from the chat) when Loupe had secured it, else
 * left in the chat, the only copy. Once secured, the upload is its
 * preparation's (abandonPreparation): a card made already is delivered again.
 * Answers the asset's recorded outcome.
 */
export async function abandonIngest(deps: IngestDeps, assetId: string): Promise<IngestResult> {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { blobs: { select: { kind: true } }, cards: { select: { id: true } } } });
  const kept = asset.blobs.some((b) => b.kind === 'original');
  if (asset.status === 'received') {
    await failAsset(deps, assetId, asset.workspaceId, ErrorCode.IngestAbandoned, asset.metadata as object, kept, kept);
  } else if ((asset.metadata as { family?: unknown }).family === 'photo' && asset.cards.length === 0) {
    // A secured photo whose card could never be made: out of the chat, so it must not end silent, cleaned or not.
    await failAsset(deps, assetId, asset.workspaceId, ErrorCode.IngestAbandoned, asset.metadata as object, kept, true, ['processing', 'stored']);
  }
  return ingestAsset(deps, assetId, () => Promise.reject(new LoupeError(ErrorCode.IngestAbandoned, 'an abandoned ingest fetches nothing')));
}
