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
      const known = await d.conversations.teamChannels(workspaceId);
      if (known.size === 0) return [];
      // The person's own teams first, so one Graph call narrows Loupe's teams to a few; without that permission, no team owner role.
      const joined = await d.graph.joinedTeams(user);
      const candidates = [...known].filter(([teamId]) => joined?.includes(teamId.toLowerCase()));
      const owned: string[] = [];
      for (let i = 0; i < candidates.length; i += OWNER_LOOKUPS_AT_ONCE) {
        const batch = candidates.slice(i, i + OWNER_LOOKUPS_AT_ONCE);
        // A team Graph will not answer for (Loupe removed from it, the team deleted) is one this person does not run here; the others still count.
        const settled = await Promise.allSettled(
          batch.map(async ([teamId, seen]) => {
            if (!(await d.graph.teamOwners(teamId)).includes(user)) return [];
            // Every standard channel of the team, so an owner can set a new channel's policy before anyone posts in it.
            return (await d.graph.teamChannels(teamId)) ?? seen;
          }),
        );
        for (const r of settled) if (r.status === 'fulfilled') owned.push(...r.value);
      }
      return [...new Set(owned)].sort();
    },
  };
}
