// Messages. Slack's permission rules are the point of the stand-in: a bot may
// change only its own messages; deleting follows permissions.ts.
import { fail, ok, type Method, type MethodContext, type Reply } from './method.js';
import { messageObject, permalink } from './objects.js';
import { INVALID, str, structured } from './params.js';
import { mayDelete } from './permissions.js';
import type { StandInMessage } from './types.js';

// Slack's limits: longer text is refused, not truncated.
const MAX_TEXT = 40_000;
const MAX_BLOCKS = 50;

type Content = { text: string | undefined; blocks: unknown[] | undefined };

/** Text and blocks as Slack checks them: at least one, blocks a JSON array. */
function content(ctx: MethodContext): Content | Reply {
  const text = typeof ctx.params['text'] === 'string' ? ctx.params['text'] : undefined;
  const raw = structured(ctx.params, 'blocks');
  if (raw === INVALID || (raw !== undefined && (!Array.isArray(raw) || raw.length > MAX_BLOCKS))) return fail('invalid_blocks');
  const blocks = raw as unknown[] | undefined;
  if (!text && !blocks?.length) return fail('no_text');
  if (blocks && !blocks.every((b) => slackFileReachable(ctx, b))) return fail('invalid_blocks');
  if (text && text.length > MAX_TEXT) return fail('msg_too_long');
  return { text, blocks };
}

/** An image block's Slack file must exist and be the poster's to show: Slack refuses the message otherwise. */
function slackFileReachable(ctx: MethodContext, block: unknown): boolean {
  const b = block as { type?: unknown; slack_file?: { id?: unknown } };
  if (b.type !== 'image' || b.slack_file === undefined) return true;
  const file = typeof b.slack_file.id === 'string' ? ctx.state.files.get(b.slack_file.id) : undefined;
  return file !== undefined && !file.deleted && file.mimetype.startsWith('image/') && file.user === ctx.caller.userId;
}

function isContent(c: Content | Reply): c is Content {
  return !('ok' in c);
}

/** A message the caller posts, in a thread when `thread_ts` says so. */
function botMessage(ctx: Parameters<Method>[0], channel: string, c: { text?: string | undefined; blocks?: unknown[] | undefined }): StandInMessage {
  const threadTs = str(ctx.params, 'thread_ts');
  return {
    channel,
    ts: ctx.state.ts.next(),
    ...(threadTs ? { threadTs } : {}),
    user: ctx.caller.userId,
    text: c.text ?? '',
    ...(c.blocks ? { blocks: c.blocks } : {}),
    files: [],
    deleted: false,
    edits: 0,
  };
}

const postMessage: Method = (ctx) => {
  const { state, caller, params } = ctx;
  const target = str(params, 'channel') ?? '';
  // A user id: the app's direct messages with that person (its app home's Messages tab).
  const dm = caller.kind === 'bot' ? state.directChannelOf(target) : undefined;
  if (dm) {
    const c = content(ctx);
    if (!isContent(c)) return c;
    const message = botMessage(ctx, dm, c);
    state.messages.push(message);
    return ok({ channel: dm, ts: message.ts, message: messageObject(state, message) });
  }
  const channel = state.channels.get(target);
  if (!channel) return fail('channel_not_found');
  if (!channel.members.includes(caller.userId)) return fail('not_in_channel');
  const c = content(ctx);
  if (!isContent(c)) return c;
  const message = botMessage(ctx, channel.id, c);
  state.messages.push(message);
  return ok({ channel: channel.id, ts: message.ts, message: messageObject(state, message) });
};

const update: Method = (ctx) => {
  const { state, caller, params } = ctx;
  const channel = str(params, 'channel') ?? '';
  if (!state.channels.has(channel)) return fail('channel_not_found');
  const message = state.findMessage(channel, str(params, 'ts') ?? '');
  if (!message) return fail('message_not_found');
  if (message.user !== caller.userId) return fail('cant_update_message');
  const c = content(ctx);
  if (!isContent(c)) return c;
  if (c.text !== undefined) message.text = c.text;
  if (c.blocks !== undefined) message.blocks = c.blocks;
  message.edits += 1;
  return ok({ channel, ts: message.ts, text: message.text, message: messageObject(state, message) });
};

const remove: Method = ({ state, caller, params }) => {
  const channel = str(params, 'channel') ?? '';
  if (!state.channels.has(channel)) return fail('channel_not_found');
  const message = state.findMessage(channel, str(params, 'ts') ?? '');
  if (!message) return fail('message_not_found');
  if (!mayDelete(state, caller, message.user)) return fail('cant_delete_message');
  message.deleted = true;
  return ok({ channel, ts: message.ts });
};

const postEphemeral: Method = (ctx) => {
  const { state, caller, params } = ctx;
  const channel = state.channels.get(str(params, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  if (!channel.members.includes(caller.userId)) return fail('not_in_channel');
  const userId = str(params, 'user') ?? '';
  if (!state.users.has(userId)) return fail('user_not_found');
  if (!channel.members.includes(userId)) return fail('user_not_in_channel');
  const c = content(ctx);
  if (!isContent(c)) return c;
  const message: StandInMessage = { ...botMessage(ctx, channel.id, c), ephemeralTo: userId };
  state.messages.push(message);
  return ok({ message_ts: message.ts });
};

const getPermalink: Method = ({ state, params }) => {
  const channel = str(params, 'channel') ?? '';
  if (!state.channels.has(channel)) return fail('channel_not_found');
  const message = state.findMessage(channel, str(params, 'message_ts') ?? '');
  return message ? ok({ channel, permalink: permalink(state, message) }) : fail('message_not_found');
};

export const chatMethods: Record<string, Method> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.delete': remove,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
};
