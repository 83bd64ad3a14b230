// The sign-in form: email, password and one-time code in one plain POST.
import { escapeHtml } from '../../web/html.js';

export interface SignInForm {
  /** Where the form posts (the interaction's own URL). */
  action: string;
  /** Where "Cancel" posts. */
  abortAction: string;
  email: string;
  /** The client asked for the second factor (acr_values). */
  mfaRequested: boolean;
  error?: string;
}

export function signInBody(f: SignInForm): string {
  const error = f.error ? `<p class="error" role="alert">${escapeHtml(f.error)}</p>` : '';
  const codeNote = f.mfaRequested
    ? '<p class="note">This application asks for your second factor: enter the one-time code from your authenticator.</p>'
    : '<p class="note">If you have a second factor, you may also enter its one-time code.</p>';
  return `<h1>Sign in</h1>
${error}
<form method="post" action="${escapeHtml(f.action)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(f.email)}"${f.email ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${f.email ? ' autofocus' : ''}>
<label for="otp">One-time code</label>
<input id="otp" name="otp" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="12">
${codeNote}
<button class="primary" type="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(f.abortAction)}">
<button class="secondary" type="submit">Cancel</button>
</form>`;
}
