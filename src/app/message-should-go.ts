// Whether an upload's message leaves the chat with its file: when its text
// names the patient, or when it has no text and every file in it is an image
// Loupe secured (deleting it must not take a colleague's document with it).
import type { Database } from '../storage/database.js';

interface UploadMessage {
  workspaceId: string;
  sourceMessageId: string | null;
  messageText: Uint8Array | null;
  metadata: unknown;
}

export async function messageShouldGo(db: Database, asset: UploadMessage): Promise<boolean> {
  const meta = (asset.metadata ?? {}) as { filesInMessage?: number; messageNamesPatient?: boolean };
  if (meta.messageNamesPatient) return true;
  if (asset.messageText || meta.filesInMessage === undefined) return false;
  const siblings = await db.prisma.asset.findMany({ where: { workspaceId: asset.workspaceId, sourceMessageId: asset.sourceMessageId }, select: { status: true, removal: true } });
  // A sibling not yet looked at may be a document (the last image's own removal decides then); one left in the chat stays with its message.
  return siblings.length === meta.filesInMessage && siblings.every((s) => s.status !== 'received' && s.removal !== 'not_possible');
}
