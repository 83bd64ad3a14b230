// Reading a thread back (conversations.replies), as Slack answers it: the
// parent first, then its replies oldest first, ephemeral and deleted
// messages never (a deleted parent with replies as a tombstone). Loupe uses it to find a card it may have posted just
// before a crash, instead of posting a second one.
import { fail, ok, type Method } from './method.js';
import { messageObject } from './objects.js';
import { str } from './params.js';

const conversationsReplies: Method = ({ state, caller, params }) => {
  const channel = state.channels.get(str(params, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  if (!channel.members.includes(caller.userId)) return fail('not_in_channel');
  const ts = str(params, 'ts');
  const parent = state.messages.find((m) => m.channel === channel.id && m.ts === ts && m.ephemeralTo === undefined);
  const thread = state.messages.filter((m) => m.channel === channel.id && m.threadTs === ts && m.ts !== ts && m.ephemeralTo === undefined && !m.deleted);
  if (!parent || (parent.deleted && thread.length === 0)) return fail('thread_not_found');
  // A deleted parent with replies stays as a tombstone, as on Slack.
  const head = parent.deleted ? { type: 'message', subtype: 'tombstone', ts: parent.ts, thread_ts: parent.ts, user: 'USLACKBOT', text: 'This message was deleted.', reply_count: thread.length } : messageObject(state, parent);
  return ok({ messages: [head, ...thread.map((m) => messageObject(state, m))], has_more: false, response_metadata: { next_cursor: '' } });
};

export const historyMethods: Record<string, Method> = {
  'conversations.replies': conversationsReplies,
};
