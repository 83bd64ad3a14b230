// How to reach a conversation when its id alone does not say (Teams: the Bot
// Connector's service URL, the team's Entra group id for Graph, whose
// personal chat with Loupe it is). Written from verified inbound activities,
// read by the adapter's gateway. Nothing here is about patients.
import type { Database } from './database.js';
import type { ConversationKind } from './prisma/enums.js';

export type { ConversationKind };

export interface ChatConversation {
  workspaceId: string;
  conversationId: string;
  kind: ConversationKind;
  serviceUrl: string;
  teamId: string | null;
  userId: string | null;
}

export class ChatConversations {
  constructor(private readonly db: Database) {}

  /** Records (or refreshes: Teams may move a tenant to another service URL) how to reach a conversation. */
  async remember(c: ChatConversation): Promise<void> {
    const { workspaceId, conversationId, ...rest } = c;
    await this.db.prisma.chatConversation.upsert({ where: { workspaceId_conversationId: { workspaceId, conversationId } }, create: c, update: rest });
  }

  async find(workspaceId: string, conversationId: string): Promise<ChatConversation | undefined> {
    return (await this.db.prisma.chatConversation.findUnique({ where: { workspaceId_conversationId: { workspaceId, conversationId } } })) ?? undefined;
  }

  /** Every team channel Loupe knows in the workspace, with its team: grouped by team, for asking who owns each. */
  async teamChannels(workspaceId: string): Promise<Map<string, string[]>> {
    const rows = await this.db.prisma.chatConversation.findMany({ where: { workspaceId, kind: 'channel', teamId: { not: null } }, select: { conversationId: true, teamId: true } });
    const byTeam = new Map<string, string[]>();
    for (const r of rows) byTeam.set(r.teamId!, [...(byTeam.get(r.teamId!) ?? []), r.conversationId]);
    return byTeam;
  }

  /** The user's personal chat with Loupe, once known. */
  async personalOf(workspaceId: string, userId: string): Promise<ChatConversation | undefined> {
    return (await this.db.prisma.chatConversation.findFirst({ where: { workspaceId, userId, kind: 'personal' }, orderBy: { updatedAt: 'desc' } })) ?? undefined;
  }
}
