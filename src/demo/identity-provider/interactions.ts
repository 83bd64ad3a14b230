// The provider's user-facing steps (oidc-provider's interaction API): the
// sign-in form and, for these first-party clients, consent given without a page.
import type { Middleware, ParameterizedContext } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { requestsMfa } from './acr.js';
import { FormTooLarge, readForm } from './form-body.js';
import { sendPage } from './html.js';
import { errors } from './load-provider.js';
import { signInBody } from './sign-in-page.js';
import { checkSignIn } from './sign-in.js';
import type { DemoPerson } from './types.js';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;
type Ctx = ParameterizedContext;

export interface InteractionDeps {
  provider: Provider;
  people: readonly DemoPerson[];
  oneTimeCode: string;
  /** The issuer's path, which every URL the browser sees starts with. */
  basePath: string;
  onError: (error: unknown) => void;
}

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/abort)?$/;

export function interactionPath(basePath: string, uid: string): string {
  return `${basePath}/interaction/${uid}`;
}

export function interactionRoutes(d: InteractionDeps): Middleware {
  return async (ctx, next) => {
    const route = ROUTE.exec(ctx.path);
    if (!route) return next();
    const [, uid = '', abort] = route;
    try {
      const interaction = await d.provider.interactionDetails(ctx.req, ctx.res);
      if (interaction.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
      if (abort) return ctx.method === 'POST' ? await finish(ctx, d, { error: 'access_denied', error_description: 'End-User aborted interaction' }, false) : notAllowed(ctx);
      if (interaction.prompt.name === 'consent') return await grantConsent(ctx, d, interaction);
      if (ctx.method === 'GET' || ctx.method === 'HEAD') return showForm(ctx, d, interaction, 200);
      if (ctx.method === 'POST') return await signIn(ctx, d, interaction);
      notAllowed(ctx);
    } catch (error) {
      if (error instanceof errors.SessionNotFound) {
        sendPage(ctx, 400, 'Sign-in expired', '<h1>This sign-in has expired</h1><p>It was finished, cancelled or left too long. Go back to the application and start again.</p>');
      } else if (error instanceof FormTooLarge) {
        sendPage(ctx, 413, 'Sign-in error', '<h1>Sign-in could not continue</h1><p>The form was too large.</p>');
      } else {
        d.onError(error);
        sendPage(ctx, 500, 'Sign-in error', '<h1>Sign-in could not continue</h1><p>Something went wrong. Go back to the application and try again.</p>');
      }
    }
  };
}

function notAllowed(ctx: Ctx): void {
  ctx.set('Allow', 'GET, POST');
  sendPage(ctx, 405, 'Sign-in error', '<h1>Sign-in could not continue</h1>');
}

function showForm(ctx: Ctx, d: InteractionDeps, interaction: Interaction, status: number, email?: string, error?: string): void {
  const action = interactionPath(d.basePath, interaction.uid);
  sendPage(ctx, status, 'Sign in', signInBody({
    action,
    abortAction: `${action}/abort`,
    email: email ?? suggestedEmail(d, interaction),
    mfaRequested: requestsMfa(interaction.params['acr_values']),
    ...(error === undefined ? {} : { error }),
  }));
}

/** The signed-in person (a step-up), else the client's login_hint. */
function suggestedEmail(d: InteractionDeps, interaction: Interaction): string {
  const current = interaction.session?.accountId;
  const person = current === undefined ? undefined : d.people.find((p) => p.sub === current);
  if (person) return person.email;
  const hint = interaction.params['login_hint'];
  return typeof hint === 'string' && hint.includes('@') ? hint : '';
}

async function signIn(ctx: Ctx, d: InteractionDeps, interaction: Interaction): Promise<void> {
  const form = await readForm(ctx.req);
  const email = form.get('email') ?? '';
  const outcome = checkSignIn(d.people, d.oneTimeCode, {
    email,
    password: form.get('password') ?? '',
    otp: form.get('otp') ?? '',
  }, requestsMfa(interaction.params['acr_values']));
  if (!outcome.ok) return showForm(ctx, d, interaction, 400, email, outcome.error);
  const { acr, amr } = outcome.authentication;
  // Not remembered: the sign-in lasts until the browser closes (or the session's lifetime).
  await finish(ctx, d, { login: { accountId: outcome.person.sub, acr, amr, remember: false } }, false);
}

/** First-party clients: grant what they asked for, without asking. */
async function grantConsent(ctx: Ctx, d: InteractionDeps, interaction: Interaction): Promise<void> {
  const { prompt, params, session, grantId } = interaction;
  const accountId = session?.accountId;
  const clientId = params['client_id'];
  if (accountId === undefined || typeof clientId !== 'string') throw new errors.SessionNotFound('no signed-in person');
  const grant = (grantId ? await d.provider.Grant.find(grantId) : undefined) ?? new d.provider.Grant({ accountId, clientId });
  const details = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  // Merged with the sign-in just made, so checks such as max_age=0 see it.
  await finish(ctx, d, { consent: { grantId: await grant.save() } }, true);
}

async function finish(ctx: Ctx, d: InteractionDeps, result: InteractionResults, mergeWithLastSubmission: boolean): Promise<void> {
  const returnTo = await d.provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission });
  ctx.set('Cache-Control', 'no-store');
  ctx.status = 303;
  ctx.redirect(returnTo);
}
