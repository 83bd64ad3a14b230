// Slack's request signature (v0: HMAC-SHA256 of `v0:{timestamp}:{raw body}`)
// and its time window, as a pure check: the clock is passed in. Bolt checks
// only that a request is not older than five minutes; this also refuses one
// dated in the future beyond the same skew, which would otherwise stay
// replayable for as long as its date is ahead.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's own window: a request more than five minutes from our clock is refused. */
export const SLACK_REQUEST_SKEW_SECONDS = 5 * 60;

export type RequestCheck = { ok: true; signature: string; expiresAt: Date } | { ok: false; reason: 'missing' | 'stale' | 'future' | 'signature' };

export interface SignedRequest {
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
}

export function checkSlackRequest(signingSecret: string, req: SignedRequest, now: Date): RequestCheck {
  if (!req.timestamp || !req.signature || !/^\d{1,12}$/.test(req.timestamp)) return { ok: false, reason: 'missing' };
  const ts = Number(req.timestamp);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (ts < nowSeconds - SLACK_REQUEST_SKEW_SECONDS) return { ok: false, reason: 'stale' };
  if (ts > nowSeconds + SLACK_REQUEST_SKEW_SECONDS) return { ok: false, reason: 'future' };
  const expected = Buffer.from(`v0=${createHmac('sha256', signingSecret).update(`v0:${req.timestamp}:`).update(req.rawBody).digest('hex')}`);
  const given = Buffer.from(req.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
  // Replayable until its timestamp leaves the window: remember it that long.
  return { ok: true, signature: req.signature, expiresAt: new Date((ts + SLACK_REQUEST_SKEW_SECONDS + 1) * 1000) };
}
