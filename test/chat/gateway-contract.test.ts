// What every chat platform's gateway must do, whichever platform it speaks
// to: post and update a card, tell one user, announce in a thread, alert a
// channel's admins, fetch an upload within its size cap and only from its
// own file hosts, remove an original and say how it went, and tell whether
// an original is gone. `gatewayContract` runs against the Slack gateway on
// its stand-in, the Teams gateway on its stand-in, and the in-memory fake
// the use-case tests rely on.
import { webApi } from '@slack/bolt';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatGateway } from '../../src/app/ports/chat-gateway.js';
import { slackGateway } from '../../src/chat/slack/gateway.js';
import { ErrorCode, LoupeError } from '../../src/core/errors.js';
import type { CardView } from '../../src/intake/card-view.js';
import { createLogger } from '../../src/logging.js';
import { SlackStandIn } from '../../src/demo/slack/index.js';
import { RecordingChat } from '../support/recording-chat.js';
import { loadConfig } from '../../src/config.js';
import { TEAMS_DEMO_TEAM, TEAMS_DEMO_TENANT_ID, TEAMS_DEMO_USERS, TeamsStandIn } from '../../src/demo/teams/index.js';
import { createBotFramework } from '../../src/chat/teams/bot-framework.js';
import { EntraTokens } from '../../src/chat/teams/entra-token.js';
import { Graph } from '../../src/chat/teams/graph.js';
import { teamsGateway } from '../../src/chat/teams/gateway.js';
import { uploadsIn } from '../../src/chat/teams/uploads.js';
import type { TeamsActivity } from '../../src/chat/teams/activity.js';
import { systemClock } from '../../src/core/clock.js';
import { ChatConversations } from '../../src/storage/chat-conversations.js';
import { createTestDatabase } from '../support/database.js';
import { TEAMS_APP_ID, TEAMS_SECRET, teamsEnv } from '../support/teams.js';

/** A gateway under test, with what its users would see. */
export interface GatewayUnderTest {
  gateway: ChatGateway;
  channelId: string;
  uploaderId: string;
  adminId: string;
  /** Someone in the channel who is not an admin. */
  memberId: string;
  /** The uploader puts a file in the channel, starting a thread. */
  upload(bytes: Buffer): Promise<{ sourceRef: string; locator?: string; threadId: string; messageId: string }>;
  /** What a message now says (all of it: text and structure), and whether it was deleted; undefined if there is none. */
  message(messageId: string): Promise<{ body: string; deleted: boolean } | undefined>;
  /** Everything said privately to a user. */
  toldPrivately(userId: string): Promise<string[]>;
  /** Everything said to everyone in a thread (after its first message). */
  saidInThread(threadId: string): Promise<string[]>;
  fileDeleted(sourceRef: string): Promise<boolean>;
  close(): Promise<void>;
}

export type MakeGateway = (o: { canRemove: boolean; trustFileHost: boolean }) => Promise<GatewayUnderTest>;

/** A real (tiny) JPEG: an image block shows only images. */
const PREVIEW = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888888' } }).jpeg().toBuffer();
const PHOTO = Buffer.from('ffd8ffe000104a46494600010101004800480000ffd9', 'hex');

const cardIn = (t: GatewayUnderTest, threadId: string, over: Partial<CardView> = {}): CardView => ({
  cardId: `card-${threadId}`,
  assetId: 'asset-1',
  consultId: 'consult-1',
  channelId: t.channelId,
  threadId,
  messageId: null,
  state: 'active',
  uploaderId: t.uploaderId,
  facts: undefined,
  burnedInText: false,
  createdAt: new Date('2026-03-01T10:00:00Z'),
  expiresAt: new Date('2026-03-03T10:00:00Z'),
  ...over,
});

