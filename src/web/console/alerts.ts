// /admin/alerts: the alerts breach monitoring raised (src/app/evaluate-alerts.ts),
// newest first, filtered by state and paged, each with its rule's plain words,
// the count and window, links to the audit events that raised it, and, for
// those allowed, Acknowledge (with a note) and Close forms. /admin/alerts/<id>
// is one alert: the page chat notices link to.
import type { Response, Router } from 'express';
import { ALERT_STATES, MAX_ALERT_NOTE, changeAlert, findAlert, listAlerts, mayManageAlert, type Alert, type AlertState } from '../../app/alerts.js';
import { requireConsoleActionAnywhere } from '../../app/console/console-caller.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { html, type SafeHtml } from '../html.js';
import { eventHref, scopeFor } from './audit.js';
import { consoleRequest, type ConsoleRequest } from './context.js';
import { CSRF_FIELD } from './csrf.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { consoleCaller, formField, refusal, when, workspaceName } from './view.js';

const PAGE_SIZE = 50;
const SEVERE = new Set(['chain_verify_failed', 'job_dead', 'distinct_patients']);
const STATE_LABEL: Record<AlertState, string> = { open: 'Open', acknowledged: 'Acknowledged', closed: 'Closed' };
const DONE = { acknowledged: 'Alert acknowledged.', closed: 'Alert closed.' } as const;

function stateBadge(a: Alert): SafeHtml {
  const tone = a.state === 'open' ? (SEVERE.has(a.rule) ? 'bad' : 'warn') : a.state === 'acknowledged' ? 'warn' : 'ok';
  return html`<span class="badge ${tone}">${STATE_LABEL[a.state]}</span>`;
}

function actions(c: ConsoleRequest, a: Alert): SafeHtml {
  if (a.state === 'closed' || !mayManageAlert(c, a)) return html``;
  const ack =
    a.state === 'open'
      ? html`<form method="post" action="/admin/alerts/${a.id}/acknowledge" class="stack"><input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}">
<label>Note<span class="hint">What you checked or did. Shown here only, never in the audit trail; no patient names or identifiers.</span><textarea name="note" required maxlength="${MAX_ALERT_NOTE}"></textarea></label>
<button type="submit">Acknowledge</button></form>`
      : html``;
  return html`${ack}<form method="post" action="/admin/alerts/${a.id}/close" class="stack"><input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}">
${a.state === 'acknowledged' ? html`<label>Closing note<span class="hint">Optional, added to the note.</span><textarea name="note" maxlength="${MAX_ALERT_NOTE}"></textarea></label>` : ''}
<button type="submit" class="secondary">Close</button></form>`;
}

function who(c: ConsoleRequest, id: string | null): SafeHtml {
  if (id === null) return html``;
  return id === c.actor.id ? html`you` : html`<code>${id}</code>`;
}

function alertRow(c: ConsoleRequest, a: Alert): SafeHtml {
  const events = a.firstSeq === a.lastSeq ? html`<a href="${eventHref(a.lastSeq)}">Event #${a.lastSeq.toString()}</a>` : html`<a href="${eventHref(a.firstSeq)}">First #${a.firstSeq.toString()}</a>, <a href="${eventHref(a.lastSeq)}">last #${a.lastSeq.toString()}</a>`;
  const windowed = a.windowEnd.getTime() !== a.windowStart.getTime();
  return html`<tr id="alert-${a.id}"><td>${when(a.raisedAt)}</td><td>${stateBadge(a)} <a href="/admin/alerts/${a.id}">${a.title}</a></td>
<td>${a.count}${windowed ? html`<br><small>from ${when(a.windowStart)}</small>` : ''}</td>
<td><code>${a.subject}</code></td><td>${workspaceName(c, a.workspaceId)}</td><td>${events}</td>
<td>${a.acknowledgedAt ? html`<small>Acknowledged by ${who(c, a.acknowledgedBy)}, ${when(a.acknowledgedAt)}</small><br>` : ''}${a.closedAt ? html`<small>Closed by ${who(c, a.closedBy)}, ${when(a.closedAt)}</small><br>` : ''}${a.note ? html`<p class="reason">${a.note}</p>` : ''}${actions(c, a)}</td></tr>`;
}

function table(c: ConsoleRequest, alerts: readonly Alert[]): SafeHtml {
  return html`<div class="table-scroll"><table class="trail"><caption class="visually-hidden">Alerts, newest first</caption><thead><tr><th scope="col">Raised</th><th scope="col">What happened</th><th scope="col">Count</th><th scope="col">About</th><th scope="col">Workspace</th><th scope="col">Audit events</th><th scope="col">Handling</th></tr></thead>
<tbody>${alerts.map((a) => alertRow(c, a))}</tbody></table></div>`;
}

