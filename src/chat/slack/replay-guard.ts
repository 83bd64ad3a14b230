// In front of Bolt's receiver on /slack/events: a signed request is taken
// once. Its signature is remembered in the database (shared by every
// instance) until its timestamp leaves Slack's window, so the same bytes sent
// again within five minutes are refused with 401, as is a request dated in the
// future. Slack's own retries are new requests, signed at sending with a new
// timestamp (a retry five minutes later could not pass the window otherwise):
// their signatures differ, so they reach Bolt, whose handlers are idempotent.
//
// An Events API delivery (JSON) is acknowledged without waiting for the
// database: under a burst its connections are busy and Slack retries what is
// not answered in 3 s. This instance's own memory refuses a replay at once;
// the database's verdict travels with the event (`context.remembered`) and
// the work the event asks for, done after the acknowledgement, waits for it:
// a replay only another instance had seen is acknowledged and does nothing.
// Commands and clicks act before they answer, so they wait for the database.
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

/** What the database said of a request: taken first here, seen before (a replay), or not recorded (the database failed). */
export type Remembered = 'first' | 'replay' | 'unrecorded';

/** The request's verdict, for Bolt's `customPropertiesExtractor`: it reaches listeners as `context.remembered`. */
export function rememberedOf(req: Request): { remembered?: Promise<Remembered> } {
  const remembered = (req as Request & { loupeRemembered?: Promise<Remembered> }).loupeRemembered;
  return remembered ? { remembered } : {};
}

export function slackReplayGuard(d: ReplayGuardDeps): RequestHandler[] {
  let prunedAt = Number.NEGATIVE_INFINITY;
  // This instance's signatures still in their window (signature -> expiry, ms).
  const recent = new Map<string, number>();
  const check = async (req: Request, res: Response, next: NextFunction) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const now = d.clock.now();
    const result = checkSlackRequest(d.signingSecret, { timestamp: req.get('x-slack-request-timestamp'), signature: req.get('x-slack-signature'), rawBody }, now);
    if (!result.ok) {
      d.logger.warn({ reason: result.reason }, 'refused a Slack request');
      return void res.status(401).send();
    }
    const prune = now.getTime() - prunedAt >= PRUNE_EVERY_MS;
    if (prune) {
      prunedAt = now.getTime();
      for (const [signature, expires] of recent) if (expires < now.getTime()) recent.delete(signature);
    }
    if (recent.has(result.signature)) {
      d.logger.warn({ reason: 'replay' }, 'refused a Slack request');
      return void res.status(401).send();
    }
    recent.set(result.signature, result.expiresAt.getTime());
    const remembered: Promise<Remembered> = rememberRequest(d.db, result.signature, result.expiresAt, now, prune).then(
      (first) => (first ? 'first' : 'replay'),
      (error: unknown) => {
        d.logger.error({ err: describeError(error) }, 'could not record a Slack request');
        return 'unrecorded';
      },
    );
    // Bolt's receiver reads a body already read from here, and verifies it again.
    (req as Request & { rawBody?: Buffer }).rawBody = rawBody;
    if (req.is('application/json')) {
      (req as Request & { loupeRemembered?: Promise<Remembered> }).loupeRemembered = remembered;
      return next();
    }
    const verdict = await remembered;
    if (verdict === 'replay') {
      d.logger.warn({ reason: 'replay' }, 'refused a Slack request');
      return void res.status(401).send();
    }
    // Slack retries a 5xx with a fresh signature.
    if (verdict === 'unrecorded') return void res.status(503).send();
    next();
  };
  // A body too large or unreadable is answered here as Bolt would (413, 400), not as a server failure.
  const unreadable = (err: { status?: number }, _req: Request, res: Response, _next: NextFunction) => void res.status(err.status === 413 ? 413 : 400).send();
  return [express.raw({ type: () => true, limit: BODY_LIMIT }), (req, res, next) => void check(req, res, next), unreadable as unknown as RequestHandler];
}
