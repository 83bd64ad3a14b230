// What the viewer needs to know from the chat platforms: who a signed-in
// person is there, whether they are in a channel, and how to tell a channel's
// admins something. Resolved per workspace through the one registry of chat
// platforms (src/app/ports/chat-platforms.ts).
import type { ChatPlatforms } from '../../app/ports/chat-platforms.js';

export interface ViewerDirectory {
  /** The chat user whose verified profile email this is, in this workspace. */
  userByEmail(workspaceId: string, email: string): Promise<string | undefined>;
  isChannelMember(workspaceId: string, channelId: string, userId: string): Promise<boolean>;
  /**
   * Tells the admins in the channel, privately, that someone used break-glass.
   * The text is the viewer's own (it names the user in Slack's mention syntax)
   * until break-glass becomes a use case returning the `break_glass_used` notice.
   */
  tellAdmins(workspaceId: string, channelId: string, text: string): Promise<void>;
}

/** The viewer's former name for it. */
export type ChatDirectory = ViewerDirectory;

/** With no chat platform configured nobody can be matched, so nobody can view. */
export const NO_DIRECTORY: ViewerDirectory = {
  userByEmail: async () => undefined,
  isChannelMember: async () => false,
  tellAdmins: async () => {},
};

/** The viewer's directory over every registered platform; a workspace of a platform not configured matches nobody. */
export function viewerDirectory(platforms: ChatPlatforms): ViewerDirectory {
  const of = async (workspaceId: string) => {
    const platform = await platforms.platformOf(workspaceId);
    return platform && platforms.has(platform) ? platforms.get(platform) : undefined;
  };
  return {
    userByEmail: async (workspaceId, email) => (await of(workspaceId))?.directory.userByEmail(workspaceId, email),
    isChannelMember: async (workspaceId, channelId, userId) => (await (await of(workspaceId))?.directory.isChannelMember(workspaceId, channelId, userId)) ?? false,
    tellAdmins: async (workspaceId, channelId, text) => {
      await (await of(workspaceId))?.gateway.alertAdmins(channelId, { kind: 'admin_text', text });
    },
  };
}
