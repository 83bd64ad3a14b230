// Users acting in Teams: where they post (a channel, a thread in it, a group
// chat, their personal chat with the bot), what it becomes, and the activity
// that tells the bot about it.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { invokeActivity, mentionOfBot, messageActivity } from './activities.js';
import { deliver } from './delivery.js';
import { store, type Content } from './messages.js';
import type { Conversation, TeamsState } from './state.js';
import { fileAttachments, pastedAttachments } from './uploads.js';
import type { Delivery, Invoke, Place, Posted, PostFile, PostFiles, PostText, TeamsMessage, TeamsUser } from './types.js';

function refuse(what: string): never {
  throw new LoupeError(ErrorCode.InvalidInput, `the Teams stand-in knows no such ${what}`);
}

export function userOf(state: TeamsState, key: string): TeamsUser {
  return state.user(key) ?? refuse('user');
}

export function conversationOf(state: TeamsState, id: string): Conversation {
  return state.conversation(id) ?? refuse('conversation');
}

function placeOf(state: TeamsState, user: TeamsUser, place: Place): Conversation {
  if ('personal' in place) return conversationOf(state, state.personalChat(user));
  if ('groupChat' in place) return conversationOf(state, place.groupChat);
  const team = state.dir.teams.find((t) => t.id === place.team || t.aadGroupId === place.team) ?? refuse('team');
  const channel = team.channels.find((c) => c.id === place.channel) ?? refuse('channel');
  return { type: 'channel', team, channel, ...(place.threadRoot ? { rootId: place.threadRoot } : {}) };
}

async function post(state: TeamsState, p: { user: string; place: Place }, content: Content, o: { deliver?: boolean }, after?: (c: Conversation, m: TeamsMessage, u: TeamsUser) => void): Promise<Posted> {
  const user = userOf(state, p.user);
  const c = placeOf(state, user, p.place);
  const m = store(state, c, user, content);
  after?.(c, m, user);
  // What `after` attached (files, pasted images) changed the chat too.
  state.changes.mark();
  const activity = messageActivity(state, c, m, user);
  const posted: Posted = { conversationId: m.conversationId, messageId: m.id, activity };
  if (state.deliverTo && o.deliver !== false) posted.delivery = await deliver(state, activity);
  return posted;
}

export function postFile(state: TeamsState, p: PostFile, o: { deliver?: boolean } = {}): Promise<Posted> {
  if (!p.pasted) return postFiles(state, { user: p.user, place: p.place, files: [{ name: p.name, bytes: p.bytes }], ...(p.text === undefined ? {} : { text: p.text }) }, o);
  // Pasted images name the message id (hosted contents live under it), so they come once it exists.
  return post(state, p, { text: p.text ?? '', attachments: [] }, o, (c, m) => {
    m.attachments = pastedAttachments(state, c, m.id, p);
  });
}

export function postFiles(state: TeamsState, p: PostFiles, o: { deliver?: boolean } = {}): Promise<Posted> {
  if (p.files.length === 0) refuse('file');
  return post(state, p, { text: p.text ?? '', attachments: [] }, o, (c, m, user) => {
    m.attachments = fileAttachments(state, c, user, p);
  });
}

export function postText(state: TeamsState, p: PostText, o: { deliver?: boolean } = {}): Promise<Posted> {
  const mention = p.mention ?? !('personal' in p.place);
  const content: Content = mention
    ? { text: `<at>Loupe</at> ${p.text}`, attachments: [], entities: [mentionOfBot(state)] }
    : { text: p.text, attachments: [] };
  return post(state, p, content, o);
}

export function invoke(state: TeamsState, i: Invoke): Promise<Delivery> {
  const user = userOf(state, i.user);
  return deliver(state, invokeActivity(state, conversationOf(state, i.conversationId), user, i));
}
