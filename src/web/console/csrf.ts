// The console's defence against cross-site requests: every change is a POST
// that must come from Loupe's own origin AND carry a token bound to the
// session. The token is derived from the session cookie, which pages on other
// sites can neither read nor guess, so it cannot be forged from the ids the
// audit trail shows.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export const CSRF_FIELD = '_csrf';

export function csrfToken(sessionCookie: string): string {
  return createHmac('sha256', sessionCookie).update('loupe-console-csrf/1').digest('base64url');
}

/** True only for a same-origin request whose form carries the session's token. */
export function csrfValid(req: Request, sessionCookie: string, publicUrl: URL): boolean {
  // Browsers send Origin with every POST; one missing or from elsewhere is refused.
  if (req.get('origin') !== publicUrl.origin) return false;
  const given = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfToken(sessionCookie));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
