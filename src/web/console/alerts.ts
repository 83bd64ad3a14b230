// /admin/alerts: what Loupe raised for a person to look at (an upload that
// could not be removed from the chat, break-glass access, a job given up on, a
// failed chain check), newest first, read from the audit trail itself, each
// linking to its event and, where it has one, the image's trail.
import type { Router } from 'express';
import { listAlerts, type Alert } from '../../app/alerts.js';
import { requireConsoleActionAnywhere } from '../../app/console/console-caller.js';
import { html, type SafeHtml } from '../html.js';
import { eventHref, scopeFor } from './audit.js';
import { consoleRequest, type ConsoleRequest } from './context.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { refusal, when, workspaceName } from './view.js';

const PAGE_SIZE = 50;

function alertRow(c: ConsoleRequest, a: Alert): SafeHtml {
  const r = a.record;
  const severe = r.action === 'audit.verify_failed' || r.action === 'job.dead';
  return html`<tr><td>${when(r.at)}</td><td><span class="badge ${severe ? 'bad' : 'warn'}">${severe ? 'Urgent' : 'Check'}</span> ${a.title}</td>
<td>${workspaceName(c, r.workspaceId)}</td>
<td>${r.assetId ? html`<a href="/admin/audit?asset=${r.assetId}">Audit trail<span class="visually-hidden"> for this asset</span></a> <code class="hint" title="${r.assetId}">${r.assetId.slice(0, 8)}</code>` : html`<span class="hint">—</span>`}</td>
<td><a href="${eventHref(r.seq)}">View event #${r.seq.toString()}</a></td></tr>`;
}

export function alertRoutes(router: Router, d: ConsoleDeps): void {
  router.get('/admin/alerts', async (req, res) => {
    const c = consoleRequest(res);
    try {
      await requireConsoleActionAnywhere({ ...c, storage: d.storage }, 'read_alerts');
      const before = typeof req.query.before === 'string' && /^\d{1,18}$/.test(req.query.before) ? BigInt(req.query.before) : undefined;
      const page = await listAlerts(d.storage.audit, scopeFor(c, 'read_alerts'), { before, limit: PAGE_SIZE });
      const body = html`<section class="panel data" aria-label="Alerts, newest first">
${page.alerts.length
  ? html`<div class="table-scroll"><table class="trail"><caption class="visually-hidden">Alerts, newest first</caption><thead><tr><th scope="col">When</th><th scope="col">What happened</th><th scope="col">Workspace</th><th scope="col">Image</th><th scope="col">Audit event</th></tr></thead>
<tbody>${page.alerts.map((a) => alertRow(c, a))}</tbody></table></div>
<nav class="pager" aria-label="Pages">${before !== undefined ? html`<a href="/admin/alerts">← Newest</a>` : html`<span></span>`}${page.nextBefore !== undefined ? html`<a href="/admin/alerts?before=${page.nextBefore.toString()}">Older →</a>` : html`<span></span>`}</nav>`
  : html`<p class="empty">${before !== undefined ? html`No older alerts. <a href="/admin/alerts">Back to the newest</a>.` : 'No alerts. Loupe raises one when an upload could not be removed from the chat, break-glass access is used, a background job gives up, or the audit chain fails its check.'}</p>`}
</section>`;
      res.type('html').send(consolePage(c, { title: 'Alerts', section: 'alerts', body, lede: 'What Loupe raised for someone to look at, newest first. Each alert is an event in the audit trail.' }));
    } catch (error) {
      refusal(res, error);
    }
  });
}
