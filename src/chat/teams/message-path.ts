// A Teams message's address in Microsoft Graph, built from the ids Loupe
// recorded (never from a payload's URL): a channel post or one of its
// replies, or a group-chat message. Personal chats with the bot have other
// ids in Graph than on the Bot Connector, so they have none here.
import type { ChatConversation } from '../../storage/chat-conversations.js';

const enc = encodeURIComponent;

/** `conversationId` may carry the thread (`;messageid=ROOT`). */
export function messagePath(c: ChatConversation, conversationId: string, messageId: string): string | undefined {
  if (c.kind === 'groupChat') return `chats/${enc(c.conversationId)}/messages/${enc(messageId)}`;
  if (c.kind !== 'channel' || !c.teamId) return undefined;
  const root = /;messageid=(\d+)$/.exec(conversationId)?.[1] ?? messageId;
  const post = `teams/${enc(c.teamId)}/channels/${enc(c.conversationId)}/messages/${enc(root)}`;
  return root === messageId ? post : `${post}/replies/${enc(messageId)}`;
}
