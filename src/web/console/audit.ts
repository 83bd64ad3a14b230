// /admin/audit: the audit trail, newest first, filtered by time, actor,
// action, outcome, patient, asset and workspace (ids only), paged by seq so a
// large trail is never loaded whole; the chain's last verification with a
// button to check it now; and, for privacy officers, the filtered events as
// FHIR AuditEvent NDJSON or CSV, streamed through the same export as
// `loupe audit export`.
import type { Request, Response, Router } from 'express';
import { verifyAuditTrail, lastVerification } from '../../app/audit-verify-sweep.js';
import { workspacesOfRecords } from '../../app/console/list-assets.js';
import { exportAudit, type AuditExportFormat } from '../../app/export-audit.js';
import { AuditAction, type AuditRecord } from '../../core/audit/event.js';
import { AUDIT_FILTER_KEYS, auditFilterParams, parseAuditFilter, type AuditFilter, type AuditScope } from '../../core/audit/filter.js';
import type { ConsoleAction } from '../../core/console/roles.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { html, type SafeHtml } from '../html.js';
import { refused, requireConsoleActionAnywhere } from '../../app/console/console-caller.js';
import { consoleRequest, type ConsoleRequest } from './context.js';
import { CSRF_FIELD } from './csrf.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { refusal, when, workspaceName } from './view.js';

const PAGE_SIZE = 50;
/** How many pages back "Newer" can retrace (the storage pages one way only, by `before`). */
const MAX_BACK = 100;
const EXPORTS: Record<string, { format: AuditExportFormat; type: string; extension: string }> = {
  ndjson: { format: 'fhir-ndjson', type: 'application/fhir+ndjson; charset=utf-8', extension: 'ndjson' },
  csv: { format: 'csv', type: 'text/csv; charset=utf-8', extension: 'csv' },
};
const ACTIONS = [...new Set<string>(Object.values(AuditAction))].sort();
const OUTCOMES = { success: 'Success', failure: 'Failure', denied: 'Denied' } as const;

/** Which events a person may read for an action: a privacy officer every event (Loupe's own too), an admin their workspaces'. */
export function scopeFor(c: ConsoleRequest, action: ConsoleAction): AuditScope {
  if (c.access.privacyOfficer && c.access.may(action).allow) return 'all';
  return { workspaceIds: c.access.workspacesFor(action, c.workspaces.map((w) => w.id)) };
}

/** The link to one event: the page that starts with it. */
export function eventHref(seq: bigint): string {
  return `/admin/audit?before=${seq + 1n}#e-${seq}`;
}

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/** The filter from the query: the form's date-time fields are UTC without a zone; links carry full ISO instants. */
function filterFrom(query: Request['query']): { raw: Record<string, string>; parsed: ReturnType<typeof parseAuditFilter> } {
  const raw: Record<string, string> = {};
  const input: Record<string, unknown> = {};
  for (const key of AUDIT_FILTER_KEYS) {
    const v = query[key];
    if (typeof v === 'string' && v.trim()) raw[key] = input[key] = v.trim();
    // A repeated parameter stays an array, which the parser refuses rather than picks from.
    else if (Array.isArray(v)) input[key] = v;
  }
  for (const key of ['since', 'until'] as const) if (raw[key] && LOCAL_TIME.test(raw[key])) input[key] = `${raw[key]}Z`;
  return { raw, parsed: parseAuditFilter(input) };
}

function qs(params: Record<string, string>): string {
  const s = new URLSearchParams(params).toString();
  return s ? `?${s}` : '';
}

function seqParam(v: unknown): bigint | undefined {
  return typeof v === 'string' && /^\d{1,18}$/.test(v) ? BigInt(v) : undefined;
}

const PROBLEM_LABEL: Record<string, string> = { since: 'From', until: 'To', actor: 'Actor', action: 'Action', outcome: 'Outcome', patient: 'Patient id', asset: 'Asset id', workspace: 'Workspace' };

