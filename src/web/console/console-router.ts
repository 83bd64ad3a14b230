// /admin: the admin console. Every path under it needs a viewer session
// (the same hospital sign-in), a console role from the core's rules, and
// (by default) a multi-factor sign-in; every POST must carry the session's
// form token from Loupe's own origin. Refusals are audited and answered with
// a plain page. Security headers (CSP without inline script, no-store, no
// framing) come from the HTTP app for every response.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { consoleAccess } from '../../app/console/console-access.js';
import { refused, type ConsoleRefusalReason } from '../../app/console/console-caller.js';
import { describeError } from '../../core/errors.js';
import { IdentityLinks } from '../../storage/identity-links.js';
import { isConsolePath, sessionCookie, signInPath } from '../viewer/http.js';
import { setConsoleRequest } from './context.js';
import { csrfToken, csrfValid } from './csrf.js';
import type { ConsoleDeps } from './deps.js';
import { consoleNotice } from './layout.js';
import { CONSOLE_PAGES } from './pages.js';
import { CONSOLE_CSS } from './style.js';

/**
 * Navigations the browser says came from another site (Fetch Metadata); the
 * session cookie is SameSite=Lax, so such top-level GETs carry it. Pages
 * stay open to them (a sign-in returns through the provider's redirects).
 */
function crossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
}

export function consoleRouter(d: ConsoleDeps): Router {
  const router = express.Router();
  const links = new IdentityLinks(d.storage.db);
  const notice = (res: Response, status: number, title: string, message: string, link?: { href: string; label: string }, who?: string) =>
    void res.status(status).type('html').send(consoleNotice(title, message, link, status, who));

  router.get('/admin/console.css', (_req, res) => void res.type('css').send(CONSOLE_CSS));
  router.use('/admin', express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 }));

  router.use('/admin', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const here = `${req.baseUrl}${req.path}`.replace(/\/$/, '');
      // A download of the trail starts only from Loupe's own pages: a link on another site would export in the officer's name.
      if (here === '/admin/audit/export' && crossSite(req)) return res.redirect(303, '/admin/audit');
      const token = sessionCookie(req);
      const session = await d.sessions.resolve(token);
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      const signIn = signInPath(isConsolePath(here + query) ? here + query : isConsolePath(here) ? here : '/admin');
      if (session.state !== 'active' || !token) {
        if (req.method === 'GET') return res.redirect(302, signIn);
        return notice(res, 401, 'Signed out', 'Your session has ended. Sign in again; nothing was changed.', { href: signInPath('/admin'), label: 'Sign in' });
      }
      const who = session.identity;
      const access = await consoleAccess({ links, directory: d.directory, rules: d.rules, mfaAcr: d.mfaAcr }, { ...who, groups: who.groups ?? [] });
      const actor = { type: 'user' as const, id: who.subject };
      const refuse = (reason: ConsoleRefusalReason) => refused(d.storage.audit, { actor, requestId: String(req.id) }, { reason, details: { session: session.id, method: req.method } });
      const decision = access.may('read_policies');
      if (!decision.allow && decision.reason === 'no_role' && access.platformUnanswered) {
        return notice(res, 503, 'Try again in a minute', 'Loupe could not ask your chat platform whether you administer a workspace or a team just now, so it cannot tell which parts of the console are yours. Nothing was changed; try again shortly.', { href: req.method === 'GET' && isConsolePath(req.originalUrl) ? req.originalUrl : '/admin', label: 'Try again' }, who.displayName);
      }
      if (!decision.allow && decision.reason === 'no_role') {
        await refuse('no_role');
        return notice(res, 403, 'No access to the console', `You are signed in as ${who.displayName}, but Loupe’s console is only for workspace admins, Teams team owners and privacy officers. Ask your administrator if you need access.`, { href: signInPath('/admin', true), label: 'Sign in as someone else' }, who.displayName);
      }
      if (!decision.allow && decision.reason === 'mfa_required') {
        await refuse('mfa_required');
        return notice(res, 401, 'Multi-factor sign-in needed', 'The console needs a multi-factor sign-in, and this session used a password only. Sign in again with your second factor.', { href: signInPath('/admin'), label: 'Sign in again' }, who.displayName);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD' && !csrfValid(req, token, d.publicUrl)) {
        await refuse('csrf');
        return notice(res, 403, 'Refused', 'That request did not come from a Loupe console page, so nothing was changed.', { href: '/admin', label: 'Back to the console' }, who.displayName);
      }
      setConsoleRequest(res, {
        access,
        user: { name: who.displayName, issuer: who.issuer, subject: who.subject, sessionId: session.id },
        actor,
        csrf: csrfToken(token),
        workspaces: await d.storage.workspaces.list(),
        requestId: String(req.id),
      });
      next();
    } catch (error) {
      next(error);
    }
  });

  for (const register of CONSOLE_PAGES) register(router, d);

  router.use('/admin', (_req, res) => notice(res, 404, 'Not found', 'There is no such console page.', { href: '/admin', label: 'Back to the console' }));
  router.use('/admin', (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    d.logger.error({ err: describeError(error), requestId: req.id }, 'console request failed');
    if (res.headersSent) return void res.destroy();
    notice(res, 500, 'Something went wrong', `The console could not do that. Nothing was half done; try again, and quote request ${String(req.id)} if it keeps failing.`, { href: '/admin', label: 'Back to the console' });
  });
  return router;
}
