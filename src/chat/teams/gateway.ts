// The chat gateway (src/app/ports/chat-gateway.ts) on Teams: the Bot
// Connector for cards and messages (there are no ephemeral messages in Teams:
// "privately" is the user's personal chat with Loupe), Microsoft Graph for
// files, for reading messages back, and for hiding originals (policyViolation).
import { randomUUID } from 'node:crypto';
import type { ChatGateway, ChatPlace } from '../../app/ports/chat-gateway.js';
import type { Notice } from '../../app/notices.js';
import type { TeamsConfig } from '../../config.js';
import { ErrorCode, LoupeError, describeError } from '../../core/errors.js';
import type { Logger } from '../../logging.js';
import type { ChatConversation, ChatConversations } from '../../storage/chat-conversations.js';
import { downloadFile } from '../download.js';
import { threadConversation, type OutgoingActivity } from './activity.js';
import { cardActivity } from './adaptive-card.js';
import { cardAudiences } from './audience.js';
import type { BotFramework } from './bot-framework.js';
import type { EntraTokens } from './entra-token.js';
import type { Graph } from './graph.js';
import { messagePath } from './message-path.js';
import { teamsNotice } from './notices.js';
import { parseSourceRef, type Locator } from './uploads.js';

export interface TeamsGatewayDeps {
  teams: TeamsConfig;
  framework: BotFramework;
  graph: Graph;
  tokens: EntraTokens;
  conversations: ChatConversations;
  /** The tenant's workspace id in Loupe. */
  workspaceId: () => Promise<string>;
  logger: Logger;
  /** A PACS is configured: cards offer Send to PACS. */
  pacs?: boolean;
}

/** The conversation (without its thread) a source ref belongs to. */
const baseOf = (sourceRef: string) => (parseSourceRef(sourceRef)?.conversationId ?? '').replace(/;messageid=\d+$/, '');

/** Teams' own reasons an upload cannot be had are returned; transient trouble throws, to retry. */
const FINAL = new Set<string>([ErrorCode.DownloadFailed, ErrorCode.ImageTooLarge, ErrorCode.InvalidInput]);

