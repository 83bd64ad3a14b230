// What every viewer and sign-in response carries: no caching, no framing, no
// referrer, a Content Security Policy with no inline script and no other
// origin; and the session cookie's reading and writing.
import { parse } from 'cookie';
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'loupe_session';
/** Set while a sign-in is under way, for the callback only. */
export const LOGIN_COOKIE = 'loupe_login';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function secureHeaders(res: Response): void {
  res.set({
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Content-Security-Policy': CSP,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts, which the CSRF check needs.
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
}

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

/** Only Loupe's own viewer paths may be returned to after sign-in. */
export function safeReturn(path: unknown): string {
  return typeof path === 'string' && /^\/view\/[A-Za-z0-9_-]{20,64}$/.test(path) ? path : '/auth/signed-in';
}
