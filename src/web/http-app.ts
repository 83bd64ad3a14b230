// The one HTTP app every surface mounts on (Slack, Teams, viewer and console
// come in later). Here: request ids and logs, probes and metrics.
import { randomUUID } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { describeError } from '../core/errors.js';
import type { Logger } from '../logging.js';
import type { Metrics } from './metrics.js';

export type ReadinessCheck = () => Promise<void>;

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  readinessTimeoutMs?: number;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** /view/<token> and /viewer/api/<token>/…: the token is a credential (with a sign-in), so logs show only that it was there. */
export function maskLinkTokens(path: string): string {
  return path.replace(/^\/(view|viewer\/api)\/[A-Za-z0-9_-]{20,}/, '/$1/…');
}

export function createHttpApp(o: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(
    pinoHttp({
      logger: o.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Paths only (query strings can carry tokens), with a card link's token masked.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: maskLinkTokens(req.url.split('?')[0] ?? ''),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );

  app.use((req, res, next) => {
    const end = o.metrics.httpRequests.startTimer({ method: req.method });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
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

/** Mounted last: unknown paths and unexpected errors get a plain answer, never a stack trace. */
export function finishHttpApp(app: Express): void {
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((error: unknown, req: Request, res: Response, _next: express.NextFunction) => {
    const described = describeError(error);
    req.log.error({ err: described }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal error', code: described.code, requestId: req.id });
  });
}
