// Who is who on a chat platform: each platform's adapter provides one.
export interface ChatDirectory {
  /** The chat user whose verified profile email this is, in this workspace; guests from other organisations do not count. */
  userByEmail(workspaceId: string, email: string): Promise<string | undefined>;
  /** The chat user with this Entra object id (the `oid` claim; `tenantId` the `tid` claim, when given), on platforms that know users by it (Teams). */
  userByObjectId?(workspaceId: string, oid: string, tenantId?: string): Promise<string | undefined>;
  isChannelMember(workspaceId: string, channelId: string, userId: string): Promise<boolean>;
  /** A workspace admin: the platform's own admins and owners, or those Loupe's configuration names. */
  isAdmin(workspaceId: string, userId: string): Promise<boolean>;
  /** The channels Loupe knows that this user administers without being a workspace admin, on platforms that have such admins (a Teams team's owners). */
  channelsAdministered?(workspaceId: string, userId: string): Promise<string[]>;
}
