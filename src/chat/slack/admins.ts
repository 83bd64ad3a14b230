// Who administers Loupe in a Slack workspace: Slack's own admins and owners
// of this workspace, and the users Loupe's configuration names. An admin or
// owner of another organisation in a Slack Connect channel is reported with
// is_admin/is_owner of their own organisation: they are not ours.
import type { webApi } from '@slack/bolt';

type SlackUser = { is_admin?: boolean; is_owner?: boolean; is_stranger?: boolean; deleted?: boolean; team_id?: string };

/** An admin or owner of the workspace whose id is `teamId` (when it could not be had: at least not a stranger). */
export function isOwnAdmin(user: SlackUser | undefined, teamId: string | undefined): boolean {
  if (!user || user.deleted || user.is_stranger || (teamId !== undefined && user.team_id !== teamId)) return false;
  return Boolean(user.is_admin || user.is_owner);
}

/** The bot's own workspace id (auth.test), asked once; asked again after a failure. */
function ownTeam(bot: webApi.WebClient): () => Promise<string> {
  let team: Promise<string> | undefined;
  return () =>
    (team ??= bot.auth.test().then(
      (r) => r.team_id ?? '',
      (error: unknown) => {
        team = undefined;
        throw error;
      },
    ));
}

export function slackAdmins(bot: webApi.WebClient, configured: string[]): (userId: string) => Promise<boolean> {
  const team = ownTeam(bot);
  return async (userId) => {
    if (configured.includes(userId)) return true;
    const info = await bot.users.info({ user: userId });
    return isOwnAdmin(info.user, await team());
  };
}

/** Tells the admins among a channel's members something, privately, in that channel. */
export async function tellChannelAdmins(bot: webApi.WebClient, channelId: string, text: string): Promise<void> {
  const members = await bot.conversations.members({ channel: channelId }).then((r) => r.members ?? [], () => [] as string[]);
  const teamId = (await bot.auth.test().catch(() => undefined))?.team_id;
  for (const user of members) {
    const info = await bot.users.info({ user }).catch(() => undefined);
    if (!isOwnAdmin(info?.user, teamId)) continue;
    await bot.chat.postEphemeral({ channel: channelId, user, text }).catch(() => undefined);
  }
}

/**
 * Tells the workspace's admins (Slack's admins and owners of this workspace,
 * and the configured ones) something that belongs to no channel, each in
 * their direct messages with Loupe (its app home's Messages tab).
 */
export async function tellWorkspaceAdmins(bot: webApi.WebClient, configured: string[], text: string): Promise<void> {
  const teamId = (await bot.auth.test().catch(() => undefined))?.team_id;
  const admins = new Set(configured);
  let cursor: string | undefined;
  do {
    const page = await bot.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    for (const user of page.members ?? []) if (user.id && isOwnAdmin(user, teamId)) admins.add(user.id);
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  for (const user of admins) await bot.chat.postMessage({ channel: user, text }).catch(() => undefined);
}
