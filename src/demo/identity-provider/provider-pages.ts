// The pages oidc-provider itself renders (sign-out confirmation, signed out,
// errors), in the provider's own plain style: no stack traces, no script.
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml } from '../../web/html.js';
import { sendPage } from './html.js';

/** `form` is oidc-provider's hidden form (id "op.logoutForm") carrying the xsrf token. */
export function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  sendPage(ctx, 200, 'Sign out', `<h1>Sign out?</h1>
<p>Sign out of the demo hospital sign-in on this browser?</p>
${form}
<button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>`);
}

export function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  sendPage(ctx, 200, 'Signed out', '<h1>Signed out</h1><p>You are signed out of the demo hospital sign-in.</p>');
}

export function renderError(ctx: KoaContextWithOIDC, out: ErrorOut): void {
  const description = out.error_description ? `<p>${escapeHtml(out.error_description)}</p>` : '';
  sendPage(ctx, ctx.status >= 400 ? ctx.status : 400, 'Sign-in error', `<h1>Sign-in could not continue</h1>
<p class="error">${escapeHtml(out.error)}</p>
${description}
<p class="note">Go back to the application and try again.</p>`);
}
