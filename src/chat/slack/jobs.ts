// The Slack adapter's durable work: fetch an accepted upload and ingest it,
// post its card in the thread, then take the original out of Slack (with the
// admin's token, or by asking the uploader). Each handler is idempotent.
import type { webApi } from '@slack/bolt';
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import { ErrorCode, LoupeError, describeError } from '../../core/errors.js';
import { updateCardJob } from '../../cards/lifecycle.js';
import { acceptUpload, type AcceptUploadDeps } from '../../intake/accept-upload.js';
import { cardView } from '../../intake/card-view.js';
import { issueLinkToken } from '../../intake/link-token.js';
import { abandonIngest, ingestAsset, type IngestDeps, type IngestResult } from '../../intake/ingest-asset.js';
import { deadLetterJob, type JobQueue } from '../../jobs/queue.js';
import type { JobHandler } from '../../jobs/worker.js';
import type { Logger } from '../../logging.js';
import type { Storage } from '../../storage/services.js';
import { transaction } from '../../storage/transaction.js';
import { tellChannelAdmins } from './admins.js';
import { cardBlocks } from './card-blocks.js';
import { downloadSlackFile } from './download.js';
import { slackNotice } from './notices.js';

export const SlackJob = {
  Ingest: 'slack.ingest',
  FileShared: 'slack.file_shared',
  RemoveOriginal: 'slack.remove_original',
  RecheckRemoval: 'slack.recheck_removal',
  UpdateCard: updateCardJob('slack'),
} as const;

export interface SlackJobDeps {
  storage: Storage;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  bot: webApi.WebClient;
  /** A workspace admin's client; only used to remove uploads. */
  admin: webApi.WebClient | undefined;
  fileHosts: string[];
  maxUploadBytes: number;
  botToken: string;
  viewUrl: (token: string) => string;
  ingest: IngestDeps;
  accept: AcceptUploadDeps;
  /** How long to wait before checking whether an uploader removed their file. */
  recheckAfterMs: number;
}

const SYSTEM: AuditActor = { type: 'system', id: 'slack' };
const assetOf = (payload: unknown) => {
  const id = (payload as { assetId?: unknown } | null)?.assetId;
  if (typeof id !== 'string') throw new LoupeError(ErrorCode.InvalidInput, 'job payload without an asset id');
  return id;
};

/** The error code of a failed Slack Web API call (undefined for anything else, such as network trouble). */
function slackError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Slack says the file is gone: deleted, or never there. */
const isFileGone = (code: string | undefined) => code === 'file_not_found' || code === 'file_deleted';

