// Who administers Loupe in a Slack workspace: Slack's own admins and owners,
// and the users Loupe's configuration names.
import type { webApi } from '@slack/bolt';

export function slackAdmins(bot: webApi.WebClient, configured: string[]): (userId: string) => Promise<boolean> {
  return async (userId) => {
    if (configured.includes(userId)) return true;
    const info = await bot.users.info({ user: userId });
    return Boolean(info.user?.is_admin || info.user?.is_owner);
  };
}

/** Tells the admins among a channel's members something, privately, in that channel. */
export async function tellChannelAdmins(bot: webApi.WebClient, channelId: string, text: string): Promise<void> {
  const members = await bot.conversations.members({ channel: channelId }).then((r) => r.members ?? [], () => [] as string[]);
  for (const user of members) {
    const info = await bot.users.info({ user }).catch(() => undefined);
    if (!info?.user?.is_admin && !info?.user?.is_owner) continue;
    await bot.chat.postEphemeral({ channel: channelId, user, text }).catch(() => undefined);
  }
}
