// The one HTTP app every surface mounts on (Slack, Teams, viewer and console
// come in later). Here: request ids and logs, probes and metrics.
import { randomUUID } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { describeError } from '../core/errors.js';
import { maskLinkTokens, type Logger } from '../logging.js';
import { noticeHtml } from './design/notice.js';
import { SECURITY_HEADERS } from './security-headers.js';
import type { Metrics } from './metrics.js';

export type ReadinessCheck = () => Promise<void>;

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  readinessTimeoutMs?: number;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export function createHttpApp(o: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every answer is no-store (security-headers.ts): an ETag would never be used, and Express hashes the whole body for it (megabytes per image).
  app.disable('etag');
  app.set('trust proxy', 'loopback');
  // First, so that whatever answers (a route, express's own OPTIONS and 404, the error handler) answers with them.
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });

  app.use(
    pinoHttp({
      logger: o.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Paths only (query strings carry sign-in codes and return links), with any card link token masked.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: maskLinkTokens(req.url.split('?')[0] ?? ''),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => requestLogLevel(res.statusCode, Boolean(err), (res as unknown as Response).locals?.[QUIET] === true),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );

  app.use((req, res, next) => {
    const end = o.metrics.httpRequests.startTimer({ method: req.method });
    res.on('finish', () => {
      // Route templates, not raw paths, keep label cardinality bounded and tokens out.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ route, status: String(res.statusCode) });
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (req: Request, res: Response) => {
    const timeout = o.readinessTimeoutMs ?? 5000;
    const results = await Promise.all(
      Object.entries(o.readiness).map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error('timed out')), timeout);
            }),
          ]);
          return [name, 'ok'] as const;
        } catch (error) {
          req.log.warn({ check: name, err: describeError(error) }, 'readiness check failed');
          return [name, 'failing'] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const ready = results.every(([, s]) => s === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', o.metrics.registry.contentType);
    res.send(await o.metrics.registry.metrics());
  });

  return app;
}

const QUIET = 'loupeQuietLog';

/** A route a page polls (every few seconds, by design) marks its answer quiet: logged at debug, not at info. */
export function logQuietly(res: Response): void {
  res.locals[QUIET] = true;
}

// Refusals Loupe gives by design (sign in first, not allowed, gone, not ready,
// a frame it cannot show): each is in the audit trail where it matters, and
// an operator's log at info or warn would fill with them.
const EXPECTED_REFUSALS: ReadonlySet<number> = new Set([401, 403, 404, 409, 410, 422]);

/** error: the server failed; warn: a request the server did not expect (malformed, too large); debug: polls and expected refusals; info: the rest. */
function requestLogLevel(status: number, failed: boolean, quiet: boolean): 'error' | 'warn' | 'info' | 'debug' {
  if (failed || status >= 500) return 'error';
  if (quiet || EXPECTED_REFUSALS.has(status)) return 'debug';
  return status >= 400 ? 'warn' : 'info';
}

/** What a browser that followed a wrong or old link is shown: the site's page, the way back, and no part of the address. */
const PAGE_NOT_FOUND = noticeHtml(
  { title: 'Page not found', message: 'There is no page at this address. A link from a card opens the viewer; the start page has the rest.', link: { href: '/', label: 'Go to the start page' } },
  { status: 404 },
);

/** Mounted last: unknown paths and unexpected errors get a plain answer, never a stack trace. */
export function finishHttpApp(app: Express): void {
  app.use((req, res) => {
    // Programs get JSON; a browser (asking for HTML first) gets a page.
    res.vary('Accept');
    if (req.accepts(['json', 'html']) === 'html') return void res.status(404).type('html').send(PAGE_NOT_FOUND);
    res.status(404).json({ error: 'not found' });
  });
  app.use((error: unknown, req: Request, res: Response, _next: express.NextFunction) => {
    const described = describeError(error);
    const status = clientErrorStatus(error);
    if (!status) req.log.error({ err: described }, 'request failed');
    // Half an answer cannot be mended: the client sees the connection close, not a truncated image.
    if (res.headersSent) return void res.destroy();
    if (status) return void res.status(status).json({ error: 'bad request', requestId: req.id });
    res.status(500).json({ error: 'internal error', code: described.code, requestId: req.id });
  });
}

/** A request express or a body parser refused (bad URL encoding, malformed or oversized body): the client's fault, not a 500. */
function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
