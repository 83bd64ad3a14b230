// What several console pages show the same way: a time, a workspace's name
// and platform, and a use case's refusal as a plain page; and the caller a
// page hands its use case.
import type { Response } from 'express';
import type { ConsoleCaller } from '../../app/console/console-caller.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import { html, type SafeHtml } from '../html.js';
import { consoleRequest, type ConsoleRequest } from './context.js';
import type { ConsoleDeps } from './deps.js';
import { CSRF_FIELD } from './csrf.js';
import { consoleNotice } from './layout.js';

export const PLATFORM = { slack: 'Slack', teams: 'Microsoft Teams' } as const;

/** A time as the console shows it: UTC to the minute, machine-readable in `datetime`. */
export function when(d: Date): SafeHtml {
  const iso = d.toISOString();
  return html`<time datetime="${iso}"><span class="nowrap">${iso.slice(0, 10)}</span> <span class="nowrap">${iso.slice(11, 16)} UTC</span></time>`;
}

export function workspaceName(c: ConsoleRequest, id: string | null): string {
  if (id === null) return 'Loupe itself';
  return c.workspaces.find((w) => w.id === id)?.name ?? 'Unknown workspace';
}

export function consoleCaller(d: ConsoleDeps, c: ConsoleRequest): ConsoleCaller {
  return { storage: d.storage, queue: d.queue, access: c.access, actor: c.actor, requestId: c.requestId, clock: d.clock };
}

/**
 * A refusal, a change that cannot be made here, or a missing workspace,
 * channel or hold, as a plain page; anything else is thrown on to the
 * router's error page (Express 5 passes a rejected handler's error on).
 */
export function refusal(res: Response, error: unknown): void {
  const back = { href: '/admin', label: 'Back to the console' };
  // Someone is signed in (the console's gate let them through): the page names them, with sign-out.
  const notice = (status: number, title: string, message: string) => void res.status(status).type('html').send(consoleNotice(title, message, back, status, consoleRequest(res).user.name));
  if (isLoupeError(error, ErrorCode.Forbidden)) return notice(403, 'Not allowed', 'Your role does not allow that here. Nothing was shown or changed.');
  if (isLoupeError(error, ErrorCode.InvalidInput)) return notice(400, 'Not saved', 'That change cannot be made here, so nothing was changed.');
  if (isLoupeError(error, ErrorCode.NotFound)) return notice(404, 'Not found', 'There is no such workspace, channel or hold.');
  throw error;
}

/** The "Which patient" panel: a form posting (never in a URL) the identifier and issuer as typed so far, any further fields, and its button. */
export function patientLookupPanel(c: ConsoleRequest, o: { action: string; typed: { identifier: string; issuer: string }; problem?: string | undefined; more?: SafeHtml; submit: SafeHtml }): SafeHtml {
  return html`<section class="panel data" aria-labelledby="which">
<h2 id="which">Which patient</h2>
${o.problem ? html`<div class="banner bad" role="alert">${o.problem}</div>` : ''}
<form method="post" action="${o.action}" class="filters" autocomplete="off">
<input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}">
${patientLookupFields(o.typed)}
${o.more ?? ''}
${o.submit}
</form></section>`;
}

function patientLookupFields(typed: { identifier: string; issuer: string }): SafeHtml {
  return html`<label>Patient identifier <span class="hint">For example the medical record number</span><input type="text" name="identifier" required maxlength="64" value="${typed.identifier}" spellcheck="false"></label>
<label>Issuer <span class="hint">The system that gave the identifier</span><input type="text" name="issuer" required maxlength="64" value="${typed.issuer}" spellcheck="false"></label>`;
}

/** A posted form's text field, or empty. */
export function formField(body: unknown, k: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[k];
  return typeof v === 'string' ? v : '';
}
