// Graph's view of channel and chat messages: read one (deletedDateTime,
// policyViolation), hide one by policyViolation (the only change an app may
// make to a user's message), and fetch an image pasted into it.
import { fail, parseJson, route, send, type Ctx, type Route } from './http.js';
import { chatMessage } from './messages.js';
import { baseId, type Conversation, type TeamsState } from './state.js';
import type { TeamsMessage } from './types.js';

const CHANNEL = '/v1.0/teams/:g/channels/:c/messages';
const CHAT = '/v1.0/chats/:chat/messages';
const VALUE = 'hostedContents/:hc/$value';

type Found = { c: Conversation; m: TeamsMessage };

/**
 * The message a Graph URL names: a channel's root at /messages/{id}, a reply
 * only under its root's /replies. Hosted contents are looser (anyThread):
 * Teams writes a reply's image URL without its root.
 */
function find(state: TeamsState, p: Record<string, string>, anyThread = false): Found | undefined {
  let c: Conversation | undefined;
  if (p['chat'] !== undefined) {
    c = state.conversation(p['chat']);
    if (c?.type === 'channel') return undefined;
  } else {
    c = state.conversation(p['c'] ?? '');
    if (c?.type !== 'channel' || c.team.aadGroupId !== p['g']) return undefined;
  }
  const id = p['reply'] ?? p['m'] ?? '';
  const m = c ? state.message(c, id) : undefined;
  if (!c || !m) return undefined;
  if (c.type === 'channel' && !anyThread && (p['reply'] ? m.threadRootId !== p['m'] || m.id === p['m'] : m.threadRootId !== m.id)) return undefined;
  return { c, m };
}

/** Exactly {policyViolation:{dlpAction:'BlockAccess', verdictDetails, policyTip}}: Graph refuses any other change. */
function isPolicyViolation(body: Record<string, unknown> | undefined): body is { policyViolation: Record<string, unknown> } {
  const pv = body?.['policyViolation'];
  if (!body || Object.keys(body).length !== 1 || typeof pv !== 'object' || pv === null) return false;
  const v = pv as Record<string, unknown>;
  return (
    Object.keys(v).sort().join() === 'dlpAction,policyTip,verdictDetails' &&
    v['dlpAction'] === 'BlockAccess' &&
    typeof v['verdictDetails'] === 'string' &&
    typeof v['policyTip'] === 'object' &&
    v['policyTip'] !== null
  );
}

function get(state: TeamsState, ctx: Ctx): void {
  const f = find(state, ctx.params);
  if (!f) return fail(ctx.res, 404, 'NotFound', 'Message not found.');
  send(ctx.res, 200, chatMessage(state, f.c, f.m));
}

function patch(state: TeamsState, ctx: Ctx): void {
  const f = find(state, ctx.params);
  const body = parseJson(ctx.body);
  if (!f) return fail(ctx.res, 404, 'NotFound', 'Message not found.');
  if (!isPolicyViolation(body)) return fail(ctx.res, 400, 'BadRequest', 'Only policyViolation can be updated.');
  if (!state.dlp) return fail(ctx.res, 403, 'Forbidden', 'The tenant is not licensed for this operation.');
  f.m.policyViolation = body.policyViolation;
  f.m.hiddenByPolicy = true;
  state.changes.mark();
  send(ctx.res, 204);
}

function hostedValue(state: TeamsState, ctx: Ctx): void {
  const f = find(state, ctx.params, true);
  const h = state.hosted.get(ctx.params['hc'] ?? '');
  if (!f || f.m.deletedDateTime || !h || h.messageId !== f.m.id || h.conversation !== baseId(f.c)) {
    return fail(ctx.res, 404, 'NotFound', 'Hosted content not found.');
  }
  send(ctx.res, 200, h.bytes, h.contentType);
}

/** A thread's replies (channels), or a chat's messages, newest first as Graph lists them. */
function list(state: TeamsState, ctx: Ctx): void {
  const p = ctx.params;
  const c = state.conversation(p['chat'] ?? p['c'] ?? '');
  if (!c || (p['chat'] !== undefined ? c.type === 'channel' : c.type !== 'channel' || c.team.aadGroupId !== p['g'])) return fail(ctx.res, 404, 'NotFound', 'Not found.');
  const inThread = (m: TeamsMessage) => m.conversationId.split(';messageid=')[0] === baseId(c) && (p['m'] === undefined || (m.threadRootId === p['m'] && m.id !== p['m']));
  const found = state.messages.filter((m) => inThread(m)).reverse();
  send(ctx.res, 200, { value: found.map((m) => chatMessage(state, c, m)) });
}

export function graphMessageRoutes(state: TeamsState): Route[] {
  const paths = [`${CHANNEL}/:m`, `${CHANNEL}/:m/replies/:reply`, `${CHAT}/:m`];
  return [
    route('GET', `${CHANNEL}/:m/replies`, (ctx) => list(state, ctx)),
    route('GET', CHAT, (ctx) => list(state, ctx)),
    ...paths.map((p) => route('GET', p, (ctx) => get(state, ctx))),
    ...paths.map((p) => route('PATCH', p, (ctx) => patch(state, ctx))),
    ...paths.map((p) => route('GET', `${p}/${VALUE}`, (ctx) => hostedValue(state, ctx))),
  ];
}
