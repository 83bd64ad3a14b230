// The viewer's view of Slack: who a verified hospital email belongs to, who
// is in a channel, and telling a channel's admins something privately.
import type { webApi } from '@slack/bolt';
import type { ChatDirectory } from '../../web/viewer/directory.js';
import { tellChannelAdmins } from './admins.js';

export function slackDirectory(bot: webApi.WebClient): ChatDirectory {
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
    tellAdmins: (_workspaceId, channelId, text) => tellChannelAdmins(bot, channelId, text),
  };
}