function filterForm(c: ConsoleRequest, raw: Record<string, string>): SafeHtml {
  const local = (v: string | undefined) => (v ? (LOCAL_TIME.test(v) ? v.slice(0, 16) : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && v.endsWith('Z') ? v.slice(0, 16) : v) : '');
  const workspaces = c.workspaces.filter((w) => c.access.may('read_audit', { workspaceId: w.id }).allow);
  const opt = (value: string, label: string, current: string | undefined) => html`<option value="${value}"${current === value ? html` selected` : ''}>${label}</option>`;
  return html`<form method="get" action="/admin/audit" class="filters" aria-label="Filter the audit trail">
<label>From (UTC)<input type="datetime-local" name="since" value="${local(raw.since)}"></label>
<label>To (UTC)<input type="datetime-local" name="until" value="${local(raw.until)}"></label>
<label>Actor <span class="hint">Chat user id, sign-in subject or component</span><input type="text" name="actor" maxlength="128" value="${raw.actor ?? ''}"></label>
<label>Action<select name="action"><option value="">Any action</option>${ACTIONS.map((a) => opt(a, a, raw.action))}</select></label>
<label>Outcome<select name="outcome"><option value="">Any outcome</option>${Object.entries(OUTCOMES).map(([v, l]) => opt(v, l, raw.outcome))}</select></label>
<label>Patient id <span class="hint">Loupe’s id, not a medical record number</span><input type="text" class="uuid" name="patient" maxlength="36" value="${raw.patient ?? ''}"></label>
<label>Asset id<input type="text" class="uuid" name="asset" maxlength="36" value="${raw.asset ?? ''}"></label>
<label>Workspace<select name="workspace"><option value="">${c.access.privacyOfficer ? 'All (and Loupe’s own events)' : 'All your workspaces'}</option>${workspaces.map((w) => opt(w.id, w.name, raw.workspace))}</select></label>
<div class="actions"><button type="submit">Apply filters</button><a class="button secondary" href="/admin/audit">Clear</a></div>
</form>`;
}

