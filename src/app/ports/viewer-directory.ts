// What the viewer needs to know from the chat platforms: who a signed-in
// person is there, whether they are in a channel, and how to alert a
// channel's admins. Resolved per workspace through the one registry of chat
// platforms, so a workspace is asked of its own platform.
import type { Notice } from '../notices.js';
import type { ChatPlatforms } from './chat-platforms.js';

export interface ViewerDirectory {
  /** The chat user whose verified profile email this is, in this workspace. */
  userByEmail(workspaceId: string, email: string): Promise<string | undefined>;
  /** The chat user with this Entra object id, on platforms that know users by it (Teams); undefined elsewhere. */
  userByObjectId(workspaceId: string, oid: string, tenantId?: string): Promise<string | undefined>;
  isChannelMember(workspaceId: string, channelId: string, userId: string): Promise<boolean>;
  /** A workspace admin (the platform's admins and owners, or Loupe's configured list): the console's workspace admin role. */
  isAdmin(workspaceId: string, userId: string): Promise<boolean>;
  /** The channels this user administers without the whole workspace (a Teams team's owner): the console's channel admin role. */
  channelsAdministered(workspaceId: string, userId: string): Promise<string[]>;
  /** Tells the channel's admins, privately, in their platform's words. */
  alertAdmins(workspaceId: string, channelId: string, notice: Notice): Promise<void>;
  /** Tells the workspace's admins, privately, of something that belongs to no channel. */
  alertWorkspaceAdmins(workspaceId: string, notice: Notice): Promise<void>;
}

/** With no chat platform configured nobody can be matched, so nobody can view. */
export const NO_DIRECTORY: ViewerDirectory = {
  userByEmail: async () => undefined,
  userByObjectId: async () => undefined,
  isChannelMember: async () => false,
  isAdmin: async () => false,
  channelsAdministered: async () => [],
  alertAdmins: async () => {},
  alertWorkspaceAdmins: async () => {},
};

/** The viewer's directory over every registered platform; a workspace of a platform not configured matches nobody. */
export function viewerDirectory(platforms: ChatPlatforms): ViewerDirectory {
  const of = async (workspaceId: string) => {
    const platform = await platforms.platformOf(workspaceId);
    return platform && platforms.has(platform) ? platforms.get(platform) : undefined;
  };
  return {
    userByEmail: async (workspaceId, email) => (await of(workspaceId))?.directory.userByEmail(workspaceId, email),
    userByObjectId: async (workspaceId, oid, tenantId) => {
      const directory = (await of(workspaceId))?.directory;
      return directory?.userByObjectId ? directory.userByObjectId(workspaceId, oid, tenantId) : undefined;
    },
    isChannelMember: async (workspaceId, channelId, userId) => (await (await of(workspaceId))?.directory.isChannelMember(workspaceId, channelId, userId)) ?? false,
    isAdmin: async (workspaceId, userId) => (await (await of(workspaceId))?.directory.isAdmin(workspaceId, userId)) ?? false,
    channelsAdministered: async (workspaceId, userId) => {
      const directory = (await of(workspaceId))?.directory;
      return directory?.channelsAdministered ? directory.channelsAdministered(workspaceId, userId) : [];
    },
    alertAdmins: async (workspaceId, channelId, notice) => {
      await (await of(workspaceId))?.gateway.alertAdmins(channelId, notice);
    },
    alertWorkspaceAdmins: async (workspaceId, notice) => {
      await (await of(workspaceId))?.gateway.alertWorkspaceAdmins(notice);
    },
  };
}