export function gatewayContract(name: string, make: MakeGateway): void {
  describe(`the chat gateway contract: ${name}`, () => {
    let open: GatewayUnderTest | undefined;
    const start = async (o: { canRemove?: boolean; trustFileHost?: boolean } = {}) => (open = await make({ canRemove: o.canRemove ?? true, trustFileHost: o.trustFileHost ?? true }));
    afterEach(async () => {
      await open?.close();
      open = undefined;
    });

    it('posts a card in its thread, finds it again while it is live, and updates it in place', async () => {
      const t = await start();
      const { threadId } = await t.upload(PHOTO);
      const card = cardIn(t, threadId);
      expect(await t.gateway.findPostedCard(card)).toBeUndefined();
      const id = await t.gateway.postCard(card, 'https://loupe.example/view/TOKEN-ONE');
      expect((await t.message(id))?.body).toContain('https://loupe.example/view/TOKEN-ONE');
      expect(await t.gateway.findPostedCard(card)).toBe(id);
      await t.gateway.updateCard(id, { ...card, state: 'revoked' }, undefined);
      const after = await t.message(id);
      expect(after?.body).not.toContain('TOKEN-ONE');
    });

    it("shows a placed preview in the card, and takes it away for good when asked, whatever the platform holds", async () => {
      const t = await start();
      const { threadId } = await t.upload(PHOTO);
      const image = { mediaType: 'image/jpeg' as const, data: PREVIEW, altText: 'A blurred thumbnail of the clinical photo' };
      const ref = await t.gateway.placePreview(image);
      const card = cardIn(t, threadId);
      const id = await t.gateway.postCard({ ...card, preview: { ref, image } }, 'https://loupe.example/view/TOKEN-ONE');
      expect((await t.message(id))?.body).toContain(image.altText);
      await t.gateway.removePreview(ref);
      // Gone already counts as removed.
      await t.gateway.removePreview(ref);
      await t.gateway.updateCard(id, { ...card, state: 'revoked' }, undefined);
      expect((await t.message(id))?.body).not.toContain(image.altText);
      // A platform that holds it as a file of the bot's has deleted it.
      if (!ref.startsWith('inline:')) expect(await t.fileDeleted(ref)).toBe(true);
    });

    it('tells one user privately, and announces in a thread for everyone', async () => {
      const t = await start();
      const { threadId } = await t.upload(PHOTO);
      await t.gateway.tellUser(t.uploaderId, { channelId: t.channelId, threadId }, { kind: 'patient_prompt', cardId: 'card-x' });
      expect(await t.toldPrivately(t.uploaderId)).toHaveLength(1);
      expect(await t.toldPrivately(t.memberId)).toHaveLength(0);
      await t.gateway.announce({ channelId: t.channelId, threadId }, { kind: 'specialist_invited', specialistId: t.memberId, inviterId: t.uploaderId });
      expect(await t.saidInThread(threadId)).toHaveLength(1);
      expect(await t.toldPrivately(t.memberId)).toHaveLength(0);
    });

    it("alerts a channel's admins privately, and nobody else", async () => {
      const t = await start();
      await t.gateway.alertAdmins(t.channelId, { kind: 'original_not_removed' });
      expect(await t.toldPrivately(t.adminId)).toHaveLength(1);
      expect(await t.toldPrivately(t.memberId)).toHaveLength(0);
      expect(await t.toldPrivately(t.uploaderId)).toHaveLength(0);
    });

    it("tells the workspace's admins of an alert that has no channel, and nobody else", async () => {
      const t = await start();
      await t.upload(PHOTO);
      const alertUrl = 'https://loupe.hospital.example/admin/alerts/0b7e1f0e-3c1d-4d7a-9f5e-2a6b8c4d1e22';
      await t.gateway.alertWorkspaceAdmins({ kind: 'breach_alert', rule: 'failed_sign_ins', count: 12, alertUrl });
      const told = await t.toldPrivately(t.adminId);
      expect(told).toHaveLength(1);
      expect(told[0]).toContain(alertUrl);
      expect(told[0]).toContain('12');
      expect(await t.toldPrivately(t.memberId)).toHaveLength(0);
      expect(await t.toldPrivately(t.uploaderId)).toHaveLength(0);
    });

    it("tells a channel's admins of a breach alert with its link and count, and nobody else", async () => {
      const t = await start();
      const alertUrl = 'https://loupe.hospital.example/admin/alerts/5f0c1a52-8d0e-4c1b-9a7e-3e2b1c0d9f11';
      await t.gateway.alertAdmins(t.channelId, { kind: 'breach_alert', rule: 'distinct_patients', count: 23, alertUrl });
      const told = await t.toldPrivately(t.adminId);
      expect(told).toHaveLength(1);
      expect(told[0]).toContain(alertUrl);
      expect(told[0]).toContain('23');
      expect(await t.toldPrivately(t.memberId)).toHaveLength(0);
    });

    it('fetches an upload within its size cap, and answers why not beyond it', async () => {
      const t = await start();
      const { sourceRef, locator } = await t.upload(PHOTO);
      expect(Buffer.compare((await t.gateway.fetchUpload({ sourceRef, locator }, 1024)) as Buffer, PHOTO)).toBe(0);
      const tooLarge = await t.gateway.fetchUpload({ sourceRef, locator }, PHOTO.length - 1);
      expect(tooLarge).toBeInstanceOf(LoupeError);
      expect((tooLarge as LoupeError).code).toBe(ErrorCode.ImageTooLarge);
    });

    it('refuses to fetch from a host that is not its own file host', async () => {
      const t = await start({ trustFileHost: false });
      const { sourceRef, locator } = await t.upload(PHOTO);
      const refused = await t.gateway.fetchUpload({ sourceRef, locator }, 1024);
      expect(refused).toBeInstanceOf(LoupeError);
      expect((refused as LoupeError).code).toBe(ErrorCode.InvalidInput);
    });

    it('removes an original with its message and says so; the original is then gone', async () => {
      const t = await start();
      const { sourceRef, messageId } = await t.upload(PHOTO);
      expect(await t.gateway.isOriginalGone(sourceRef)).toBe(false);
      expect(await t.gateway.removeOriginal({ sourceRef, channelId: t.channelId, messageId })).toMatchObject({ outcome: 'removed' });
      expect(await t.fileDeleted(sourceRef)).toBe(true);
      expect((await t.message(messageId))?.deleted ?? true).toBe(true);
      expect(await t.gateway.isOriginalGone(sourceRef)).toBe(true);
      // Already gone counts as removed.
      expect(await t.gateway.removeOriginal({ sourceRef, channelId: t.channelId, messageId: undefined })).toMatchObject({ outcome: 'removed' });
    });

    it('says it may not remove an original when it holds no right to, and leaves it there', async () => {
      const t = await start({ canRemove: false });
      const { sourceRef, messageId } = await t.upload(PHOTO);
      expect(await t.gateway.removeOriginal({ sourceRef, channelId: t.channelId, messageId })).toEqual({ outcome: 'not_allowed' });
      expect(await t.fileDeleted(sourceRef)).toBe(false);
      expect(await t.gateway.isOriginalGone(sourceRef)).toBe(false);
    });
  });
}

