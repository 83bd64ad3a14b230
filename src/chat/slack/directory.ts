// The chat directory (src/app/ports/chat-directory.ts) on Slack: who a
// verified hospital email belongs to, who is in a channel, who is an admin.
// One Slack workspace per bot token, so the workspace id is not needed here.
import type { webApi } from '@slack/bolt';
import type { ChatDirectory } from '../../app/ports/chat-directory.js';
import { slackAdmins } from './admins.js';

export function slackDirectory(bot: webApi.WebClient, configuredAdmins: string[]): ChatDirectory {
  const isAdmin = slackAdmins(bot, configuredAdmins);
  return {
    userByEmail: async (_workspaceId, email) => {
      const found = await bot.users.lookupByEmail({ email }).catch(() => undefined);
      const user = found?.user;
      // Guests from other organisations (Slack Connect) are not the hospital's clinicians.
      return user && !user.deleted && !(user as { is_stranger?: boolean }).is_stranger ? user.id : undefined;
    },
    isChannelMember: async (_workspaceId, channelId, userId) => {
      let cursor: string | undefined;
      do {
        const page = await bot.conversations.members({ channel: channelId, limit: 1000, ...(cursor ? { cursor } : {}) });
        if (page.members?.includes(userId)) return true;
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
      return false;
    },
    isAdmin: (_workspaceId, userId) => isAdmin(userId),
  };
}
