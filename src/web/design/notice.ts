// The pages Loupe shows instead of an image: expired (410), revoked or not
// allowed (403), no matching chat account, multi-factor needed, break-glass,
// signed out. A sentence saying why and what to do; never a stack trace,
// never patient data. They share the site's design (design/site-page.ts).
import { html } from '../html.js';
import { sitePage, type ProviderSignIn } from './site-page.js';

export interface Notice {
  title: string;
  message: string;
  link?: { href: string; label: string };
  /** A break-glass form posting to `action`. */
  breakGlass?: { action: string };
  /** Seconds after which the browser asks again (an image still being prepared). */
  refreshSeconds?: number;
}

export interface NoticeContext {
  /** The HTTP status it answers with: it colours the card (refused, ended, waiting). */
  status?: number;
  /** Who is signed in, when someone is: named in the header with a sign-out button. */
  who?: string | undefined;
  /** Who the hospital's sign-in named, when Loupe opened no session for them: named, with a fresh sign-in offered. */
  atProvider?: ProviderSignIn | undefined;
}

function tone(status: number | undefined): string {
  if (status === 401 || status === 403) return 'refused';
  if (status === 404 || status === 410) return 'ended';
  if (status === 409 || status === 503) return 'waiting';
  return '';
}

export function noticeHtml(n: Notice, c: NoticeContext = {}): string {
  const link = n.link ? html`<p><a class="button" href="${n.link.href}">${n.link.label}</a></p>` : '';
  const form = n.breakGlass
    ? html`<form method="post" action="${n.breakGlass.action}">
  <p>In an emergency you may open it without being invited. State why; this is recorded, time-limited and announced to the workspace's admins.</p>
  <label>Reason <textarea name="reason" minlength="10" maxlength="500" required></textarea></label>
  <button type="submit" class="danger">Break glass</button>
</form>`
    : '';
  const body = html`<div class="panel"><h1>${n.title}</h1><p>${n.message}</p>${link}${form}</div>`;
  return sitePage({ title: n.title, body, who: c.who, atProvider: c.atProvider, mainClass: `notice ${tone(c.status)}`.trim(), refreshSeconds: n.refreshSeconds });
}
