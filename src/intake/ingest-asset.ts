// The second step of intake, in a job: the upload's bytes become encrypted
// blobs linked to the patient, and the asset gets its card. Safe to run again
// after a crash: blobs already stored are kept, and a stored asset returns
// its card as it is.
import { Readable } from 'node:stream';
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { ErrorCode, isLoupeError, LoupeError } from '../core/errors.js';
import { identifierIn } from '../core/policy/channel-policy.js';
import { unseal } from '../crypto/seal.js';
import type { ImagingSandbox } from '../imaging/sandbox/sandbox.js';
import type { ImagingLimits } from '../imaging/limits.js';
import type { JobQueue } from '../jobs/queue.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { DataKeys } from '../storage/data-keys.js';
import type { Database } from '../storage/database.js';
import type { EncryptedBlobs } from '../storage/encrypted-blobs.js';
import type { Patients } from '../storage/patients.js';
import { transaction, type Tx } from '../storage/transaction.js';
import type { Workspaces } from '../storage/workspaces.js';
import { messageTextAad } from './accept-upload.js';
import { cardView, type CardView } from './card-view.js';
import { issueLinkToken } from './link-token.js';
import { prepareAsset, type AssetFacts } from './prepare-asset.js';

export interface IngestDeps {
  db: Database;
  queue: JobQueue;
  /**
   * The adapter's job that takes the original out of the chat. It is queued
   * with the outcome (stored or failed), in the same transaction, so no later
   * failure (posting the card, telling the uploader) can leave it there.
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
  | { outcome: 'failed'; code: ErrorCode; message: string };

const SYSTEM: AuditActor = { type: 'system', id: 'intake' };
/** The error code of an upload Loupe left in the chat because it is not an image it takes. */
export const NOT_AN_IMAGE = ErrorCode.NotAnImage;

/** `upload` is the file's bytes, or why they could not be had (the failure is recorded the same way). */
export async function ingestAsset(deps: IngestDeps, assetId: string, upload: Buffer | LoupeError): Promise<IngestResult> {
  const asset = await deps.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true, blobs: { select: { kind: true } } } });
  const consult = asset.consult;
  if (!consult) throw new Error('an intercepted asset always belongs to a consult');
  if (asset.status === 'stored') {
    const card = await deps.db.prisma.card.findUniqueOrThrow({ where: { assetId_consultId: { assetId, consultId: consult.id } } });
    return { outcome: 'stored', card: cardView(card, asset), linkToken: undefined, warnings: [] };
  }
  const policy = await deps.policies.effective(asset.workspaceId, consult.channelId);
  // Text naming a patient is PHI in the chat: its message must go, whatever becomes of the file.
  let textIdentifier: string | undefined;
  if (asset.messageText && asset.messageTextKeyId) {
    const keyRow = await deps.db.prisma.dataKey.findUniqueOrThrow({ where: { id: asset.messageTextKeyId } });
    textIdentifier = identifierIn(policy, unseal(deps.dataKeys.unwrap(keyRow), asset.messageText, messageTextAad(assetId)).toString('utf8'));
  }
  const metadata = { ...(asset.metadata as object), messageNamesPatient: textIdentifier !== undefined };
  let prepared: Awaited<ReturnType<typeof prepareAsset>>;
  try {
    if (upload instanceof LoupeError) throw upload;
    prepared = await prepareAsset(upload, { limits: deps.limits, secret: await deps.workspaces.secret(asset.workspaceId), sandbox: deps.sandbox });
  } catch (error) {
    if (!isLoupeError(error)) throw error;
    await fail(deps, assetId, asset.workspaceId, error.code, metadata);
    return { outcome: 'failed', code: error.code, message: error.message };
  }
  if (prepared.outcome === 'not_an_image' || !policy.acceptedKinds.includes(prepared.family)) {
    const reason = prepared.outcome === 'not_an_image' ? prepared.reason : `${prepared.family} files are not intercepted in this channel`;
    await deps.db.prisma.asset.update({ where: { id: assetId }, data: { status: 'failed', errorCode: NOT_AN_IMAGE, removal: 'not_possible', removalDetail: 'left in the chat' } });
    return { outcome: 'left_alone', reason };
  }
  await deps.db.prisma.asset.update({ where: { id: assetId }, data: { status: 'processing' } });
  const stored = new Set(asset.blobs.map((b) => b.kind));
  for (const blob of prepared.blobs) {
    if (stored.has(blob.kind)) continue;
    await deps.blobs.put({ assetId, kind: blob.kind, mediaType: blob.mediaType, body: Readable.from([blob.data]), actor: SYSTEM });
  }

  // The patient: from the DICOM header, else an identifier in the message text by the channel's pattern.
  let patient = prepared.patient ? { ...prepared.patient, issuer: prepared.patient.issuer || policy.identifierIssuer } : undefined;
  if (!patient && textIdentifier) patient = { identifier: textIdentifier, issuer: policy.identifierIssuer };
  const patientId = patient ? await deps.patients.link(asset.workspaceId, patient, SYSTEM) : undefined;

  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + policy.cardLifetimeSeconds * 1000);
  const facts: AssetFacts = prepared.facts;
  const kind = prepared.family === 'photo' ? 'photo' : 'dicom_instance';
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
    await queueRemoval(deps, tx, assetId);
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

function queueRemoval(deps: IngestDeps, tx: Tx, assetId: string) {
  return deps.queue.enqueue({ type: deps.removalJob, payload: { assetId }, dedupeKey: `${deps.removalJob}:${assetId}` }, tx);
}

async function fail(deps: IngestDeps, assetId: string, workspaceId: string, code: ErrorCode, metadata: object): Promise<void> {
  await transaction(deps.db, async (tx) => {
    await tx.asset.update({ where: { id: assetId }, data: { status: 'failed', errorCode: code, metadata } });
    await queueRemoval(deps, tx, assetId);
    await deps.audit.append(tx, { actor: SYSTEM, action: AuditAction.AssetFailed, outcome: 'failure', workspaceId, assetId, details: { code } });
  });
}
