// What a channel holds: users.conversations (the channels the caller is in),
// conversations.history (top-level messages, newest first) and
// conversations.replies (a thread, parent first), with Slack's cursor
// pagination (an empty next_cursor is the end) and its oldest/latest bounds.
// A deleted message that has replies is listed as a tombstone, as on Slack.
import { channelObject, messageObject } from './objects.js';
import { fail, ok, type Method } from './method.js';
import { str } from './params.js';
import type { StandInState } from './state.js';
import type { StandInMessage } from './types.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** A page of `items` from the cursor (an offset, opaque to the caller as on Slack). */
function page<T>(items: T[], params: Record<string, unknown>): { items: T[]; next: string } {
  const limit = Math.min(Math.max(Number(str(params, 'limit') ?? DEFAULT_LIMIT) || DEFAULT_LIMIT, 1), MAX_LIMIT);
  const cursor = str(params, 'cursor');
  const start = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace(/^next:/, '')) || 0 : 0;
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(`next:${start + limit}`).toString('base64') : '';
  return { items: slice, next };
}

const tsNum = (ts: string) => Number(ts);

function inBounds(m: StandInMessage, params: Record<string, unknown>): boolean {
  const inclusive = str(params, 'inclusive') === 'true' || str(params, 'inclusive') === '1';
  const oldest = str(params, 'oldest');
  const latest = str(params, 'latest');
  if (oldest !== undefined && (inclusive ? tsNum(m.ts) < tsNum(oldest) : tsNum(m.ts) <= tsNum(oldest))) return false;
  if (latest !== undefined && (inclusive ? tsNum(m.ts) > tsNum(latest) : tsNum(m.ts) >= tsNum(latest))) return false;
  return true;
}

const visible = (s: StandInState, channel: string) => s.messages.filter((m) => m.channel === channel && !m.deleted && m.ephemeralTo === undefined);

/** A deleted message that started a thread stays in the history as a tombstone, so its replies can still be read. */
const hasReplies = (s: StandInState, m: StandInMessage) => visible(s, m.channel).some((r) => r.threadTs === m.ts && r.ts !== m.ts);
const listed = (s: StandInState, channel: string) =>
  s.messages.filter((m) => m.channel === channel && m.ephemeralTo === undefined && (!m.deleted || (m.threadTs === undefined && hasReplies(s, m))));

function tombstone(m: StandInMessage): Record<string, unknown> {
  return { type: 'message', subtype: 'tombstone', hidden: true, text: 'This message was deleted.', user: 'USLACKBOT', ts: m.ts };
}

/** A thread's parent carries its reply count and latest reply, as on Slack. */
function withThread(s: StandInState, m: StandInMessage): Record<string, unknown> {
  const replies = visible(s, m.channel).filter((r) => r.threadTs === m.ts && r.ts !== m.ts);
  const base = m.deleted ? tombstone(m) : messageObject(s, m);
  if (!replies.length) return base;
  return { ...base, thread_ts: m.ts, reply_count: replies.length, latest_reply: replies.map((r) => r.ts).sort((a, b) => tsNum(b) - tsNum(a))[0], reply_users: [...new Set(replies.map((r) => r.user))] };
}

const usersConversations: Method = ({ state, caller, params }) => {
  const mine = [...state.channels.values()].filter((c) => c.members.includes(caller.userId));
  const { items, next } = page(mine, params);
  return ok({ channels: items.map((c) => channelObject(state, c, caller.userId)), response_metadata: { next_cursor: next } });
};

const history: Method = ({ state, caller, params }) => {
  const channel = state.channels.get(str(params, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  if (!channel.members.includes(caller.userId)) return fail('not_in_channel');
  const top = listed(state, channel.id)
    .filter((m) => (m.threadTs === undefined || m.threadTs === m.ts) && inBounds(m, params))
    .sort((a, b) => tsNum(b.ts) - tsNum(a.ts));
  const { items, next } = page(top, params);
  return ok({ messages: items.map((m) => withThread(state, m)), has_more: next !== '', response_metadata: { next_cursor: next } });
};

const replies: Method = ({ state, caller, params }) => {
  const channel = state.channels.get(str(params, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  if (!channel.members.includes(caller.userId)) return fail('not_in_channel');
  const ts = str(params, 'ts') ?? '';
  const all = visible(state, channel.id);
  const parent = listed(state, channel.id).find((m) => m.ts === ts);
  if (!parent) return fail('thread_not_found');
  // Slack always puts the parent first, whatever the bounds.
  const thread = all.filter((m) => m.threadTs === ts && m.ts !== ts && inBounds(m, params)).sort((a, b) => tsNum(a.ts) - tsNum(b.ts));
  const { items, next } = page([parent, ...thread], params);
  return ok({ messages: items.map((m) => (m === parent ? withThread(state, m) : messageObject(state, m))), has_more: next !== '', response_metadata: { next_cursor: next } });
};

export const historyMethods: Record<string, Method> = {
  'users.conversations': usersConversations,
  'conversations.history': history,
  'conversations.replies': replies,
};