// The Slack gateway, on the Slack stand-in.
gatewayContract('Slack', async ({ canRemove, trustFileHost }) => {
  const botToken = 'xoxb-contract-bot';
  const adminToken = 'xoxp-contract-admin';
  const slack = await SlackStandIn.start({ signingSecret: 'contract-signing-secret-0123456789', botToken, adminUserToken: adminToken });
  const options = { slackApiUrl: slack.apiUrl };
  const gateway = slackGateway({
    bot: new webApi.WebClient(botToken, options),
    admin: canRemove ? new webApi.WebClient(adminToken, options) : undefined,
    botToken,
    adminUsers: [],
    fileHosts: trustFileHost ? [new URL(slack.origin).host] : ['files.slack.com'],
    logger: createLogger('silent'),
  });
  const channelId = 'C0WOUNDS01';
  const live = (filter: (m: (typeof slack.messages)[number]) => boolean) => slack.messages.filter((m) => !m.deleted && filter(m)).map((m) => m.text + JSON.stringify(m.blocks ?? []));
  return {
    gateway,
    channelId,
    uploaderId: 'U0CLIN0001',
    adminId: 'U0ADMIN001',
    memberId: 'U0CLIN0002',
    upload: async (bytes) => {
      const up = await slack.uploadFile({ user: 'U0CLIN0001', channel: channelId, name: 'photo.jpg', bytes }, { deliver: false });
      return { sourceRef: up.fileId, threadId: up.ts, messageId: up.ts };
    },
    message: async (ts) => {
      const m = slack.messages.find((x) => x.ts === ts && x.channel === channelId);
      return m && { body: m.text + JSON.stringify(m.blocks ?? []), deleted: m.deleted };
    },
    toldPrivately: async (user) => live((m) => m.ephemeralTo === user || slack.directMessages(user).includes(m)),
    saidInThread: async (threadId) => live((m) => m.threadTs === threadId && m.ts !== threadId && !m.ephemeralTo),
    fileDeleted: async (id) => slack.file(id)?.deleted ?? true,
    close: () => slack.close(),
  };
});

