// Messages as Teams keeps them, and the two ways they are read back: the Bot
// Connector's activity ids and Graph's chatMessage resource.
import { baseId, type Conversation, type TeamsState } from './state.js';
import type { Attachment, TeamsMessage, TeamsUser } from './types.js';

export interface Content {
  text: string;
  attachments: Attachment[];
  entities?: unknown[];
}

/** A channel message belongs to a thread: the one named in the id, the one it replies to, or its own. */
function placement(state: TeamsState, c: Conversation, id: string, replyToId: string | undefined): { conversationId: string; threadRootId?: string } {
  if (c.type !== 'channel') return { conversationId: baseId(c) };
  const root = c.rootId ?? (replyToId ? (state.message(c, replyToId)?.threadRootId ?? replyToId) : id);
  return { conversationId: `${c.channel.id};messageid=${root}`, threadRootId: root };
}

export function store(state: TeamsState, c: Conversation, from: TeamsUser | 'bot', content: Content, replyToId?: string): TeamsMessage {
  const id = state.nextId();
  const message: TeamsMessage = {
    id,
    ...placement(state, c, id, replyToId),
    conversationType: c.type,
    ...(replyToId ? { replyToId } : {}),
    from: from === 'bot' ? state.botId : from.id,
    ...(from === 'bot' ? {} : { fromAadObjectId: from.aadObjectId }),
    byBot: from === 'bot',
    text: content.text,
    attachments: content.attachments,
    ...(content.entities ? { entities: content.entities } : {}),
    createdDateTime: new Date().toISOString(),
    lastModifiedDateTime: null,
    deletedDateTime: null,
    policyViolation: null,
    hiddenByPolicy: false,
  };
  state.messages.push(message);
  state.changes.mark();
  return message;
}

/** Graph's chatMessage, with the fields Loupe reads (and a few that make it recognisable). */
export function chatMessage(state: TeamsState, c: Conversation, m: TeamsMessage): Record<string, unknown> {
  const user = m.fromAadObjectId ? state.user(m.fromAadObjectId) : undefined;
  return {
    id: m.id,
    replyToId: m.threadRootId && m.threadRootId !== m.id ? m.threadRootId : null,
    messageType: 'message',
    createdDateTime: m.createdDateTime,
    lastModifiedDateTime: m.lastModifiedDateTime ?? m.createdDateTime,
    deletedDateTime: m.deletedDateTime,
    policyViolation: m.policyViolation,
    chatId: c.type === 'channel' ? null : baseId(c),
    channelIdentity: c.type === 'channel' ? { teamId: c.team.aadGroupId, channelId: c.channel.id } : null,
    from: user
      ? { user: { id: user.aadObjectId, displayName: user.name, userIdentityType: 'aadUser', tenantId: state.o.tenantId }, application: null }
      : { user: null, application: { id: state.o.appId, displayName: 'Loupe', applicationIdentityType: 'bot' } },
    // A deleted message's content is gone; a hidden one stays readable to the app.
    body: { contentType: 'html', content: m.deletedDateTime ? '' : m.text },
    // Graph gives a card's JSON as a string.
    attachments: m.deletedDateTime
      ? []
      : m.attachments.map((a, i) => ({ id: String(i), contentType: a['contentType'] ?? null, contentUrl: a['contentUrl'] ?? null, content: a['content'] === undefined ? null : typeof a['content'] === 'string' ? a['content'] : JSON.stringify(a['content']), name: a['name'] ?? null })),
  };
}