export function slackJobHandlers(d: SlackJobDeps): Record<string, JobHandler> {
  const db = d.storage.db;

  /** The upload's bytes, or why they cannot be had (retrying would not help). Network trouble throws, to retry. */
  async function fetchUpload(fileId: string): Promise<Buffer | LoupeError> {
    try {
      const file = (await d.bot.files.info({ file: fileId })).file;
      if (!file?.url_private_download) return new LoupeError(ErrorCode.DownloadFailed, 'Slack gave no download link for the file');
      if ((file.size ?? 0) > d.maxUploadBytes) return new LoupeError(ErrorCode.ImageTooLarge, `the file is larger than the limit of ${d.maxUploadBytes} bytes`);
      return await downloadSlackFile(file.url_private_download, { token: d.botToken, hosts: d.fileHosts, maxBytes: d.maxUploadBytes });
    } catch (error) {
      const code = slackError(error);
      if (isFileGone(code)) return new LoupeError(ErrorCode.DownloadFailed, 'the file is no longer in Slack');
      if (error instanceof LoupeError && error.code !== ErrorCode.DownloadFailed) return error;
      throw error;
    }
  }

  const ingest: JobHandler = async (payload, context) => {
    const assetId = assetOf(payload);
    const result = await ingestAsset(d.ingest, assetId, async () => fetchUpload((await db.prisma.asset.findUniqueOrThrow({ where: { id: assetId } })).sourceRef));
    await followUp(assetId, result, context.attempt > 1);
  };

  /** An ingest that dead-lettered (its retries ran out, or it took its worker down): the asset ends failed and people are told. */
  const ingestDead: JobHandler = async (payload) => {
    const assetId = assetOf(payload);
    await followUp(assetId, await abandonIngest(d.ingest, assetId), true);
  };

  /**
   * What the chat sees of an ingest's outcome: its card, or a private word to
   * the uploader and the admins. Safe to repeat: `mayHavePosted` (a run after
   * one that died) looks for the card in the thread before posting it.
   */
  async function followUp(assetId: string, result: IngestResult, mayHavePosted: boolean): Promise<void> {
    if (result.outcome === 'left_alone') return;
    const asset = await db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true } });
    const consult = asset.consult!;
    if (result.outcome === 'failed') {
      await d.bot.chat.postEphemeral({ channel: consult.channelId, user: asset.uploaderId, thread_ts: consult.threadId, ...slackNotice({ kind: 'upload_failed', code: result.code, originalKept: result.originalKept }) });
      // A clinical image Loupe holds but cannot show, or an upload it could not secure at all: someone must look at it.
      if (result.originalKept || result.code === ErrorCode.IngestAbandoned) await tellChannelAdmins(d.bot, consult.channelId, slackNotice({ kind: 'upload_failed_alert', originalKept: result.originalKept }).text);
      return;
    }
    const card = await db.prisma.card.findUniqueOrThrow({ where: { id: result.card.cardId } });
    if (card.messageId) return;
    let ts = mayHavePosted ? await postedCard(card) : undefined;
    if (!ts) {
      // A run that died after the previous one had no link to show: a fresh one.
      const token = result.linkToken ?? (await transaction(db, (tx) => issueLinkToken(tx, card.id, card.expiresAt, d.clock.now())));
      const posted = await d.bot.chat.postMessage({ channel: card.channelId, thread_ts: card.threadId, ...cardBlocks(result.card, d.viewUrl(token)), unfurl_links: false });
      ts = posted.ts;
    }
    await transaction(db, async (tx) => {
      await tx.card.update({ where: { id: card.id }, data: { messageId: ts ?? null } });
      await d.storage.audit.append(tx, { actor: SYSTEM, action: AuditAction.CardPosted, outcome: 'success', workspaceId: card.workspaceId, assetId, consultId: card.consultId });
    });
    if (card.state === 'waiting_for_patient') {
      await d.bot.chat.postEphemeral({ channel: card.channelId, user: asset.uploaderId, thread_ts: card.threadId, ...slackNotice({ kind: 'patient_prompt', cardId: card.id }) });
    }
    // Whatever the outcome, the upload leaves the chat: its removal was queued when its original was secured (ingestAsset).
  }

  /** Loupe's own bot id (auth.test), asked once: only its messages can be its cards. */
  let ownBotId: Promise<string | undefined> | undefined;
  const botId = () => (ownBotId ??= d.bot.auth.test().then((r) => r.bot_id, (error: unknown) => {
    ownBotId = undefined;
    throw error;
  }));

  /** The card's message, if a run that died had posted it: Loupe's own message in the thread whose buttons name the card (another app's message naming it does not count). */
  async function postedCard(card: { id: string; channelId: string; threadId: string }): Promise<string | undefined> {
    const own = await botId();
    if (!own) return undefined;
    const reply = await d.bot.conversations.replies({ channel: card.channelId, ts: card.threadId, limit: 200 }).catch((error: unknown) => {
      // No thread at all: nothing was posted in it.
      if (slackError(error) === 'thread_not_found') return { messages: [] };
      throw error;
    });
    const messages = reply.messages ?? [];
    const names = `"value":"${card.id}"`;
    return messages.find((m) => m.bot_id === own && JSON.stringify(m.blocks ?? []).includes(names))?.ts;
  }

  async function setRemoval(assetId: string, workspaceId: string, removal: 'removed' | 'requested' | 'not_possible' | 'failed', detail: string, action: string) {
    await transaction(db, async (tx) => {
      await tx.asset.update({ where: { id: assetId }, data: { removal, removalDetail: detail } });
      await d.storage.audit.append(tx, {
        actor: SYSTEM,
        action,
        outcome: removal === 'removed' || removal === 'requested' ? 'success' : 'failure',
        workspaceId,
        assetId,
        details: { removal, detail },
      });
    });
  }

  const removeOriginal: JobHandler = async (payload) => {
    const assetId = assetOf(payload);
    const asset = await db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true } });
    const consult = asset.consult!;
    if (asset.removal !== 'pending') return;
    if (!d.admin) {
      await d.bot.chat.postEphemeral({ channel: consult.channelId, user: asset.uploaderId, thread_ts: consult.threadId, ...slackNotice({ kind: 'removal_request', assetId: asset.id, stillThere: false }) });
      await setRemoval(assetId, asset.workspaceId, 'requested', 'uploader asked to delete it', AuditAction.OriginalRemovalRequested);
      await d.queue.enqueue({
        type: SlackJob.RecheckRemoval,
        payload: { assetId },
        dedupeKey: `${SlackJob.RecheckRemoval}:${assetId}`,
        runAt: new Date(d.clock.now().getTime() + d.recheckAfterMs),
      });
      return;
    }
    try {
      await d.admin.files.delete({ file: asset.sourceRef });
    } catch (error) {
      const code = slackError(error);
      if (isFileGone(code)) {
        // Already gone (the uploader was quicker): that is the goal.
      } else if (code) {
        await setRemoval(assetId, asset.workspaceId, 'not_possible', `Slack refused: ${code}`, AuditAction.OriginalNotRemovable);
        await alertAdmins(consult.channelId);
        return;
      } else throw error;
    }
    if (asset.sourceMessageId && (await messageShouldGo(asset))) {
      await d.admin.chat.delete({ channel: consult.channelId, ts: asset.sourceMessageId }).catch((error: unknown) => {
        const code = slackError(error);
        if (code !== 'message_not_found') d.logger.warn({ err: describeError(error), code }, 'could not delete the upload message');
      });
    }
    await setRemoval(assetId, asset.workspaceId, 'removed', 'deleted with the admin token', AuditAction.OriginalRemoved);
  };

  /** Redraws a posted card as it now stands; a live card gets a fresh link, a dead one loses its buttons. */
  const updateCard: JobHandler = async (payload) => {
    const cardId = (payload as { cardId?: unknown } | null)?.cardId;
    if (typeof cardId !== 'string') throw new LoupeError(ErrorCode.InvalidInput, 'job payload without a card id');
    const card = await db.prisma.card.findUniqueOrThrow({ where: { id: cardId }, include: { asset: true } });
    if (!card.messageId) return;
    const live = card.state === 'active' || card.state === 'waiting_for_patient';
    const token = live ? await transaction(db, (tx) => issueLinkToken(tx, card.id, card.expiresAt, d.clock.now())) : undefined;
    const message = cardBlocks(cardView(card, card.asset), token ? d.viewUrl(token) : undefined);
    await d.bot.chat.update({ channel: card.channelId, ts: card.messageId, ...message });
  };

  /**
   * The upload's message goes too when its text names the patient, or when it
   * has no text and every file in it is an image Loupe secured (deleting it
   * must not take a colleague's document with it).
   */
  async function messageShouldGo(asset: { workspaceId: string; sourceMessageId: string | null; messageText: Uint8Array | null; metadata: unknown }): Promise<boolean> {
    const meta = (asset.metadata ?? {}) as { filesInMessage?: number; messageNamesPatient?: boolean };
    if (meta.messageNamesPatient) return true;
    if (asset.messageText || meta.filesInMessage === undefined) return false;
    const siblings = await db.prisma.asset.findMany({ where: { workspaceId: asset.workspaceId, sourceMessageId: asset.sourceMessageId }, select: { status: true, removal: true } });
    // A sibling not yet looked at may be a document (the last image's own removal decides then); one left in the chat stays with its message.
    return siblings.length === meta.filesInMessage && siblings.every((s) => s.status !== 'received' && s.removal !== 'not_possible');
  }

  const recheckRemoval: JobHandler = async (payload) => {
    const assetId = assetOf(payload);
    const asset = await db.prisma.asset.findUniqueOrThrow({ where: { id: assetId }, include: { consult: true } });
    if (asset.removal !== 'requested') return;
    const gone = await d.bot.files.info({ file: asset.sourceRef }).then(
      () => false,
      (error: unknown) => {
        const code = slackError(error);
        if (isFileGone(code)) return true;
        throw error;
      },
    );
    if (gone) {
      await setRemoval(assetId, asset.workspaceId, 'removed', 'deleted by the uploader', AuditAction.OriginalRemoved);
      return;
    }
    // The uploader said they had deleted it, but it is still there: say so; the scheduled check decides.
    if ((payload as { final?: unknown }).final === false) {
      const consult = asset.consult!;
      await d.bot.chat.postEphemeral({ channel: consult.channelId, user: asset.uploaderId, thread_ts: consult.threadId, ...slackNotice({ kind: 'removal_request', assetId: asset.id, stillThere: true }) });
      return;
    }
    await setRemoval(assetId, asset.workspaceId, 'not_possible', 'still in Slack after the uploader was asked', AuditAction.OriginalNotRemovable);
    await alertAdmins(asset.consult!.channelId);
  };

  /** Admins in the channel see, privately, that an upload could not be taken out of it. */
  const alertAdmins = (channelId: string) =>
    tellChannelAdmins(d.bot, channelId, slackNotice({ kind: 'original_not_removed' }).text);

  const fileShared: JobHandler = async (payload) => {
    const p = payload as { workspaceId: string; fileId: string; channelId: string; userId: string };
    const info = await d.bot.files.info({ file: p.fileId });
    const shares = (info.file?.shares as { public?: Record<string, { ts?: string; thread_ts?: string }[]>; private?: Record<string, { ts?: string; thread_ts?: string }[]> } | undefined) ?? {};
    const share = shares.public?.[p.channelId]?.[0] ?? shares.private?.[p.channelId]?.[0];
    if (!share?.ts) return;
    await acceptUpload(d.accept, {
      workspaceId: p.workspaceId,
      channelId: p.channelId,
      threadId: share.thread_ts ?? share.ts,
      messageId: share.ts,
      uploaderId: p.userId,
      sourceRef: p.fileId,
      messageText: undefined,
      ingestJob: SlackJob.Ingest,
    });
  };

  return {
    [SlackJob.Ingest]: ingest,
    [deadLetterJob(SlackJob.Ingest)]: ingestDead,
    [SlackJob.RemoveOriginal]: removeOriginal,
    [SlackJob.RecheckRemoval]: recheckRemoval,
    [SlackJob.FileShared]: fileShared,
    [SlackJob.UpdateCard]: updateCard,
  };
}