function filterNav(state: AlertState | undefined): SafeHtml {
  const link = (s: AlertState | undefined, label: string) => (s === state ? html`<strong aria-current="page">${label}</strong>` : html`<a href="/admin/alerts${s ? `?state=${s}` : ''}">${label}</a>`);
  return html`<nav class="pager" aria-label="Filter by state">${link(undefined, 'All')} ${ALERT_STATES.map((s) => link(s, STATE_LABEL[s]))}</nav>`;
}

const field = formField;

const PROBLEM = { note: `Write a note of up to ${MAX_ALERT_NOTE} characters: what you checked or did.`, state: 'The alert has already moved on (someone else acknowledged or closed it).' } as const;

async function listPage(d: ConsoleDeps, res: Response, o: { state: AlertState | undefined; page: number; banner?: SafeHtml; status?: number }): Promise<void> {
  const c = consoleRequest(res);
  await requireConsoleActionAnywhere({ ...c, storage: d.storage }, 'read_alerts');
  const list = await listAlerts({ storage: d.storage }, scopeFor(c, 'read_alerts'), { state: o.state, page: o.page, limit: PAGE_SIZE });
  const q = (page: number) => `/admin/alerts?${o.state ? `state=${o.state}&` : ''}page=${page}`;
  const body = html`${o.banner ?? ''}<section class="panel data" aria-label="Alerts, newest first">${filterNav(o.state)}
${list.alerts.length
  ? html`${table(c, list.alerts)}<nav class="pager" aria-label="Pages">${o.page > 0 ? html`<a href="${q(o.page - 1)}">← Newer</a>` : html`<span></span>`}${list.more ? html`<a href="${q(o.page + 1)}">Older →</a>` : html`<span></span>`}</nav>`
  : html`<p class="empty">No ${o.state ? STATE_LABEL[o.state].toLowerCase() + ' ' : ''}alerts. Loupe raises one when a user views many patients' images or is refused repeatedly, break-glass access is used, sign-ins are refused in numbers, an upload could not be removed from the chat, a background job gives up, or the audit chain fails its check.</p>`}
</section>`;
  res
    .status(o.status ?? 200)
    .type('html')
    .send(consolePage(c, { title: 'Alerts', section: 'alerts', body, lede: 'What breach monitoring raised for someone to look at, newest first. Acknowledge an alert with a note once you have looked; close it when it is dealt with. Every change is audited.' }));
}

export function alertRoutes(router: Router, d: ConsoleDeps): void {
  router.get('/admin/alerts', async (req, res) => {
    try {
      const state = ALERT_STATES.find((s) => s === req.query.state);
      const page = typeof req.query.page === 'string' && /^\d{1,6}$/.test(req.query.page) ? Number(req.query.page) : 0;
      const done = req.query.done === 'acknowledged' || req.query.done === 'closed' ? req.query.done : undefined;
      await listPage(d, res, { state, page, ...(done ? { banner: html`<div class="banner ok" role="status">${DONE[done]}</div>` } : {}) });
    } catch (error) {
      refusal(res, error);
    }
  });

  router.get('/admin/alerts/:alertId', async (req, res) => {
    const c = consoleRequest(res);
    try {
      await requireConsoleActionAnywhere({ ...c, storage: d.storage }, 'read_alerts');
      const alert = await findAlert({ storage: d.storage }, scopeFor(c, 'read_alerts'), String(req.params.alertId));
      if (!alert) throw new LoupeError(ErrorCode.NotFound, 'no such alert');
      const body = html`<section class="panel data" aria-label="Alert">${table(c, [alert])}<p><a href="/admin/alerts">All alerts</a></p></section>`;
      res.type('html').send(consolePage(c, { title: alert.title, section: 'alerts', body, lede: 'One alert raised by breach monitoring.' }));
    } catch (error) {
      refusal(res, error);
    }
  });

  for (const change of ['acknowledge', 'close'] as const) {
    router.post(`/admin/alerts/:alertId/${change}`, async (req, res) => {
      const c = consoleRequest(res);
      try {
        const result = await changeAlert(consoleCaller(d, c), { alertId: String(req.params.alertId), change, note: field(req.body, 'note') });
        if (result.ok) return res.redirect(303, `/admin/alerts?done=${change === 'acknowledge' ? 'acknowledged' : 'closed'}`);
        await listPage(d, res, { state: undefined, page: 0, status: 400, banner: html`<div class="banner bad" role="alert"><strong>The alert was not changed.</strong> ${PROBLEM[result.problem]}</div>` });
      } catch (error) {
        refusal(res, error);
      }
    });
  }
}
