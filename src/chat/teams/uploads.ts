// The uploads a Teams message carries, in its three shapes (TEAMS.md):
// channel and group-chat files in SharePoint (fetched through Graph /shares),
// pasted images there as Graph hosted contents, and, in a personal chat,
// files with a pre-authenticated download URL and pasted images on the Bot
// Connector. Each becomes a PHI-free source ref (conversation, message,
// file key) and a locator, kept sealed, that says where its bytes are.
import { createHash } from 'node:crypto';
import { threadConversation, whereabouts, type ConversationKind, type TeamsActivity, type TeamsAttachment } from './activity.js';

export type Locator =
  /** `owner`: the sender, whose OneDrive holds the files they share in chats. */
  | { via: 'share'; url: string; owner: string }
  | { via: 'hosted'; contentId: string }
  | { via: 'download'; url: string; uniqueId: string | undefined }
  | { via: 'connector'; url: string };

export interface TeamsUpload {
  sourceRef: string;
  locator: Locator;
}

const FILE_DOWNLOAD = 'application/vnd.microsoft.teams.file.download.info';
const HOSTED_IMG = /<img[^>]+src="[^"]*\/hostedContents\/([^/"]+)\/\$value"/gi;

/** Graph's hosted-content ids are base64: anything else (a path, a broken escape) is not an image of this message. */
function hostedContentId(raw: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return /^[A-Za-z0-9+/=_-]+$/.test(id) && id !== '.' && id !== '..' ? id : undefined;
}

function fromAttachment(a: TeamsAttachment, kind: ConversationKind, sender: string): Locator[] {
  if (kind === 'personal') {
    const url = (a.content as { downloadUrl?: unknown } | undefined)?.downloadUrl;
    const uniqueId = (a.content as { uniqueId?: unknown } | undefined)?.uniqueId;
    if (a.contentType === FILE_DOWNLOAD && typeof url === 'string') return [{ via: 'download', url, uniqueId: typeof uniqueId === 'string' ? uniqueId : undefined }];
    if (a.contentType.startsWith('image/') && a.contentUrl) return [{ via: 'connector', url: a.contentUrl }];
    return [];
  }
  if (a.contentType === 'reference' && a.contentUrl) return [{ via: 'share', url: a.contentUrl, owner: sender }];
  if (a.contentType === 'text/html' && typeof a.content === 'string') {
    // Only the content id is taken from the markup: the Graph path is built from the conversation's own ids.
    return [...a.content.matchAll(HOSTED_IMG)].flatMap((m) => {
      const contentId = hostedContentId(m[1]!);
      return contentId ? [{ via: 'hosted' as const, contentId }] : [];
    });
  }
  return [];
}

/**
 * What names one file of a message whatever else the message holds, so an
 * edited message (which Teams sends again, attachments reordered or added)
 * finds the files it already had: a hosted content's id, a digest of a
 * file's unique id, else a digest of its address (which may name the file:
 * only the digest is kept).
 */
function fileKey(locator: Locator): string {
  if (locator.via === 'hosted') return `h:${locator.contentId}`;
  // A download URL carries a short-lived token, new at every delivery: the file's own id names it.
  if (locator.via === 'download' && locator.uniqueId) return `d:${createHash('sha256').update(locator.uniqueId).digest('base64url').slice(0, 22)}`;
  return `u:${createHash('sha256').update(locator.url).digest('base64url').slice(0, 22)}`;
}

export function uploadsIn(a: TeamsActivity, kind: ConversationKind): TeamsUpload[] {
  const where = whereabouts(a);
  if (!where) return [];
  // The thread as Loupe names it, whatever suffix this delivery's conversation id carried.
  const conversation = threadConversation(where.kind, where.channelId, where.threadId);
  const sender = a.from?.aadObjectId?.toLowerCase() ?? '';
  const locators = (a.attachments ?? []).flatMap((attachment) => fromAttachment(attachment, kind, sender));
  const byKey = new Map(locators.map((locator) => [fileKey(locator), locator]));
  return [...byKey].map(([key, locator]) => ({ sourceRef: sourceRefOf(conversation, where.messageId, key), locator }));
}

export const sourceRefOf = (conversationId: string, messageId: string, key: string) => `${conversationId}|${messageId}|${key}`;

/** The conversation (with its thread) and message a source ref names. */
export function parseSourceRef(sourceRef: string): { conversationId: string; messageId: string } | undefined {
  const m = /^(.+)\|([^|]+)\|[^|]+$/.exec(sourceRef);
  return m ? { conversationId: m[1]!, messageId: m[2]! } : undefined;
}
