// What the viewer needs to know from the chat platform: who a signed-in
// person is there, whether they are in a channel, and how to tell a
// workspace's admins something. Each chat adapter provides one.
export interface ChatDirectory {
  /** The chat user whose verified profile email this is, in this workspace. */
  userByEmail(workspaceId: string, email: string): Promise<string | undefined>;
  isChannelMember(workspaceId: string, channelId: string, userId: string): Promise<boolean>;
  /** Tells the workspace's admins (those in the channel, privately) something that needs their attention. */
  tellAdmins(workspaceId: string, channelId: string, text: string): Promise<void>;
}

/** With no chat platform configured nobody can be matched, so nobody can view. */
export const NO_DIRECTORY: ChatDirectory = {
  userByEmail: async () => undefined,
  isChannelMember: async () => false,
  tellAdmins: async () => {},
};
