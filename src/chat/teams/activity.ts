// The Teams activity JSON Loupe reads and sends, as plain types (no SDK), and
// where an activity happened in Loupe's words: the channel (a Teams channel or
// chat), the thread, the message.
export interface TeamsAccount {
  id: string;
  name?: string;
  aadObjectId?: string;
}

export interface TeamsMember extends TeamsAccount {
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
}

export interface TeamsAttachment {
  contentType: string;
  contentUrl?: string;
  name?: string;
  content?: unknown;
}

export interface MessageActivity {
  type: string;
  id?: string;
  name?: string;
  channelId?: string;
  serviceUrl?: string;
  text?: string;
  replyToId?: string;
  from?: TeamsAccount;
  recipient?: TeamsAccount;
  conversation?: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean };
  channelData?: { tenant?: { id?: string }; team?: { id?: string; aadGroupId?: string }; channel?: { id?: string } };
  attachments?: TeamsAttachment[];
  entities?: { type: string; mentioned?: TeamsAccount; text?: string }[];
  membersAdded?: TeamsAccount[];
  value?: unknown;
}

/** An activity that passed authentication: its service URL and conversation are known to be there. */
export type TeamsActivity = MessageActivity & { serviceUrl: string; conversation: NonNullable<MessageActivity['conversation']> };

export interface OutgoingActivity {
  type: 'message';
  text?: string;
  textFormat?: 'markdown' | 'plain' | 'xml';
  summary?: string;
  attachments?: { contentType: string; content: unknown }[];
}

export type ConversationKind = 'channel' | 'groupChat' | 'personal';

export interface Whereabouts {
  kind: ConversationKind;
  /** Loupe's channel id: the conversation id without a thread. */
  channelId: string;
  /** The thread: a channel post's root message; in chats, the message itself. */
  threadId: string;
  messageId: string;
  /** The team's Entra group id, for channels. */
  teamId: string | undefined;
}

const THREAD_SUFFIX = /;messageid=(\d+)$/;

export const kindOf = (a: TeamsActivity): ConversationKind =>
  a.conversation.conversationType === 'channel' ? 'channel' : a.conversation.conversationType === 'groupChat' ? 'groupChat' : 'personal';

/** Where a message activity happened. */
export function whereabouts(a: TeamsActivity): Whereabouts | undefined {
  if (!a.id) return undefined;
  const kind = kindOf(a);
  const root = THREAD_SUFFIX.exec(a.conversation.id)?.[1];
  const channelId = a.conversation.id.replace(THREAD_SUFFIX, '');
  return { kind, channelId, threadId: kind === 'channel' ? (root ?? a.id) : a.id, messageId: a.id, teamId: a.channelData?.team?.aadGroupId };
}

/** The conversation id that puts a message in a thread: a channel's thread, or the chat itself. */
export const threadConversation = (kind: ConversationKind, channelId: string, threadId: string | undefined) =>
  kind === 'channel' && threadId ? `${channelId};messageid=${threadId}` : channelId;

/** The words of a message without the bot's @mention. */
export function textWithoutMention(a: TeamsActivity, botId: string): string {
  let text = a.text ?? '';
  for (const e of a.entities ?? []) if (e.type === 'mention' && e.mentioned?.id === botId && e.text) text = text.split(e.text).join(' ');
  return text.replace(/<[^>]+>/g, ' ').trim();
}
