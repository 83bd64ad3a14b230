// Activities as Teams sends them to a bot: who, where (conversation and
// channelData in the three shapes of channel, group chat and personal chat),
// and what (a message, or an invoke from a card or dialog).
import { randomBytes } from 'node:crypto';
import { baseId, type Conversation, type TeamsState } from './state.js';
import type { Activity, Invoke, TeamsMessage, TeamsUser } from './types.js';

export function mentionOfBot(state: TeamsState): Record<string, unknown> {
  return { type: 'mention', mentioned: { id: state.botId, name: 'Loupe' }, text: '<at>Loupe</at>' };
}

function envelope(state: TeamsState, c: Conversation, conversationId: string, from: TeamsUser): Activity {
  return {
    timestamp: new Date().toISOString(),
    localTimezone: 'Europe/London',
    serviceUrl: state.serviceUrl,
    channelId: 'msteams',
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: state.botId, name: 'Loupe' },
    conversation: {
      id: conversationId,
      conversationType: c.type,
      tenantId: state.o.tenantId,
      ...(c.type === 'personal' ? {} : { isGroup: true }),
    },
    channelData: {
      tenant: { id: state.o.tenantId },
      ...(c.type === 'channel'
        ? { team: { id: c.team.id, name: c.team.name, aadGroupId: c.team.aadGroupId }, channel: { id: c.channel.id, name: c.channel.name } }
        : {}),
    },
    locale: 'en-GB',
  };
}

export function messageActivity(state: TeamsState, c: Conversation, m: TeamsMessage, from: TeamsUser): Activity {
  return {
    type: 'message',
    id: m.id,
    ...envelope(state, c, m.conversationId, from),
    text: m.text,
    textFormat: 'plain',
    attachments: m.attachments,
    entities: [...(m.entities ?? []), { type: 'clientInfo', locale: 'en-GB', country: 'GB', platform: 'Web', timezone: 'Europe/London' }],
  };
}

export function invokeActivity(state: TeamsState, c: Conversation, from: TeamsUser, i: Invoke): Activity {
  const conversationId = c.type === 'channel' && c.rootId ? `${baseId(c)};messageid=${c.rootId}` : baseId(c);
  return {
    type: 'invoke',
    name: i.name,
    // Invoke ids are not message ids: Teams starts them with 'f:'.
    id: `f:${randomBytes(9).toString('hex')}`,
    ...envelope(state, c, conversationId, from),
    ...(i.replyToId ? { replyToId: i.replyToId } : {}),
    value: i.value,
  };
}
