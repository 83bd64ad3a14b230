// The chat gateway (src/app/ports/chat-gateway.ts) on Slack's Web API: the
// bot's client for everything, and a workspace admin's client, when Loupe has
// one, only to delete originals. Notices and cards are rendered here.
import type { webApi } from '@slack/bolt';
import type { ChatGateway } from '../../app/ports/chat-gateway.js';
import { ErrorCode, LoupeError, describeError } from '../../core/errors.js';
import type { Logger } from '../../logging.js';
import { tellChannelAdmins, tellWorkspaceAdmins } from './admins.js';
import { cardBlocks } from './card-blocks.js';
import { downloadSlackFile } from './download.js';
import { slackNotice } from './notices.js';
import { isFileGone, slackError } from './slack-errors.js';

export interface SlackGatewayDeps {
  bot: webApi.WebClient;
  /** A workspace admin's client; only used to remove uploads. */
  admin: webApi.WebClient | undefined;
  botToken: string;
  /** Slack user ids that administer Loupe besides Slack's own admins and owners (SLACK_ADMIN_USERS). */
  adminUsers: string[];
  /** Hosts files may come from (host[:port]). */
  fileHosts: string[];
  logger: Logger;
  /** A PACS is configured: cards offer Send to PACS. */
  pacs?: boolean;
}

export function slackGateway(d: SlackGatewayDeps): ChatGateway {
  /** Loupe's own bot id (auth.test), asked once: only its messages can be its cards. */
  let ownBotId: Promise<string | undefined> | undefined;
  const botId = () =>
    (ownBotId ??= d.bot.auth.test().then(
      (r) => r.bot_id,
      (error: unknown) => {
        ownBotId = undefined;
        throw error;
      },
    ));

  return {
    async fetchUpload({ sourceRef: fileId }, maxBytes) {
      try {
        const file = (await d.bot.files.info({ file: fileId })).file;
        if (!file?.url_private_download) return new LoupeError(ErrorCode.DownloadFailed, 'Slack gave no download link for the file');
        if ((file.size ?? 0) > maxBytes) return new LoupeError(ErrorCode.ImageTooLarge, `the file is larger than the limit of ${maxBytes} bytes`);
        return await downloadSlackFile(file.url_private_download, { token: d.botToken, hosts: d.fileHosts, maxBytes });
      } catch (error) {
        if (isFileGone(slackError(error))) return new LoupeError(ErrorCode.DownloadFailed, 'the file is no longer in Slack');
        if (error instanceof LoupeError && error.code !== ErrorCode.DownloadFailed) return error;
        throw error;
      }
    },

    async postCard(card, viewUrl) {
      const posted = await d.bot.chat.postMessage({ channel: card.channelId, thread_ts: card.threadId, ...cardBlocks(card, viewUrl, { pacs: d.pacs === true }), unfurl_links: false });
      if (!posted.ts) throw new LoupeError(ErrorCode.InvalidInput, 'Slack gave no ts for the posted card');
      return posted.ts;
    },

    async findPostedCard(card) {
      const own = await botId();
      if (!own) return undefined;
      const reply = await d.bot.conversations.replies({ channel: card.channelId, ts: card.threadId, limit: 200 }).catch((error: unknown) => {
        // No thread at all: nothing was posted in it.
        if (slackError(error) === 'thread_not_found') return { messages: [] };
        throw error;
      });
      // Its buttons name the card; another app's message naming it does not count.
      const names = `"value":"${card.cardId}"`;
      return (reply.messages ?? []).find((m) => m.bot_id === own && JSON.stringify(m.blocks ?? []).includes(names))?.ts;
    },

    async updateCard(messageId, card, viewUrl) {
      await d.bot.chat.update({ channel: card.channelId, ts: messageId, ...cardBlocks(card, viewUrl, { pacs: d.pacs === true }) });
    },

    async placePreview(image) {
      // Shared with no channel: the bot's own file, seen only through the card that shows it, and deleted with the bot's token.
      const uploaded = await d.bot.filesUploadV2({ file: image.data, filename: 'loupe-preview.jpg', title: 'Loupe preview', alt_text: image.altText });
      const id = uploaded.files[0]?.files?.[0]?.id;
      if (!id) throw new LoupeError(ErrorCode.InvalidInput, 'Slack gave no id for the uploaded preview');
      return id;
    },

    async removePreview(fileId) {
      await d.bot.files.delete({ file: fileId }).catch((error: unknown) => {
        if (!isFileGone(slackError(error))) throw error;
      });
    },

    async tellUser(userId, place, notice) {
      await d.bot.chat.postEphemeral({ channel: place.channelId, user: userId, ...(place.threadId ? { thread_ts: place.threadId } : {}), ...slackNotice(notice) });
    },

    async announce(place, notice) {
      await d.bot.chat.postMessage({ channel: place.channelId, thread_ts: place.threadId, ...slackNotice(notice) });
    },

    alertAdmins: (channelId, notice) => tellChannelAdmins(d.bot, channelId, slackNotice(notice).text),

    async alertWorkspaceAdmins(notice) {
      await tellWorkspaceAdmins(d.bot, d.adminUsers, slackNotice(notice).text).catch((error: unknown) => d.logger.warn({ err: describeError(error) }, "could not alert the Slack workspace's admins"));
    },

    async removeOriginal({ sourceRef, channelId, messageId }) {
      if (!d.admin) return { outcome: 'not_allowed' };
      try {
        await d.admin.files.delete({ file: sourceRef });
      } catch (error) {
        const code = slackError(error);
        // Already gone (the uploader was quicker) is the goal; anything else Slack names is final.
        if (!isFileGone(code)) {
          if (code) return { outcome: 'refused', detail: `Slack refused: ${code}` };
          throw error;
        }
      }
      if (messageId) {
        await d.admin.chat.delete({ channel: channelId, ts: messageId }).catch((error: unknown) => {
          const code = slackError(error);
          if (code !== 'message_not_found') d.logger.warn({ err: describeError(error), code }, 'could not delete the upload message');
        });
      }
      return { outcome: 'removed', detail: 'deleted with the admin token' };
    },

    async isOriginalGone(fileId) {
      return d.bot.files.info({ file: fileId }).then(
        () => false,
        (error: unknown) => {
          if (isFileGone(slackError(error))) return true;
          throw error;
        },
      );
    },
  };
}
