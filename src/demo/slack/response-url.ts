// POST /hooks/<kind>/<team>/<id>: the response_url Slack puts in slash
// commands and message interactions, which Bolt's respond() posts to. It
// answers in the conversation as the app, without a token.
import express, { type Request, type Response, type Router } from 'express';
import { INVALID, structured } from './params.js';
import type { ChatChanges } from '../saved-chat.js';
import type { ResponseTarget, StandInState } from './state.js';
import type { StandInMessage } from './types.js';

export function responseUrlRouter(state: StandInState, changes: ChatChanges): Router {
  const router = express.Router();
  router.post('/hooks/:kind/:team/:id', express.raw({ type: () => true, limit: '1mb' }), (req: Request<{ id: string }>, res: Response) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let body: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(rawBody) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // Recorded as sent; answered below as Slack does.
    }
    state.calls.push({ method: 'response_url', url: req.originalUrl, token: undefined, contentType: req.get('content-type') ?? '', rawBody, params: body, at: state.now() });

    const target = state.responseTargets.get(req.params.id);
    if (!target) {
      res.status(404).json({ ok: false, error: 'no_service' });
      return;
    }
    if (target.usesLeft <= 0 || state.now() > target.expiresAt) {
      res.status(404).json({ ok: false, error: 'expired_url' });
      return;
    }
    target.usesLeft -= 1;
    const error = respond(state, target, body);
    if (!error) changes.mark();
    res.status(error ? 400 : 200).json(error ? { ok: false, error } : { ok: true });
  });
  return router;
}

/** Applies one response; returns Slack's error code when it cannot. */
function respond(state: StandInState, target: ResponseTarget, body: Record<string, unknown>): string | undefined {
  // An ephemeral message can be changed only this way, and only through the response_url of its own user.
  const original = target.messageTs ? (state.findMessage(target.channel, target.messageTs) ?? ephemeralOf(state, target)) : undefined;
  if (body['delete_original'] === true || body['delete_original'] === 'true') {
    if (!original || original.user !== state.botUserId) return 'cant_delete_message';
    original.deleted = true;
    return undefined;
  }
  const text = typeof body['text'] === 'string' ? body['text'] : '';
  const blocks = structured(body, 'blocks');
  if (blocks === INVALID || (blocks !== undefined && !Array.isArray(blocks))) return 'invalid_blocks';
  if (!text && !(blocks as unknown[] | undefined)?.length) return 'no_text';
  if (body['replace_original'] === true || body['replace_original'] === 'true') {
    if (!original || original.user !== state.botUserId) return 'cant_update_message';
    original.text = text;
    if (blocks !== undefined) original.blocks = blocks as unknown[];
    original.edits += 1;
    return undefined;
  }
  const threadTs = typeof body['thread_ts'] === 'string' ? body['thread_ts'] : target.threadTs;
  const message: StandInMessage = {
    channel: target.channel,
    ts: state.ts.next(),
    ...(threadTs ? { threadTs } : {}),
    user: state.botUserId,
    text,
    ...(blocks !== undefined ? { blocks: blocks as unknown[] } : {}),
    files: [],
    // Slack's default for a response is a message only the actor sees.
    ...(body['response_type'] === 'in_channel' ? {} : { ephemeralTo: target.user }),
    deleted: false,
    edits: 0,
  };
  state.messages.push(message);
  return undefined;
}

function ephemeralOf(state: StandInState, target: ResponseTarget): StandInMessage | undefined {
  return state.messages.find((m) => m.channel === target.channel && m.ts === target.messageTs && m.ephemeralTo === target.user && !m.deleted);
}
