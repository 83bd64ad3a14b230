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
