// The third step of intake, in a job of its own (the worker's imaging lane,
// one per imaging sandbox child): a secured upload is read back from the
// store and cleaned in the sandbox (a photo's derivative without metadata and
// its preview; a DICOM image de-identified, its facts, its patient and its
// preview), the results stored encrypted, and the asset marked stored. A
// DICOM image's card is made here (its header names the patient); a photo's
// was made when its original was secured. Anything the imaging code throws
// is this upload's failure, not a reason to retry: the asset is marked failed
// with a stable code, its encrypted original kept, and a card already posted
// loses its View. Safe to run again: stored blobs are kept, a settled asset
// answers with its outcome.
import { Readable } from 'node:stream';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { identifierIn } from '../core/policy/channel-policy.js';
import { prepareAsset } from '../intake/prepare-asset.js';
import { transaction } from '../storage/transaction.js';
import { failAsset, failureCode, readBlob, recordedOutcome, SYSTEM, type IngestDeps, type IngestResult } from './ingest-asset.js';
import { readAssetText } from './sealed-text.js';
import { storeCard, storedEvent } from './store-card.js';
import { queueCardUpdate } from './queue-card-update.js';
import { prepareStudy } from './study/prepare-study.js';
import { exportByPolicy } from './pacs/export-by-policy.js';

export async function prepareSecuredAsset(deps: IngestDeps, assetId: string): Promise<IngestResult> {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true, blobs: { select: { id: true, kind: true } } } });
  const consult = asset.consult;
  if (!consult) throw new Error('an intercepted asset always belongs to a consult');
  const family = (asset.metadata as { family?: unknown }).family;
  if (asset.status !== 'processing') {
    // Settled by an earlier run (or revoked or shredded meanwhile): a photo's card is not this job's to deliver.
    if (family === 'photo' && asset.status !== 'failed') return { outcome: 'prepared' };
    return (await recordedOutcome(deps, asset, consult)) ?? { outcome: 'prepared' };
  }
  const original = asset.blobs.find((b) => b.kind === 'original');
  if (!original) throw new LoupeError(ErrorCode.InvalidInput, 'an upload in preparation has its original stored');
  const metadata = asset.metadata as object;
  const failed = (code: ErrorCode) => failAsset(deps, assetId, asset.workspaceId, code, metadata, true);
  const policy = await deps.policies.effective(asset.workspaceId, consult.channelId);
  if ((metadata as { archive?: unknown }).archive === true) {
    if (!policy.acceptedKinds.includes('dicom')) return failed(ErrorCode.ImageUnsupported);
    const result = await prepareStudy(deps, { asset, consult, policy, metadata, originalBlobId: original.id });
    // Failed or revoked meanwhile: the outcome as it is now recorded, as a later run would find it.
    return result === 'again' ? prepareSecuredAsset(deps, assetId) : result;
  }
  const bytes = await readBlob(deps, original.id);
  const secret = await deps.workspaces.secret(asset.workspaceId);
  let prepared: Awaited<ReturnType<typeof prepareAsset>>;
  try {
    prepared = await prepareAsset(bytes, { limits: deps.limits, secret, sandbox: deps.sandbox });
  } catch (error) {
    return failed(failureCode(error));
  }
  if (prepared.outcome === 'not_an_image' || !policy.acceptedKinds.includes(prepared.family) || prepared.family !== family) return failed(ErrorCode.ImageUnsupported);
  const stored = new Set(asset.blobs.map((b) => b.kind));
  for (const blob of prepared.blobs) {
    if (blob.kind === 'original' || stored.has(blob.kind)) continue;
    await deps.blobs.put({ assetId, kind: blob.kind, mediaType: blob.mediaType, body: Readable.from([blob.data]), actor: SYSTEM });
  }
  const kind = prepared.family === 'photo' ? 'photo' : 'dicom_instance';
  if (prepared.family === 'photo') {
    await transaction(deps.db, async (tx) => {
      // Conditional: a card revoked while its photo was being cleaned stays revoked.
      const { count } = await tx.asset.updateMany({ where: { id: assetId, status: 'processing' }, data: { status: 'stored', metadata: { ...metadata, ...prepared.facts } } });
      if (count !== 1) return;
      await storedEvent(deps, tx, { assetId, workspaceId: asset.workspaceId, consultId: consult.id, patientId: asset.patientId, kind, blobs: prepared.blobs.length, burnedInText: false });
      const card = await tx.card.findFirst({ where: { assetId }, select: { id: true, state: true, workspaceId: true, channelId: true } });
      // Its card already active (its patient known at upload, or linked while it was cleaned): the channel's policy may send it to the PACS now.
      if (card?.state === 'active') await exportByPolicy(deps, tx, { cardId: card.id, workspaceId: card.workspaceId, channelId: card.channelId });
      // The photo's card went out while it was being cleaned: redrawn with its preview now there is one (its links stand).
      if (card && policy.previewMode === 'deidentified') await queueCardUpdate(deps, tx, card.id, 'preview_ready', { keepLinks: true });
    });
    return { outcome: 'prepared' };
  }
  // The patient: from the DICOM header, else an identifier in the message text by the channel's pattern.
  let patient = prepared.patient ? { ...prepared.patient, issuer: prepared.patient.issuer || policy.identifierIssuer } : undefined;
  if (!patient) {
    const text = await readAssetText(deps, deps.db.prisma, asset);
    const identifier = text === undefined ? undefined : identifierIn(policy, text);
    if (identifier) patient = { identifier, issuer: policy.identifierIssuer };
  }
  const made = await storeCard(deps, { asset, consult, policy, facts: prepared.facts, metadata, patient, burnedInText: prepared.burnedInText, stored: { blobs: prepared.blobs.length } });
  // Failed or revoked meanwhile: the outcome as it is now recorded, as a later run would find it.
  if (!made) return prepareSecuredAsset(deps, assetId);
  return { outcome: 'stored', card: made.card, linkToken: made.linkToken, warnings: prepared.warnings };
}

/** A preparation whose retries ran out, or that took its worker down: the upload ends failed, its encrypted original kept. */
export async function abandonPreparation(deps: IngestDeps, assetId: string): Promise<IngestResult> {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, select: { status: true, workspaceId: true, metadata: true } });
  if (asset.status === 'processing') await failAsset(deps, assetId, asset.workspaceId, ErrorCode.IngestAbandoned, asset.metadata as object, true);
  return prepareSecuredAsset(deps, assetId);
}
