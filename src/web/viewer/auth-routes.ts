// Sign-in and sign-out for the viewer: the redirect to the hospital's
// provider (state, nonce and PKCE kept server side, used once), the callback
// that checks them, matches the person to their chat account and opens a
// session, and sign-out at Loupe with the provider's end-session offered.
import { createHash, randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { AuditAction } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import { describeError, ErrorCode, isLoupeError } from '../../core/errors.js';
import type { Logger } from '../../logging.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import type { Database } from '../../storage/database.js';
import { viewerRepos } from '../../storage/viewer-repos.js';
import type { SessionState, ViewerSessions } from '../../storage/viewer-sessions.js';
import { hashLinkToken } from '../../intake/link-token.js';
import type { RelyingParty } from '../oidc/relying-party.js';
import type { ViewerDirectory } from '../../app/ports/viewer-directory.js';
import { clearSessionCookie, isConsolePath, LOGIN_COOKIE, loginCookie, safeReturn, sameOrigin, secureCookies, sessionCookie, setSessionCookie, signInPath } from './http.js';
import { linkEverywhere, linkIdentity } from './identity-link.js';
import { noticeHtml } from '../design/notice.js';
import { logQuietly } from '../http-app.js';
import type { ProviderSignIn } from '../design/site-page.js';

export interface AuthDeps {
  db: Database;
  clock: Clock;
  audit: AuditLog;
  logger: Logger;
  policies: ChannelPolicies;
  directory: ViewerDirectory;
  sessions: ViewerSessions;
  rp: RelyingParty | undefined;
  publicUrl: URL;
  maxSessionSeconds: number;
  /** The admin console needs a multi-factor sign-in. */
  consoleRequireMfa: boolean;
  /** Every workspace's id: a console sign-in is matched to a chat account in each. */
  workspaceIds: () => Promise<string[]>;
}

const stateHash = (state: string) => createHash('sha256').update(`loupe-login/1\0${state}`).digest('hex');
const browserHash = (value: string) => createHash('sha256').update(`loupe-login-browser/1\0${value}`).digest('hex');
const LOGIN_TTL_MS = 10 * 60_000;

export function authRouter(d: AuthDeps): Router {
  const router = express.Router();
  const secure = secureCookies(d.publicUrl);
  const { cards, logins, identityLinks } = viewerRepos(d.db);
  // A refusal after the provider named the person (atProvider) says who, and offers a fresh sign-in as someone else.
  const page = (res: Response, status: number, title: string, message: string, link?: { href: string; label: string }, atProvider?: ProviderSignIn) => {
    res.status(status).type('html').send(noticeHtml({ title, message, ...(link ? { link } : {}) }, { status, atProvider }));
  };

  router.get('/auth/login', async (req: Request, res: Response) => {
    if (!d.rp) return page(res, 503, 'Sign-in is not set up', 'This Loupe has no hospital sign-in configured (OIDC_ISSUER). Ask its administrator.');
    const returnTo = safeReturn(req.query['return']);
    const token = returnTo.startsWith('/view/') ? returnTo.slice('/view/'.length) : undefined;
    const card = token ? await cards.cardOfToken(hashLinkToken(token)) : undefined;
    const forConsole = isConsolePath(returnTo);
    // Only this one value: anything else is the usual sign-in.
    const fresh = req.query['prompt'] === 'login';
    const requireMfa = card ? (await d.policies.effective(card.workspaceId, card.channelId)).requireMfa : forConsole && d.consoleRequireMfa;
    let login;
    try {
      login = await d.rp.login(requireMfa, fresh);
    } catch (error) {
      d.logger.warn({ err: describeError(error) }, 'sign-in could not start');
      return page(res, 503, 'Sign-in is unavailable', 'The hospital sign-in service could not be reached. Try again in a moment.');
    }
    // Binds the sign-in to this browser: a callback URL sent to someone else signs nobody in.
    const browser = randomBytes(32).toString('base64url');
    res.cookie(LOGIN_COOKIE, browser, { httpOnly: true, secure, sameSite: 'lax', path: '/auth/callback', maxAge: LOGIN_TTL_MS });
    await logins.start(
      {
        browserHash: browserHash(browser),
        stateHash: stateHash(login.state),
        nonce: login.nonce,
        codeVerifier: login.codeVerifier,
        returnTo,
        linkTokenHash: token ? hashLinkToken(token) : null,
        requireMfa,
        expiresAt: new Date(d.clock.now().getTime() + LOGIN_TTL_MS),
      },
      d.clock.now(),
    );
    res.redirect(302, login.url.href);
  });

  /**
   * The person at this browser has just signed in at the provider: the Loupe
   * session already in it ends when it is someone else's, so a refused
   * sign-in does not leave them inside another person's session (a shared
   * workstation), and when a new session replaces it (`replaced`), so no
   * session outlives the cookie that held it.
   */
  const endPreviousSession = async (req: Request, res: Response, who: { issuer: string; subject: string }, replaced: boolean): Promise<void> => {
    const token = sessionCookie(req);
    if (!token) return;
    const current = await d.sessions.resolve(token, false);
    const samePerson = current.state === 'active' && current.identity.issuer === who.issuer && current.identity.subject === who.subject;
    if (samePerson && !replaced) return;
    if (!replaced) clearSessionCookie(res, secure);
    // The same person signing in again only replaces their own session: nobody was signed out.
    if (samePerson) await d.sessions.end(token);
    else await signOut(token, current, 'another_sign_in');
  };

  /** Ends the session behind `token`, audited when it was still active. */
  const signOut = async (token: string | undefined, current: SessionState, reason?: string): Promise<void> => {
    await d.sessions.end(token);
    if (current.state === 'active') {
      await d.audit.record({ actor: { type: 'user', id: null }, action: AuditAction.ViewerSignedOut, outcome: 'success', ...(reason ? { reason } : {}), details: { session: current.id } });
    }
  };

  router.get('/auth/callback', async (req: Request, res: Response) => {
    if (!d.rp) return page(res, 503, 'Sign-in is not set up', 'This Loupe has no hospital sign-in configured.');
    const state = typeof req.query['state'] === 'string' ? req.query['state'] : '';
    // Used once: deleted as it is read, so a replayed callback finds nothing.
    const attempt = state ? await logins.take(stateHash(state)) : undefined;
    const browser = loginCookie(req);
    res.clearCookie(LOGIN_COOKIE, { httpOnly: true, secure, sameSite: 'lax', path: '/auth/callback' });
    if (!attempt || attempt.expiresAt <= d.clock.now() || !browser || browserHash(browser) !== attempt.browserHash) {
      // Not back to the attempt's page: it may be another browser's (a callback link sent to someone). A refusal by
      // design (a slow sign-in, the back button, a replay), so logged at debug like the other expected refusals.
      logQuietly(res);
      return page(res, 400, 'Sign-in expired', 'This sign-in took too long, was already used, or was started in another browser. Open the link from the chat again, or sign in again here.', { href: signInPath(undefined), label: 'Sign in again' });
    }
    let who;
    try {
      who = await d.rp.callback(new URL(req.originalUrl, d.publicUrl), { state, nonce: attempt.nonce, codeVerifier: attempt.codeVerifier });
    } catch (error) {
      d.logger.warn({ err: describeError(error) }, 'sign-in callback refused');
      if (isLoupeError(error, ErrorCode.OidcSubjectMismatch)) {
        // A provider (or someone between) answering for another person than the one who signed in.
        await d.audit.record({ actor: { type: 'user', id: null }, action: AuditAction.ViewerSignInRefused, outcome: 'denied', reason: 'userinfo_subject_mismatch', details: { issuer: d.rp.issuer } });
      }
      return page(res, 400, 'Sign-in failed', 'The sign-in could not be completed. Open the link from the chat again, or sign in again here.', { href: signInPath(attempt.returnTo), label: 'Sign in again' });
    }
    const atProvider = { name: who.name, signInAgain: signInPath(attempt.returnTo, true) };
    const refuse = async (reason: string, status: number, title: string, message: string, link?: { href: string; label: string }) => {
      await d.audit.record({ actor: { type: 'user', id: null }, action: AuditAction.ViewerSignInRefused, outcome: 'denied', reason, details: { issuer: who.issuer, subject: who.subject } });
      await endPreviousSession(req, res, who, false);
      page(res, status, title, message, link, atProvider);
    };
    const mfa = d.rp.isMultiFactor(who);
    // The console decides for itself (someone with no console role is told so, whatever their factors).
    if (attempt.requireMfa && !mfa && !isConsolePath(attempt.returnTo)) {
      return refuse('mfa_required', 401, 'Multi-factor sign-in needed', 'Viewing images from this channel needs a multi-factor sign-in, and this one used a password only. Sign in again with your second factor.', {
        href: signInPath(attempt.returnTo),
        label: 'Sign in again',
      });
    }
    const card = attempt.linkTokenHash ? await cards.cardOfToken(attempt.linkTokenHash) : undefined;
    let identityLinkId: string | undefined;
    if (card) {
      const linked = await linkIdentity({ links: identityLinks, directory: d.directory, clock: d.clock }, card.workspaceId, who);
      if (!linked) {
        return refuse('no_identity_match', 403, 'No matching chat account', 'You signed in, but Loupe found no account in this chat workspace with your verified hospital email, so it cannot tell whether you may see this image. Ask your administrator to check that your chat profile uses your hospital email.');
      }
      identityLinkId = linked;
    } else {
      // Not from a card: the console asks each workspace's platform whether this person administers it, and a card
      // opened later in this session must find its chat account (signing in at the landing page first): match them
      // in every workspace now.
      await linkEverywhere({ links: identityLinks, directory: d.directory, clock: d.clock, workspaceIds: d.workspaceIds }, who);
    }
    await endPreviousSession(req, res, who, true);
    const session = await d.sessions.create({
      issuer: who.issuer,
      subject: who.subject,
      displayName: who.name,
      email: who.email,
      acr: who.acr,
      amr: who.amr,
      identityLinkId,
      groups: who.groups,
    });
    await d.audit.record({ actor: { type: 'user', id: null }, action: AuditAction.ViewerSignedIn, outcome: 'success', details: { session: session.id, issuer: who.issuer, subject: who.subject, mfa } });
    setSessionCookie(res, session.token, d.maxSessionSeconds, secure);
    res.redirect(302, attempt.returnTo);
  });

  router.post('/auth/logout', async (req: Request, res: Response) => {
    if (!sameOrigin(req, d.publicUrl)) return page(res, 403, 'Refused', 'That request did not come from Loupe.');
    const token = sessionCookie(req);
    await signOut(token, await d.sessions.resolve(token, false));
    clearSessionCookie(res, secure);
    const provider = await d.rp?.endSessionUrl().catch(() => undefined);
    page(res, 200, 'Signed out of Loupe', 'Your Loupe session has ended.', provider ? { href: provider.href, label: 'Also sign out of the hospital sign-in' } : undefined);
  });

  router.get('/auth/signed-out', (_req, res) => page(res, 200, 'Signed out', 'You are signed out.'));
  router.get('/auth/signed-in', (_req, res) => page(res, 200, 'Signed in', 'You are signed in. Open an image from its card in the chat.'));
  return router;
}
