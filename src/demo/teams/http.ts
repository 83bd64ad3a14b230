// One small HTTP host per Microsoft host: reads the body, records the call
// with the kind of token that came, refuses a missing or wrong kind of token
// where the real host would, and dispatches on method and path segments.
// Segments are decoded one by one, because conversation and chat ids arrive
// URL-encoded (botbuilder encodes them) or raw (Graph URLs as Teams writes them).
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthKind, Host, RecordedCall } from './types.js';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  body: string;
  auth: AuthKind;
}

type Handler = (ctx: Ctx) => void | Promise<void>;
export interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export function route(method: string, path: string, handler: Handler): Route {
  return { method, segments: path.split('/').filter(Boolean), handler };
}

export interface HostSpec {
  host: Host;
  routes: Route[];
  /** The only token kind the host accepts; absent: no token needed. */
  requires?: AuthKind;
  calls: RecordedCall[];
  classify: (authorization: string | undefined) => Promise<AuthKind>;
}

export function send(res: ServerResponse, status: number, body?: unknown, contentType?: string): void {
  if (body === undefined) {
    res.writeHead(status).end();
  } else if (Buffer.isBuffer(body)) {
    res.writeHead(status, { 'Content-Type': contentType ?? 'application/octet-stream', 'Content-Length': body.length }).end(body);
  } else {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }
}

/** Microsoft's error body: {error:{code, message}}. */
export function fail(res: ServerResponse, status: number, code: string, message = code): void {
  send(res, status, { error: { code, message } });
}

export function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function match(route: Route, parts: string[]): Record<string, string> | undefined {
  if (route.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, seg] of route.segments.entries()) {
    const part = parts[i] ?? '';
    if (seg.startsWith(':')) params[seg.slice(1)] = part;
    else if (seg !== part) return undefined;
  }
  return params;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function hostListener(spec: HostSpec): RequestListener {
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const body = await readBody(req);
      const auth = await spec.classify(req.headers.authorization);
      const call: RecordedCall = { host: spec.host, method: req.method ?? 'GET', path: req.url ?? '/', auth, status: 0, body };
      spec.calls.push(call);
      const end = res.writeHead.bind(res);
      // The status is on the record before the caller can see the answer.
      res.writeHead = ((status: number, ...rest: unknown[]) => {
        call.status = status;
        return (end as (...a: unknown[]) => ServerResponse)(status, ...rest);
      }) as typeof res.writeHead;
      let parts: string[];
      try {
        parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      } catch {
        fail(res, 400, 'BadRequest');
        return;
      }
      if (spec.requires && auth !== spec.requires) {
        fail(res, 401, spec.host === 'graph' ? 'InvalidAuthenticationToken' : 'Unauthorized', 'Authorization has been denied for this request.');
        return;
      }
      for (const r of spec.routes) {
        const params = r.method === req.method ? match(r, parts) : undefined;
        if (params) return r.handler({ req, res, params, query: url.searchParams, body, auth });
      }
      fail(res, 404, 'NotFound');
    })().catch(() => {
      if (!res.headersSent) fail(res, 500, 'InternalServerError');
      else res.end();
    });
  };
}

/** Listens first and serves later: the hosts' routes need every host's origin. */
export async function listen(): Promise<{ server: Server; origin: string }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return { server, origin: `http://${address}:${port}` };
}
