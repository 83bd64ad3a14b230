// POST (or GET) /api/<method>: Slack's Web API as @slack/web-api calls it.
// Every call is recorded before anything else, failures included, so tests
// can scan all that Loupe ever sent to Slack for patient data.
import express, { type Request, type Response, type Router } from 'express';
import { fail, ok, type Method, type Reply } from './method.js';
import { chatMethods } from './methods-chat.js';
import { directoryMethods } from './methods-directory.js';
import { fileMethods } from './methods-files.js';
import { historyMethods } from './methods-history.js';
import { uploadMethods } from './methods-upload.js';
import { viewMethods } from './methods-views.js';
import { parseBody, str } from './params.js';
import type { StandInState } from './state.js';
import type { ChatChanges } from '../saved-chat.js';

const METHODS: Record<string, Method> = { ...directoryMethods, ...chatMethods, ...fileMethods, ...uploadMethods, ...viewMethods, ...historyMethods };
// The families that post, change or delete messages and files: what the saved chat holds.
const CHANGES_CHAT = /^(chat|files)\./;

export function bearerToken(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return m?.[1];
}

export function webApiRouter(state: StandInState, changes: ChatChanges): Router {
  const router = express.Router();
  // Raw bytes first: the recorded body must be exactly what Loupe sent.
  const raw = express.raw({ type: () => true, limit: '10mb' });
  const handle = (req: Request<{ method: string }>, res: Response) => {
    const reply = call(state, req);
    if (reply['ok'] === true && CHANGES_CHAT.test(req.params.method)) changes.mark();
    res.json(reply);
  };
  router.post('/api/:method', raw, handle);
  router.get('/api/:method', handle);
  return router;
}

function call(state: StandInState, req: Request<{ method: string }>): Reply {
  const method = req.params.method;
  const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const contentType = req.get('content-type') ?? '';
  const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
  const parsed = parseBody(contentType, rawBody, query);
  const params = typeof parsed === 'string' ? {} : parsed.params;
  // Slack takes a token from the body only in form posts; a JSON body must use the header.
  const token = bearerToken(req) ?? (typeof parsed !== 'string' && !parsed.json ? str(params, 'token') : undefined);
  state.calls.push({ method, url: req.originalUrl, token, contentType, rawBody, params, at: state.now() });

  // The app-level token opens Socket Mode connections and nothing else.
  if (method === 'apps.connections.open') {
    if (token === undefined) return fail('not_authed');
    return token === state.appToken && state.socketMode ? ok({ url: state.socketMode.open() }) : fail('invalid_auth');
  }
  const handler = METHODS[method];
  if (!handler) return { ...fail('unknown_method'), req_method: method };
  if (typeof parsed === 'string') return fail(parsed);
  if (token === undefined) return fail('not_authed');
  const caller = state.callerFor(token);
  if (!caller) return fail('invalid_auth');
  try {
    return handler({ state, caller, params });
  } catch {
    // Slack's answer to its own bugs; WebClient then fails the call instead of retrying.
    return fail('internal_error');
  }
}
