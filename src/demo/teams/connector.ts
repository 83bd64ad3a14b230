// The Bot Connector, as the bot reaches it at serviceUrl: send, reply,
// update and delete its own messages, read rosters, open a personal chat,
// and fetch images pasted into personal chats. A bot may change only its own
// messages; Teams answers 403 for anyone else's.
import { fail, parseJson, route, send, type Ctx, type Route } from './http.js';
import { store, type Content } from './messages.js';
import type { Conversation, TeamsState } from './state.js';
import type { Attachment, TeamsMessage, TeamsUser } from './types.js';

const CONV = '/teams/v3/conversations/:conv';

function member(state: TeamsState, u: TeamsUser): Record<string, unknown> {
  return { id: u.id, name: u.name, aadObjectId: u.aadObjectId, email: u.email, userPrincipalName: u.email, tenantId: state.o.tenantId, userRole: 'user' };
}

function content(activity: Record<string, unknown>): Content {
  return {
    text: typeof activity['text'] === 'string' ? activity['text'] : '',
    attachments: Array.isArray(activity['attachments']) ? (activity['attachments'] as Attachment[]) : [],
    ...(Array.isArray(activity['entities']) ? { entities: activity['entities'] as unknown[] } : {}),
  };
}

/** The conversation and the activity of a request, or an answer already sent. */
function target(state: TeamsState, ctx: Ctx): { c: Conversation; activity: Record<string, unknown> } | undefined {
  const c = state.conversation(ctx.params['conv'] ?? '');
  const activity = ctx.body ? parseJson(ctx.body) : {};
  if (!c) fail(ctx.res, 404, 'ConversationNotFound', 'Conversation not found.');
  else if (!activity) fail(ctx.res, 400, 'BadArgument', 'Malformed activity.');
  else return { c, activity };
  return undefined;
}

function post(state: TeamsState, ctx: Ctx, replyToId?: string): void {
  const t = target(state, ctx);
  if (!t) return;
  // Typing indicators and other non-message activities show but are not kept.
  if (t.activity['type'] !== undefined && t.activity['type'] !== 'message') return send(ctx.res, 201, { id: state.nextId() });
  send(ctx.res, 201, { id: store(state, t.c, 'bot', content(t.activity), replyToId).id });
}

function ownMessage(state: TeamsState, ctx: Ctx): { m: TeamsMessage; activity: Record<string, unknown> } | undefined {
  const t = target(state, ctx);
  if (!t) return undefined;
  const m = state.message(t.c, ctx.params['id'] ?? '');
  if (!m || m.deletedDateTime) fail(ctx.res, 404, 'ActivityNotFound', 'Activity not found.');
  else if (!m.byBot) fail(ctx.res, 403, 'Forbidden', 'The bot is not allowed to modify messages it did not send.');
  else return { m, activity: t.activity };
  return undefined;
}

export function connectorRoutes(state: TeamsState): Route[] {
  return [
    route('POST', '/teams/v3/conversations', (ctx) => {
      const b = parseJson(ctx.body);
      const members = Array.isArray(b?.['members']) ? (b['members'] as { id?: unknown }[]) : [];
      const tenant = (b?.['channelData'] as { tenant?: { id?: unknown } } | undefined)?.tenant?.id ?? (b?.['tenantId'] as unknown);
      if (!b || b['isGroup'] === true || members.length !== 1) return fail(ctx.res, 400, 'BadArgument', 'Bots can only create one-on-one conversations.');
      if (tenant !== state.o.tenantId) return fail(ctx.res, 400, 'BadArgument', 'Tenant id is required.');
      const user = typeof members[0]?.id === 'string' ? state.user(members[0].id) : undefined;
      if (!user) return fail(ctx.res, 404, 'MemberNotFoundInConversation', 'User not found.');
      send(ctx.res, 201, { id: state.personalChat(user) });
    }),
    route('POST', `${CONV}/activities`, (ctx) => post(state, ctx)),
    route('POST', `${CONV}/activities/:replyTo`, (ctx) => post(state, ctx, ctx.params['replyTo'])),
    route('PUT', `${CONV}/activities/:id`, (ctx) => {
      const own = ownMessage(state, ctx);
      if (!own) return;
      Object.assign(own.m, content(own.activity), { lastModifiedDateTime: new Date().toISOString() });
      state.changes.mark();
      send(ctx.res, 200, { id: own.m.id });
    }),
    route('DELETE', `${CONV}/activities/:id`, (ctx) => {
      const own = ownMessage(state, ctx);
      if (!own) return;
      own.m.deletedDateTime = new Date().toISOString();
      state.changes.mark();
      send(ctx.res, 200);
    }),
    route('GET', `${CONV}/members`, (ctx) => {
      const c = state.conversation(ctx.params['conv'] ?? '');
      if (!c) return fail(ctx.res, 404, 'ConversationNotFound', 'Conversation not found.');
      send(ctx.res, 200, state.members(c).map((u) => member(state, u)));
    }),
    route('GET', `${CONV}/pagedmembers`, (ctx) => {
      const c = state.conversation(ctx.params['conv'] ?? '');
      if (!c) return fail(ctx.res, 404, 'ConversationNotFound', 'Conversation not found.');
      send(ctx.res, 200, { members: state.members(c).map((u) => member(state, u)) });
    }),
    route('GET', `${CONV}/members/:member`, (ctx) => {
      const c = state.conversation(ctx.params['conv'] ?? '');
      const key = (ctx.params['member'] ?? '').toLowerCase();
      const u = c ? state.members(c).find((x) => x.id.toLowerCase() === key || x.aadObjectId.toLowerCase() === key) : undefined;
      if (!u) return fail(ctx.res, 404, 'MemberNotFoundInConversation', 'The member was not found in the conversation.');
      send(ctx.res, 200, member(state, u));
    }),
    route('GET', '/teams/v3/teams/:team', (ctx) => {
      const team = state.dir.teams.find((t) => t.id === ctx.params['team']);
      if (!team) return fail(ctx.res, 404, 'NotFound', 'Team not found.');
      const details = { id: team.id, name: team.name, aadGroupId: team.aadGroupId, channelCount: team.channels.length + 1, memberCount: team.members.length, type: 'standard' };
      send(ctx.res, 200, details);
    }),
    route('GET', '/teams/v3/teams/:team/conversations', (ctx) => {
      const team = state.dir.teams.find((t) => t.id === ctx.params['team']);
      if (!team) return fail(ctx.res, 404, 'NotFound', 'Team not found.');
      // Teams names every channel but General, whose id is the team's.
      send(ctx.res, 200, { conversations: [{ id: team.id, name: null }, ...team.channels] });
    }),
    route('GET', '/teams/v3/attachments/:id/views/original', (ctx) => {
      const h = state.hosted.get(ctx.params['id'] ?? '');
      if (!h) return fail(ctx.res, 404, 'NotFound', 'Attachment not found.');
      send(ctx.res, 200, h.bytes, h.contentType);
    }),
  ];
}