export function teamsGateway(d: TeamsGatewayDeps): ChatGateway {
  const conversation = async (conversationId: string): Promise<ChatConversation> => {
    const found = await d.conversations.find(await d.workspaceId(), conversationId);
    if (!found) throw new LoupeError(ErrorCode.NotFound, 'Loupe has had no activity from this Teams conversation');
    return found;
  };
  const connectorOf = (c: ChatConversation) => d.framework.connector(c.serviceUrl);
  const { adminsOf, audienceOf } = cardAudiences(d);

  async function fetchBytes(locator: Locator, sourceRef: string, maxBytes: number): Promise<Buffer> {
    switch (locator.via) {
      case 'share': {
        // Only a file among the conversation's own: the channel's folder, or the sender's OneDrive in a chat.
        const c = await conversation(baseOf(sourceRef));
        const area = c.kind === 'channel' && c.teamId ? await d.graph.channelFiles(c.teamId, c.conversationId) : await d.graph.userFiles(locator.owner);
        return d.graph.sharedFile(locator.url, maxBytes, area);
      }
      case 'download':
        // Pre-authenticated: no token goes with it.
        return downloadFile(locator.url, { hosts: d.teams.fileHosts, maxBytes, platform: 'Teams' });
      case 'connector':
        return downloadFile(locator.url, { token: await d.tokens.token(d.teams.botScope), hosts: d.teams.serviceUrlHosts, maxBytes, platform: 'Teams' });
      case 'hosted': {
        const ref = parseSourceRef(sourceRef);
        const path = ref && messagePath(await conversation(baseOf(sourceRef)), ref.conversationId, ref.messageId);
        if (!path) throw new LoupeError(ErrorCode.DownloadFailed, 'the pasted image is not in a channel or group chat');
        return d.graph.hostedContent(path, locator.contentId, maxBytes);
      }
    }
  }

  /** The message a source ref names, as a Graph path; undefined in personal chats, which Graph knows by other ids. */
  async function originalPath(sourceRef: string): Promise<string | undefined> {
    const ref = parseSourceRef(sourceRef);
    if (!ref) return undefined;
    return messagePath(await conversation(baseOf(sourceRef)), ref.conversationId, ref.messageId);
  }

  /** Display names for a notice's mentions, from the conversation's roster. */
  async function render(c: ChatConversation, notice: Notice): Promise<OutgoingActivity> {
    const ids = 'specialistId' in notice ? [notice.specialistId, notice.inviterId] : 'userId' in notice ? [notice.userId] : [];
    const names = new Map<string, string>();
    for (const id of ids) names.set(id, (await connectorOf(c).member(c.conversationId, id).catch(() => undefined))?.name ?? 'someone');
    return teamsNotice(notice, (id) => names.get(id) ?? 'someone');
  }

  /** The user's personal chat with Loupe: known, or started through a conversation they are in. */
  async function personalChat(userId: string, c: ChatConversation): Promise<ChatConversation> {
    const workspaceId = await d.workspaceId();
    const known = await d.conversations.personalOf(workspaceId, userId);
    if (known) return known;
    const member = await connectorOf(c).member(c.conversationId, userId);
    if (!member) throw new LoupeError(ErrorCode.NotFound, 'the user is not in this conversation');
    const id = await connectorOf(c).personalChat(member.id, d.teams.tenantId);
    const personal: ChatConversation = { workspaceId, conversationId: id, kind: 'personal', serviceUrl: c.serviceUrl, teamId: null, userId };
    await d.conversations.remember(personal);
    return personal;
  }

  async function tellUser(userId: string, place: ChatPlace, notice: Notice): Promise<void> {
    const c = await conversation(place.channelId);
    const personal = await personalChat(userId, c);
    await connectorOf(personal).send(personal.conversationId, await render(c, notice));
  }

  /**
   * The tenant's Loupe admins (LOUPE_TEAMS_ADMINS); with none configured, the
   * owners of the teams Loupe works in. Each is reached in their personal chat,
   * started through the first known channel they are in.
   */
  async function tellWorkspaceAdmins(notice: Notice): Promise<void> {
    const workspaceId = await d.workspaceId();
    const byTeam = await d.conversations.teamChannels(workspaceId);
    const channels: ChatConversation[] = [];
    for (const ids of byTeam.values()) for (const id of ids) channels.push(await conversation(id));
    const admins = new Set(d.teams.adminObjectIds);
    if (admins.size === 0) for (const teamId of byTeam.keys()) for (const owner of await d.graph.teamOwners(teamId)) admins.add(owner);
    for (const admin of admins) {
      let personal: ChatConversation | undefined = await d.conversations.personalOf(workspaceId, admin);
      for (const c of channels) {
        if (personal) break;
        personal = await personalChat(admin, c).catch(() => undefined);
      }
      if (personal) await connectorOf(personal).send(personal.conversationId, await render(personal, notice));
      else d.logger.warn('a Teams admin could not be reached for an alert: no known conversation has them');
    }
  }

  return {
    async fetchUpload({ sourceRef, locator }, maxBytes) {
      if (!locator) return new LoupeError(ErrorCode.DownloadFailed, 'Loupe holds no location for this Teams upload');
      try {
        return await fetchBytes(JSON.parse(locator) as Locator, sourceRef, maxBytes);
      } catch (error) {
        if (error instanceof LoupeError && FINAL.has(error.code)) return error;
        throw error;
      }
    },

    async postCard(card, viewUrl) {
      const c = await conversation(card.channelId);
      return connectorOf(c).send(threadConversation(c.kind, c.conversationId, card.threadId), cardActivity(card, viewUrl, await audienceOf(c, card.uploaderId)));
    },

    async findPostedCard(card) {
      const c = await conversation(card.channelId);
      const path = messagePath(c, threadConversation(c.kind, c.conversationId, card.threadId), card.threadId);
      if (!path) return undefined;
      return d.graph.findOwnCard(path, c.kind === 'channel', card.cardId, d.teams.appId);
    },

    // Teams holds no file of Loupe's for it: the preview travels inside the card, and a redraw without it takes it away.
    // Each placement its own ref, so each is withdrawn on its own (card-preview.ts, preview-sweep.ts).
    placePreview: async () => `inline:${randomUUID()}`,
    removePreview: async () => {},

    async updateCard(messageId, card, viewUrl) {
      const c = await conversation(card.channelId);
      await connectorOf(c).update(threadConversation(c.kind, c.conversationId, card.threadId), messageId, cardActivity(card, viewUrl, await audienceOf(c, card.uploaderId)));
    },

    tellUser,

    async announce(place, notice) {
      const c = await conversation(place.channelId);
      await connectorOf(c).send(threadConversation(c.kind, c.conversationId, place.threadId), await render(c, notice));
    },

    async alertAdmins(channelId, notice) {
      try {
        for (const admin of await adminsOf(await conversation(channelId))) await tellUser(admin, { channelId }, notice);
      } catch (error) {
        d.logger.warn({ err: describeError(error) }, 'could not alert the admins of a Teams conversation');
      }
    },

    async alertWorkspaceAdmins(notice) {
      try {
        await tellWorkspaceAdmins(notice);
      } catch (error) {
        d.logger.warn({ err: describeError(error) }, "could not alert the Teams tenant's admins");
      }
    },

    async removeOriginal({ sourceRef }) {
      if (d.teams.removal === 'ask') return { outcome: 'not_allowed' };
      const path = await originalPath(sourceRef);
      if (!path) return { outcome: 'not_allowed' };
      const message = await d.graph.message(path);
      if (!message || message.deletedDateTime) return { outcome: 'removed', detail: 'already deleted' };
      // Teams hides a whole message: its text and every file in it go together.
      if (!(await d.graph.hide(path))) return { outcome: 'not_allowed' };
      return { outcome: 'removed', detail: 'hidden by a Graph policy violation (BlockAccess)' };
    },

    async isOriginalGone(sourceRef) {
      const path = await originalPath(sourceRef);
      if (!path) return false;
      const message = await d.graph.message(path);
      return !message || Boolean(message.deletedDateTime) || message.policyViolation?.dlpAction?.toLowerCase() === 'blockaccess';
    },
  };
}
