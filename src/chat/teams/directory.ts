// Who is who in the tenant. Loupe knows Teams users by their Entra object id
// (the `aadObjectId` of activities, the `oid` claim at sign-in). Admins: the
// configured object ids everywhere, and a team's owners in that team (in chat,
// and in the console for that team's channels only).
import type { ChatDirectory } from '../../app/ports/chat-directory.js';
import type { TeamsConfig } from '../../config.js';
import type { ChatConversations } from '../../storage/chat-conversations.js';
import type { BotFramework } from './bot-framework.js';
import type { Graph } from './graph.js';

const OWNER_LOOKUPS_AT_ONCE = 8;
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TeamsDirectory extends ChatDirectory {
  /** Whether this Entra object id is a user of the tenant. */
  isTenantUser(oid: string): Promise<boolean>;
  userByObjectId(workspaceId: string, oid: string, tenantId?: string): Promise<string | undefined>;
  /** An admin where it matters: the configured ones, or an owner of the team this conversation belongs to. */
  isAdminIn(workspaceId: string, conversationId: string, userId: string): Promise<boolean>;
}

export function teamsDirectory(d: { teams: TeamsConfig; framework: BotFramework; graph: Graph; conversations: ChatConversations }): TeamsDirectory {
  const configured = (userId: string) => d.teams.adminObjectIds.includes(userId.toLowerCase());
  return {
    async userByEmail(_workspaceId, email) {
      return (await d.graph.user(email))?.id.toLowerCase();
    },
    async userByObjectId(_workspaceId, oid, tenantId) {
      // An object id only (Graph would also take a user principal name), and only from a provider that says it is of this tenant.
      if (!OBJECT_ID.test(oid) || tenantId?.toLowerCase() !== d.teams.tenantId) return undefined;
      return (await d.graph.user(oid))?.id.toLowerCase();
    },
    async isTenantUser(oid) {
      return OBJECT_ID.test(oid) && (await d.graph.user(oid))?.id.toLowerCase() === oid.toLowerCase();
    },
    async isChannelMember(workspaceId, channelId, userId) {
      const c = await d.conversations.find(workspaceId, channelId);
      if (!c) return false;
      return (await d.framework.connector(c.serviceUrl).member(c.conversationId, userId)) !== undefined;
    },
    async isAdmin(_workspaceId, userId) {
      return configured(userId);
    },
    async isAdminIn(workspaceId, conversationId, userId) {
      if (configured(userId)) return true;
      const c = await d.conversations.find(workspaceId, conversationId);
      return Boolean(c?.teamId) && (await d.graph.teamOwners(c!.teamId!)).includes(userId.toLowerCase());
    },
    async channelsAdministered(workspaceId, userId) {
      const user = userId.toLowerCase();
      const owned: string[] = [];
      // Asked of each team Loupe is in, a few at a time: ownership changes in Teams take effect at the next console request.
      const teams = [...(await d.conversations.teamChannels(workspaceId)).entries()];
      for (let i = 0; i < teams.length; i += OWNER_LOOKUPS_AT_ONCE) {
        const batch = teams.slice(i, i + OWNER_LOOKUPS_AT_ONCE);
        const owners = await Promise.all(batch.map(([teamId]) => d.graph.teamOwners(teamId)));
        const mine = batch.filter((_, k) => owners[k]!.includes(user));
        // Every channel of the team, so an owner can set a new channel's policy before anyone posts in it.
        const listed = await Promise.all(mine.map(([teamId]) => d.graph.teamChannels(teamId)));
        mine.forEach(([, seen], k) => owned.push(...seen, ...(listed[k] ?? [])));
      }
      return [...new Set(owned)].sort();
    },
  };
}