function detailsSummary(details: unknown): string {
  if (details === null || typeof details !== 'object' || Object.keys(details).length === 0) return '';
  const text = JSON.stringify(details);
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

function eventRow(c: ConsoleRequest, e: AuditRecord): SafeHtml {
  const badge = e.outcome === 'success' ? 'ok' : e.outcome === 'failure' ? 'bad' : 'warn';
  return html`<tr id="e-${e.seq.toString()}"><td>${when(e.at)}<br><span class="hint">#${e.seq.toString()}</span></td><td><code>${e.action}</code></td>
<td><span class="badge ${badge}">${OUTCOMES[e.outcome]}</span></td><td>${e.actorType}${e.actorId ? html`<br><code>${e.actorId}</code>` : ''}</td>
<td>${workspaceName(c, e.workspaceId)}</td>
<td>${e.assetId ? html`<a href="/admin/audit?asset=${e.assetId}" title="${e.assetId}"><code>${e.assetId.slice(0, 8)}</code><span class="visually-hidden"> (audit trail of this asset)</span></a>` : ''}</td>
<td>${e.patientId ? html`<a href="/admin/audit?patient=${e.patientId}" title="${e.patientId}"><code>${e.patientId.slice(0, 8)}</code><span class="visually-hidden"> (audit trail of this patient)</span></a>` : ''}</td>
<td>${e.reason ?? ''}</td><td><code class="details">${detailsSummary(e.details)}</code></td></tr>`;
}

function chainBanner(c: ConsoleRequest, last: AuditRecord | undefined, justChecked: boolean): SafeHtml {
  const details = (last?.details ?? {}) as { events?: unknown; faultSeq?: unknown; problem?: unknown };
  const message = !last
    ? html`<div class="banner warn" role="status"><strong>The audit chain has not been verified yet.</strong> Loupe checks it every six hours; you can check it now.</div>`
    : last.action === AuditAction.AuditVerifyFailed
      ? html`<div class="banner bad" role="alert"><strong>The audit chain is broken.</strong> The check at ${when(last.at)} found a problem at event #${String(details.faultSeq ?? '?')}${typeof details.problem === 'string' ? html` (${details.problem})` : ''}. Tell your security team; do not rely on this trail until it is explained.</div>`
      : html`<div class="banner ok" role="status"><strong>The audit chain verifies.</strong> ${justChecked ? html`Checked at ${when(last.at)}` : html`Last checked ${when(last.at)}`}: ${String(details.events ?? 'every')} events, each linked to the one before and the signed checkpoints intact.</div>`;
  return html`<section class="chain" aria-label="Audit chain">${message}
<form method="post" action="/admin/audit/verify" class="inline"><input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}"><button type="submit" class="secondary">Verify the chain now</button></form></section>`;
}

const VERIFY_AGAIN_AFTER_MS = 60_000;

export function auditRoutes(router: Router, d: ConsoleDeps): void {
  router.get('/admin/audit', async (req, res) => {
    const c = consoleRequest(res);
    try {
      await requireConsoleActionAnywhere({ ...c, storage: d.storage }, 'read_audit');
      const { raw, parsed } = filterFrom(req.query);
      const named = parsed.ok ? [...(parsed.filter.workspaceId ? [parsed.filter.workspaceId] : []), ...(await workspacesOfRecords(d.storage.db, parsed.filter))] : [];
      if (named.some((workspaceId) => !c.access.may('read_audit', { workspaceId }).allow)) {
        await refused(d.storage.audit, c, { action: 'read_audit' });
        throw new LoupeError(ErrorCode.Forbidden, 'that workspace’s audit trail is not yours to read');
      }
      const before = seqParam(req.query.before);
      const back = typeof req.query.back === 'string' ? req.query.back.split('.').filter((s) => /^\d{0,18}$/.test(s)).slice(-MAX_BACK) : [];
      const [last, page] = await Promise.all([
        lastVerification(d.storage.audit),
        parsed.ok ? d.storage.audit.page(parsed.filter, scopeFor(c, 'read_audit'), { before, limit: PAGE_SIZE }) : undefined,
      ]);
      res.status(parsed.ok ? 200 : 400).type('html').send(consolePage(c, { title: 'Audit trail', section: 'audit', body: auditBody(c, { raw, parsed, page, last, before, back, justChecked: req.query.done === 'verified' }), lede: 'Everything Loupe and its users did, newest first. Events name patients and images by Loupe’s ids only.' }));
    } catch (error) {
      refusal(res, error);
    }
  });

  // A walk reads the whole trail: one at a time on this instance, and none again within a minute of the last (whoever asked), so pressing the button repeatedly cannot load the database.
  let walking: Promise<unknown> | undefined;
  router.post('/admin/audit/verify', async (_req, res) => {
    const c = consoleRequest(res);
    try {
      await requireConsoleActionAnywhere({ ...c, storage: d.storage }, 'read_audit');
    } catch (error) {
      return refusal(res, error);
    }
    const last = await lastVerification(d.storage.audit);
    if (!last || d.clock.now().getTime() - last.at.getTime() >= VERIFY_AGAIN_AFTER_MS) {
      walking ??= verifyAuditTrail(d.storage.audit).finally(() => {
        walking = undefined;
      });
      await walking;
    }
    res.redirect(303, '/admin/audit?done=verified');
  });

  router.get('/admin/audit/export', async (req, res) => {
    const c = consoleRequest(res);
    try {
      if (!c.access.may('export_audit').allow) {
        await refused(d.storage.audit, c, { action: 'export_audit' });
        throw new LoupeError(ErrorCode.Forbidden, 'exporting the audit trail is for privacy officers');
      }
      const kind = typeof req.query.format === 'string' ? EXPORTS[req.query.format] : undefined;
      const { parsed } = filterFrom(req.query);
      if (!kind || !parsed.ok) {
        return void res.status(400).type('html').send(consolePage(c, { title: 'Audit trail export', section: 'audit', body: html`<div class="banner bad" role="alert">That export link is not valid${parsed.ok ? '' : html`: ${parsed.problem}`}. Nothing was exported.</div><p><a href="/admin/audit">Back to the audit trail</a></p>` }));
      }
      const stamp = d.clock.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      res.status(200).type(kind.type).setHeader('Content-Disposition', `attachment; filename="loupe-audit-${stamp}.${kind.extension}"`);
      await exportAudit({ audit: d.storage.audit, observer: d.publicUrl.host, filter: parsed.filter, scope: scopeFor(c, 'export_audit'), format: kind.format, actor: c.actor, out: (line) => writeLine(res, line) });
      res.end();
    } catch (error) {
      refusal(res, error);
    }
  });
}

/** Writes one line, waiting while the browser is slower than the database; a closed connection stops the export. */
function writeLine(res: Response, line: string): void | Promise<void> {
  if (res.destroyed || res.writableEnded) throw new LoupeError(ErrorCode.NotFound, 'the browser closed the download');
  if (res.write(`${line}\n`)) return;
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      res.off('drain', drained);
      res.off('close', closed);
      if (error) reject(error);
      else resolve();
    };
    const drained = () => done();
    const closed = () => done(new LoupeError(ErrorCode.NotFound, 'the browser closed the download'));
    res.on('drain', drained);
    res.on('close', closed);
  });
}

