// The viewer's cookies (session and sign-in) and the checks on where a
// request came from and may return to. Security headers are set for every
// response by the HTTP app (src/web/security-headers.ts).
import { parse } from 'cookie';
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'loupe_session';
/** Set while a sign-in is under way, for the callback only. */
export const LOGIN_COOKIE = 'loupe_login';

export function sessionCookie(req: Request): string | undefined {
  return req.headers.cookie ? parse(req.headers.cookie)[SESSION_COOKIE] : undefined;
}

/** Secure everywhere but on this machine (plain http to localhost while developing). */
export function secureCookies(publicUrl: URL): boolean {
  return !['localhost', '127.0.0.1', '[::1]'].includes(publicUrl.hostname);
}

export function loginCookie(req: Request): string | undefined {
  return req.headers.cookie ? parse(req.headers.cookie)[LOGIN_COOKIE] : undefined;
}

export function setSessionCookie(res: Response, token: string, maxSeconds: number, secure: boolean): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: maxSeconds * 1000 });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, secure, sameSite: 'lax', path: '/' });
}

/** Cross-site form posts are refused: the browser's Origin must be Loupe's own. */
export function sameOrigin(req: Request, publicUrl: URL): boolean {
  const origin = req.get('origin');
  return origin === undefined || origin === publicUrl.origin;
}

/** Where a sign-in returning to `returnTo` starts; `fresh` asks the provider for a new sign-in even over its own session (signing in as someone else). */
export function signInPath(returnTo: string | undefined, fresh = false): string {
  return `/auth/login${returnTo ? `?return=${encodeURIComponent(returnTo)}` : ''}${fresh ? `${returnTo ? '&' : '?'}prompt=login` : ''}`;
}

/** Only Loupe's own viewer, teaching share and console paths may be returned to after sign-in. */
export function safeReturn(path: unknown): string {
  return typeof path === 'string' && (/^\/(view|teach)\/[A-Za-z0-9_-]{20,64}$/.test(path) || isConsolePath(path)) ? path : '/auth/signed-in';
}

/**
 * The admin console's pages: /admin and the plain paths under it, with at most a
 * short query of the page's own filters (Loupe's ids, dates, action names), so a
 * link to a filtered page survives signing in. Searches by patient identifier
 * are POSTs, so none travels here.
 */
export function isConsolePath(path: string): boolean {
  const at = path.indexOf('?');
  const [route, query] = at < 0 ? [path, undefined] : [path.slice(0, at), path.slice(at + 1)];
  return /^\/admin(\/[a-z0-9-]{1,40}){0,4}$/.test(route) && (query === undefined || /^[A-Za-z0-9=&%._~+-]{1,600}$/.test(query));
}