// The Teams gateway, on the Teams stand-in: Graph hides originals (policyViolation), or, without that right, the sender is asked.
gatewayContract('Teams', async ({ canRemove, trustFileHost }) => {
  const standIn = await TeamsStandIn.start({ appId: TEAMS_APP_ID, tenantId: TEAMS_DEMO_TENANT_ID, clientSecret: TEAMS_SECRET });
  const database = await createTestDatabase('pglite');
  const teams = loadConfig({
    ...teamsEnv(standIn),
    ...(canRemove ? {} : { LOUPE_TEAMS_REMOVAL: 'ask' }),
    ...(trustFileHost ? {} : { LOUPE_TEAMS_FILE_HOSTS: 'files.sharepoint.example' }),
  }).teams!;
  const logger = createLogger('silent');
  const tokens = new EntraTokens(teams, systemClock);
  const framework = createBotFramework(teams, tokens, logger);
  const conversations = new ChatConversations(database.db);
  const workspaceId = 'contract-workspace';
  const gateway = teamsGateway({ teams, framework, graph: new Graph(teams, tokens), tokens, conversations, workspaceId: async () => workspaceId, logger });
  const channelId = TEAMS_DEMO_TEAM.channels.wound.id;
  const { amara, jordan, liWei } = TEAMS_DEMO_USERS;
  // As the adapter records it from the first activity it takes there.
  await conversations.remember({ workspaceId, conversationId: channelId, kind: 'channel', serviceUrl: standIn.serviceUrl, teamId: TEAMS_DEMO_TEAM.aadGroupId, userId: null });
  const body = (m: (typeof standIn.messages)[number]) => m.text + JSON.stringify(m.attachments);
  return {
    gateway,
    channelId,
    uploaderId: amara.aadObjectId,
    adminId: jordan.aadObjectId,
    memberId: liWei.aadObjectId,
    upload: async (bytes) => {
      const posted = await standIn.postFile({ user: amara.aadObjectId, place: { team: TEAMS_DEMO_TEAM.id, channel: channelId }, name: 'photo.jpg', bytes }, { deliver: false });
      const [upload] = uploadsIn(posted.activity as unknown as TeamsActivity, 'channel');
      return { sourceRef: upload!.sourceRef, locator: JSON.stringify(upload!.locator), threadId: posted.messageId, messageId: posted.messageId };
    },
    message: async (id) => {
      const m = standIn.messages.find((x) => x.id === id);
      return m && { body: body(m), deleted: Boolean(m.deletedDateTime) || m.hiddenByPolicy };
    },
    toldPrivately: async (user) => standIn.personalMessages(user).filter((m) => m.byBot).map(body),
    saidInThread: async (threadId) => standIn.messages.filter((m) => m.byBot && m.conversationId === `${channelId};messageid=${threadId}`).map(body),
    fileDeleted: async (sourceRef) => {
      const m = standIn.messages.find((x) => sourceRef.includes(`|${x.id}|`));
      return !m || Boolean(m.deletedDateTime) || m.hiddenByPolicy;
    },
    close: async () => {
      await standIn.close();
      await database.drop();
    },
  };
});

// The in-memory fake the use-case tests use: it must behave as a real gateway does.
gatewayContract('recording fake', async ({ canRemove, trustFileHost }) => {
  const channelId = 'C0FAKE0001';
  const chat = new RecordingChat({ canRemove, fileHosts: trustFileHost ? undefined : ['elsewhere.example'], admins: ['UADMIN'], members: { [channelId]: ['UUPLOAD', 'UADMIN', 'UMEMBER'] } });
  return {
    gateway: chat.gateway,
    channelId,
    uploaderId: 'UUPLOAD',
    adminId: 'UADMIN',
    memberId: 'UMEMBER',
    upload: async (bytes) => {
      const sourceRef = chat.addFile(bytes);
      const messageId = chat.addMessage(channelId, undefined, 'upload');
      return { sourceRef, threadId: messageId, messageId };
    },
    message: async (id) => chat.messages.find((m) => m.id === id),
    toldPrivately: async (user) => chat.messages.filter((m) => m.to === user && !m.deleted).map((m) => m.body),
    saidInThread: async (threadId) => chat.messages.filter((m) => m.threadId === threadId && !m.to && !m.deleted).map((m) => m.body),
    fileDeleted: async (id) => (chat.files.get(id) ?? chat.previews.get(id))?.deleted ?? true,
    close: async () => {},
  };
});