interface AuditView {
  raw: Record<string, string>;
  parsed: ReturnType<typeof parseAuditFilter>;
  page: { events: AuditRecord[]; nextBefore: bigint | undefined } | undefined;
  last: AuditRecord | undefined;
  before: bigint | undefined;
  back: string[];
  justChecked: boolean;
}

function auditBody(c: ConsoleRequest, v: AuditView): SafeHtml {
  const filter: AuditFilter = v.parsed.ok ? v.parsed.filter : {};
  const params = auditFilterParams(filter);
  const filtered = Object.keys(params).length > 0;
  const problem = v.parsed.ok ? undefined : v.parsed.problem;
  const problemText = problem ? `${PROBLEM_LABEL[problem.split(' ')[0]!] ?? 'A filter'}: ${problem.split(' ').slice(1).join(' ')}` : '';
  const exports = c.access.may('export_audit').allow && v.parsed.ok
    ? html`<p class="actions exports"><a class="button secondary" href="/admin/audit/export${qs({ format: 'ndjson', ...params })}" download>Download FHIR AuditEvent (NDJSON)</a><a class="button secondary" href="/admin/audit/export${qs({ format: 'csv', ...params })}" download>Download CSV</a><span class="hint">Every event matching the filter, oldest first. The download is itself recorded.</span></p>`
    : '';
  const events = v.page?.events ?? [];
  const newer = v.before !== undefined
    ? html`<a href="/admin/audit${qs({ ...params, ...(v.back.at(-1) ? { before: v.back.at(-1)! } : {}), ...(v.back.length > 1 ? { back: v.back.slice(0, -1).join('.') } : {}) })}">← Newer</a>`
    : html`<span></span>`;
  const older = v.page?.nextBefore !== undefined
    ? html`<a href="/admin/audit${qs({ ...params, before: v.page.nextBefore.toString(), back: [...v.back, v.before?.toString() ?? ''].slice(-MAX_BACK).join('.') })}">Older →</a>`
    : html`<span></span>`;
  const empty = filtered
    ? html`<p class="empty">No events match these filters${v.before !== undefined ? ' on this page' : ''}. <a href="/admin/audit">Clear the filters</a>.</p>`
    : html`<p class="empty">No events here${v.before !== undefined ? html`. <a href="/admin/audit">Back to the newest</a>` : ''}.</p>`;
  return html`${chainBanner(c, v.last, v.justChecked)}
<section class="panel data" aria-labelledby="trail">
<h2 id="trail">Events</h2>
${problem ? html`<div class="banner bad" role="alert">${problemText}. Fix the filter to see events.</div>` : ''}
${filterForm(c, v.raw)}
${exports}
${problem ? '' : events.length ? html`<div class="table-scroll"><table class="trail"><caption class="visually-hidden">Audit events, newest first</caption><thead><tr><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Actor</th><th scope="col">Workspace</th><th scope="col">Asset</th><th scope="col">Patient</th><th scope="col">Reason</th><th scope="col">Details</th></tr></thead>
<tbody>${events.map((e) => eventRow(c, e))}</tbody></table></div><nav class="pager" aria-label="Pages">${newer}${older}</nav>` : empty}
</section>`;
}
