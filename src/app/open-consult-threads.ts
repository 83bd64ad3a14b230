// The threads of a channel's open consults started since a time: a platform
// catching up after downtime reads them for uploads it missed.
import type { Database } from '../storage/database.js';

export async function openConsultThreads(db: Database, { workspaceId, channelId, since }: { workspaceId: string; channelId: string; since: Date }): Promise<string[]> {
  const consults = await db.prisma.consult.findMany({ where: { workspaceId, channelId, status: 'open', createdAt: { gte: since } }, select: { threadId: true } });
  return consults.map((c) => c.threadId);
}
