// The first step of intake, on the chat request's path: decide whether an
// upload is Loupe's to take, and if so record it (consult, asset, the
// message's text sealed) and queue its ingest, all in one transaction, so a
// retried or doubled event finds the asset and does nothing more. Receiving
// a file gives its poster no standing in the consult: only an accepted
// asset does (ingestAsset, by the rule in src/core/consult/uploader-standing).
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import type { JobQueue } from '../storage/job-queue.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { DataKeys } from '../storage/data-keys.js';
import type { Database } from '../storage/database.js';
import { transaction } from '../storage/transaction.js';
import { sealAssetText } from './sealed-text.js';
import { sealSourceLocator } from './source-locator.js';
import { isUniqueViolation } from '../storage/unique.js';

export interface AcceptUploadDeps {
  db: Database;
  clock: Clock;
  dataKeys: DataKeys;
  audit: AuditLog;
  queue: JobQueue;
  policies: ChannelPolicies;
}

export interface AcceptUploadInput {
  workspaceId: string;
  channelId: string;
  /** The thread the upload belongs to (its own message when it starts one). */
  threadId: string;
  /** The message that carried the upload. */
  messageId: string | undefined;
  uploaderId: string;
  /** The platform's id of the file: one asset per file, however often it is announced. */
  sourceRef: string;
  messageText: string | undefined;
  /** How many files the message carried, when known: its removal waits until each is accounted for. */
  filesInMessage?: number;
  /** The adapter's ingest job, which fetches the bytes. */
  ingestJob: string;
  /** Who asked Loupe to secure this file (a shortcut), whatever the channel's interception. */
  requestedBy?: string;
  /** Where the platform keeps the bytes, when `sourceRef` alone does not say: sealed with the asset, given back to the gateway's fetch. */
  sourceLocator?: string;
}

export type AcceptUploadResult =
  | { outcome: 'accepted'; assetId: string; consultId: string }
  | { outcome: 'duplicate'; assetId: string }
  | { outcome: 'not_intercepted' };

/** Whether this file of the platform's is already an asset (accepted before, from any announcement of it). */
export async function isUploadKnown(deps: { db: Database }, { workspaceId, sourceRef }: { workspaceId: string; sourceRef: string }): Promise<boolean> {
  return (await deps.db.prisma.asset.findUnique({ where: { workspaceId_sourceRef: { workspaceId, sourceRef } }, select: { id: true } })) !== null;
}

export async function acceptUpload(deps: AcceptUploadDeps, input: AcceptUploadInput, retried = false): Promise<AcceptUploadResult> {
  const { workspaceId, sourceRef } = input;
  const existing = await deps.db.prisma.asset.findUnique({ where: { workspaceId_sourceRef: { workspaceId, sourceRef } }, select: { id: true } });
  if (existing) return { outcome: 'duplicate', assetId: existing.id };
  const policy = await deps.policies.effective(workspaceId, input.channelId);
  if (!policy.interception && !input.requestedBy) return { outcome: 'not_intercepted' };
  const actor: AuditActor = { type: 'user', id: input.requestedBy ?? input.uploaderId };
  try {
    return await transaction(deps.db, async (tx) => {
      const consult = await tx.consult.upsert({
        where: { workspaceId_channelId_threadId: { workspaceId, channelId: input.channelId, threadId: input.threadId } },
        create: { workspaceId, channelId: input.channelId, threadId: input.threadId, requesterId: input.uploaderId },
        update: {},
      });
      const asset = await tx.asset.create({
        data: {
          workspaceId,
          consultId: consult.id,
          uploaderId: input.uploaderId,
          sourceRef,
          sourceMessageId: input.messageId ?? null,
          metadata: input.filesInMessage === undefined ? {} : { filesInMessage: input.filesInMessage },
        },
      });
      const text = input.messageText?.trim();
      if (text) {
        // Message text may name the patient: it is kept only sealed, with the asset.
        await sealAssetText(deps, tx, asset.id, text);
      }
      if (input.sourceLocator) await sealSourceLocator(deps, tx, asset.id, input.sourceLocator);
      await deps.queue.enqueue({ type: input.ingestJob, payload: { assetId: asset.id }, dedupeKey: `${input.ingestJob}:${asset.id}` }, tx);
      await deps.audit.append(tx, {
        actor,
        action: AuditAction.AssetReceived,
        outcome: 'success',
        workspaceId,
        assetId: asset.id,
        consultId: consult.id,
        details: { requested: Boolean(input.requestedBy), uploader: input.uploaderId },
      });
      return { outcome: 'accepted' as const, assetId: asset.id, consultId: consult.id };
    });
  } catch (error) {
    // The other announcement of the same upload (or another upload starting the same consult) got there first.
    if (!isUniqueViolation(error) || retried) throw error;
    return acceptUpload(deps, input, true);
  }
}
