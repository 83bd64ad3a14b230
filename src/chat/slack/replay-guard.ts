// In front of Bolt's receiver on /slack/events: a signed request is taken
// once. Its signature is remembered in the database (shared by every
// instance) until its timestamp leaves Slack's window, so the same bytes sent
// again within five minutes are refused with 401, as is a request dated in the
// future. Slack's own retries are new requests, signed at sending with a new
// timestamp (a retry five minutes later could not pass the window otherwise):
// their signatures differ, so they reach Bolt, whose handlers are idempotent.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../logging.js';
import type { Database } from '../../storage/database.js';
import { rememberRequest } from '../../storage/seen-requests.js';
import { checkSlackRequest } from './request-check.js';

/** Bolt's own body limit for Slack requests. */
const BODY_LIMIT = '4mb';

export interface ReplayGuardDeps {
  db: Database;
  clock: Clock;
  signingSecret: string;
  logger: Logger;
}

/** Expired signatures are forgotten at most this often: on every request, the pruning doubled the database work of a burst. */
const PRUNE_EVERY_MS = 60_000;

export function slackReplayGuard(d: ReplayGuardDeps): RequestHandler[] {
  let prunedAt = Number.NEGATIVE_INFINITY;
  const check = async (req: Request, res: Response, next: NextFunction) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const now = d.clock.now();
    const result = checkSlackRequest(d.signingSecret, { timestamp: req.get('x-slack-request-timestamp'), signature: req.get('x-slack-signature'), rawBody }, now);
    if (!result.ok) {
      d.logger.warn({ reason: result.reason }, 'refused a Slack request');
      return void res.status(401).send();
    }
    try {
      const prune = now.getTime() - prunedAt >= PRUNE_EVERY_MS;
      if (prune) prunedAt = now.getTime();
      if (!(await rememberRequest(d.db, result.signature, result.expiresAt, now, prune))) {
        d.logger.warn({ reason: 'replay' }, 'refused a Slack request');
        return void res.status(401).send();
      }
    } catch (error) {
      d.logger.error({ err: describeError(error) }, 'could not record a Slack request');
      // Slack retries a 5xx with a fresh signature.
      return void res.status(503).send();
    }
    // Bolt's receiver reads a body already read from here, and verifies it again.
    (req as Request & { rawBody?: Buffer }).rawBody = rawBody;
    next();
  };
  // A body too large or unreadable is answered here as Bolt would (413, 400), not as a server failure.
  const unreadable = (err: { status?: number }, _req: Request, res: Response, _next: NextFunction) => void res.status(err.status === 413 ? 413 : 400).send();
  return [express.raw({ type: () => true, limit: BODY_LIMIT }), (req, res, next) => void check(req, res, next), unreadable as unknown as RequestHandler];
}
