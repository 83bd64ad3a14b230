// Where a card of this workspace is (its channel and thread) and who sent
// it: for adapters that must check a button was pressed where its card is
// before deciding who is an admin there. Undefined for a card of another
// workspace, or none.
import type { Database } from '../storage/database.js';

export interface CardPlace {
  channelId: string;
  threadId: string;
  uploaderId: string;
}

export async function cardPlace(deps: { db: Database }, { cardId, workspaceId }: { cardId: string; workspaceId: string }): Promise<CardPlace | undefined> {
  const card = await deps.db.prisma.card.findFirst({ where: { id: cardId, workspaceId }, select: { channelId: true, threadId: true, asset: { select: { uploaderId: true } } } });
  return card ? { channelId: card.channelId, threadId: card.threadId, uploaderId: card.asset.uploaderId } : undefined;
}
