// /admin/assets: the images Loupe holds, newest first, without patient data
// (filters in the query are workspace, channel and state only), and for
// privacy officers the "Find a patient's images" form, whose POST answers
// with the result directly so the identifier never appears in a URL.
import type { Request, Router } from 'express';
import { ASSET_STATES, decodeCursor, encodeCursor, listAssets, type AssetFilter, type AssetRow, type AssetState } from '../../app/console/list-assets.js';
import { searchPatient, type PatientSearchResult } from '../../app/console/search-patient.js';
import { refused } from '../../app/console/console-caller.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import { html, type SafeHtml } from '../html.js';
import { consoleRequest, type ConsoleRequest } from './context.js';
import { CSRF_FIELD } from './csrf.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { refusal, when, workspaceName } from './view.js';

const PAGE_SIZE = 25;

const STATE_LABEL: Record<AssetState, string> = {
  received: 'Received',
  processing: 'Being secured',
  stored: 'Stored',
  failed: 'Failed',
  revoked: 'Revoked',
  shredded: 'Deleted (shredded)',
};
const STATE_BADGE: Record<AssetState, string> = { received: 'warn', processing: 'warn', stored: 'ok', failed: 'bad', revoked: 'warn', shredded: '' };
const CARD_LABEL = {
  pending: 'card being posted',
  waiting_for_patient: 'card waiting for a patient',
  active: 'card active',
  expired: 'card expired',
  revoked: 'card revoked',
  deleted: 'card shows deleted',
} as const;
const REMOVAL: Record<AssetRow['removal'], [string, string]> = {
  removed: ['Removed from chat', 'ok'],
  requested: ['Sender asked to delete it', 'warn'],
  not_removed: ['Could not be removed', 'bad'],
  pending: ['Pending', ''],
};

function kindOf(r: AssetRow): string {
  if (r.kind === 'photo') return 'Photo';
  if (r.kind === 'dicom') return r.modality ? `DICOM · ${r.modality}` : 'DICOM';
  return 'Unknown';
}

function holdsOf(r: AssetRow): SafeHtml | string {
  const on = [r.held.asset ? 'Asset' : '', r.held.patient ? 'Patient' : '', r.held.channel ? 'Channel' : ''].filter(Boolean);
  return on.length ? html`${on.map((h) => html`<span class="badge warn">On ${h.toLowerCase()}</span> `)}` : 'None';
}

function assetRow(c: ConsoleRequest, r: AssetRow): SafeHtml {
  const links = [
    r.state !== 'shredded' && c.access.may('set_legal_hold', { workspaceId: r.workspaceId, channelId: r.channelId ?? undefined }).allow ? html`<a href="/admin/holds?asset=${r.id}">Place hold<span class="visually-hidden"> on this asset</span></a>` : '',
    c.access.may('read_audit', { workspaceId: r.workspaceId }).allow ? html`<a href="/admin/audit?asset=${r.id}">Audit trail<span class="visually-hidden"> for this asset</span></a>` : '',
  ].filter((l) => l !== '');
  const received = html`${when(r.receivedAt)}<br><code class="hint" title="${r.id}">${r.id.slice(0, 8)}</code>`;
  const channel = r.channelId ? html`<code>${r.channelId}</code>` : '—';
  if (r.state === 'shredded') {
    // A tombstone: what it was and when it was deleted; nothing of it is left to act on.
    return html`<tr class="tombstone"><td>${received}</td><td>${kindOf(r)}</td><td>${workspaceName(c, r.workspaceId)}</td><td>${channel}</td><td><code>${r.uploaderId}</code></td>
<td colspan="6"><span class="badge">${STATE_LABEL.shredded}</span> ${r.shreddedAt ? html`on ${when(r.shreddedAt)}` : ''}: the image and its keys are destroyed.</td><td>${links.length ? html`<ul class="links">${links.map((l) => html`<li>${l}</li>`)}</ul>` : ''}</td></tr>`;
  }
  const [removal, removalBadge] = REMOVAL[r.removal];
  return html`<tr><td>${received}</td><td>${kindOf(r)}</td><td>${workspaceName(c, r.workspaceId)}</td><td>${channel}</td><td><code>${r.uploaderId}</code></td>
<td><span class="badge ${STATE_BADGE[r.state]}">${STATE_LABEL[r.state]}</span>${r.cardState ? html`<br><span class="hint">${CARD_LABEL[r.cardState]}</span>` : ''}</td>
<td><span class="badge ${removalBadge}">${removal}</span></td>
<td>${r.cardExpiresAt ? when(r.cardExpiresAt) : html`<span class="hint">No card</span>`}</td>
<td>${r.retentionEnd ? when(r.retentionEnd) : html`<span class="hint">Kept (no retention set)</span>`}</td>
<td>${holdsOf(r)}</td><td>${r.patientLinked ? 'Linked' : 'Not linked'}</td>
<td>${links.length ? html`<ul class="links">${links.map((l) => html`<li>${l}</li>`)}</ul>` : ''}</td></tr>`;
}

/** The asset table, for the list and for a patient search's result. */
export function assetTable(c: ConsoleRequest, rows: AssetRow[], caption: string): SafeHtml {
  return html`<div class="table-scroll"><table class="assets"><caption class="visually-hidden">${caption}</caption><thead><tr>
<th scope="col">Received</th><th scope="col">Kind</th><th scope="col">Workspace</th><th scope="col">Channel</th><th scope="col">Uploader</th><th scope="col">State</th>
<th scope="col">Original in chat</th><th scope="col">Card expires</th><th scope="col">Retention ends</th><th scope="col">Legal hold</th><th scope="col">Patient</th><th scope="col"><span class="visually-hidden">Actions</span></th>
</tr></thead><tbody>${rows.map((r) => assetRow(c, r))}</tbody></table></div>`;
}

function searchForm(c: ConsoleRequest, typed: { identifier: string; issuer: string } = { identifier: '', issuer: '' }, problem?: string): SafeHtml {
  return html`<section class="panel data" aria-labelledby="find">
<h2 id="find">Find a patient’s images</h2>
<p class="hint">Only privacy officers can search by patient. Each search is recorded in the audit trail (who searched and what was found, never the identifier).</p>
${problem ? html`<div class="banner bad" role="alert">${problem}</div>` : ''}
<form method="post" action="/admin/assets/search" class="filters" autocomplete="off">
<input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}">
<label>Patient identifier <span class="hint">For example the medical record number</span><input type="text" name="identifier" required maxlength="64" value="${typed.identifier}"></label>
<label>Issuer (optional) <span class="hint">Empty: the issuers your policies use</span><input type="text" name="issuer" maxlength="64" value="${typed.issuer}"></label>
<button type="submit">Search</button>
</form></section>`;
}

interface ParsedFilter {
  filter: AssetFilter;
  problem: string | undefined;
}

function parseFilter(c: ConsoleRequest, q: Request['query']): ParsedFilter {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const workspace = text(q.workspace);
  const channel = text(q.channel);
  const state = text(q.state);
  const problems: string[] = [];
  const filter: AssetFilter = {};
  if (workspace) {
    if (c.workspaces.some((w) => w.id === workspace)) filter.workspaceId = workspace;
    else problems.push('That workspace is not one Loupe serves.');
  }
  if (channel) {
    if (channel.length <= 128 && /^[\w:@.\-]+$/u.test(channel)) filter.channelId = channel;
    else problems.push('A channel id is letters, digits and : @ . - _ only (for example C0123ABCD).');
  }
  if (state) {
    if ((ASSET_STATES as readonly string[]).includes(state)) filter.state = state as AssetState;
    else problems.push('Choose a state from the list.');
  }
  return { filter, problem: problems.length ? `${problems.join(' ')} That filter was left out.` : undefined };
}

function query(filter: AssetFilter, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (filter.workspaceId) p.set('workspace', filter.workspaceId);
  if (filter.channelId) p.set('channel', filter.channelId);
  if (filter.state) p.set('state', filter.state);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

function filterForm(c: ConsoleRequest, f: AssetFilter): SafeHtml {
  const workspaces = c.workspaces.filter((w) => c.access.may('list_assets', { workspaceId: w.id }).allow || c.access.channelsFor('list_assets', w.id).length > 0);
  return html`<form method="get" action="/admin/assets" class="filters" aria-label="Filter the list">
<label>Workspace<select name="workspace"><option value="">All your workspaces</option>${workspaces.map((w) => html`<option value="${w.id}"${f.workspaceId === w.id ? html` selected` : ''}>${w.name}</option>`)}</select></label>
<label>Channel id <span class="hint">As the chat platform names it</span><input type="text" name="channel" maxlength="128" value="${f.channelId ?? ''}" placeholder="C0123ABCD"></label>
<label>State<select name="state"><option value="">Any state</option>${ASSET_STATES.map((s) => html`<option value="${s}"${f.state === s ? html` selected` : ''}>${STATE_LABEL[s]}</option>`)}</select></label>
<div class="actions"><button type="submit">Apply filters</button><a class="button secondary" href="/admin/assets">Clear</a></div>
</form>`;
}

export function assetRoutes(router: Router, d: ConsoleDeps): void {
  const deps = { db: d.storage.db, policies: d.storage.policies, audit: d.storage.audit, patients: d.storage.patients };
  const allIds = (c: ConsoleRequest) => c.workspaces.map((w) => w.id);

  router.get('/admin/assets', async (req, res) => {
    try {
      const c = consoleRequest(res);
      const { filter, problem } = parseFilter(c, req.query);
      const page = await listAssets(deps, { access: c.access, allWorkspaceIds: allIds(c), filter, after: decodeCursor(req.query.after), before: decodeCursor(req.query.before), limit: PAGE_SIZE }).catch(async (error: unknown) => {
        // Another workspace's list, asked for by id: refused, and recorded like every console refusal.
        if (isLoupeError(error, ErrorCode.Forbidden)) await refused(d.storage.audit, c, { action: 'list_assets', workspaceId: filter.workspaceId });
        throw error;
      });
      const filtered = Boolean(filter.workspaceId || filter.channelId || filter.state);
      const paged = req.query.after !== undefined || req.query.before !== undefined;
      const empty = filtered
        ? html`<p class="empty">No images match these filters. <a href="/admin/assets">Clear the filters</a> to see every image you may see.</p>`
        : paged
          ? html`<p class="empty">No more images this way. <a href="/admin/assets">Back to the newest</a>.</p>`
          : html`<p class="empty">Loupe has not received any images in your workspaces yet. They appear here once interception is on for a channel (see Policies) and a clinician posts an image there.</p>`;
      const pager = html`<nav class="pager" aria-label="Pages">
${page.newer ? html`<a href="/admin/assets${query(filter, { before: encodeCursor(page.newer) })}">← Newer</a>` : html`<span></span>`}
${page.older ? html`<a href="/admin/assets${query(filter, { after: encodeCursor(page.older) })}">Older →</a>` : html`<span></span>`}</nav>`;
      const body = html`
${c.access.may('search_by_patient').allow ? searchForm(c) : ''}
<section class="panel data" aria-labelledby="list">
<h2 id="list">All images</h2>
${problem ? html`<div class="banner warn" role="status">${problem}</div>` : ''}
${filterForm(c, filter)}
${page.rows.length ? html`${assetTable(c, page.rows, 'Images Loupe holds, newest first')}${pager}` : empty}
</section>`;
      res.type('html').send(consolePage(c, { title: 'Assets', section: 'assets', body, lede: 'Every image Loupe has received, newest first: what it is, where it came from and what happened to it. No patient details or pixels are shown here.' }));
    } catch (error) {
      refusal(res, error);
    }
  });

  router.post('/admin/assets/search', async (req, res) => {
    const c = consoleRequest(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = { identifier: typeof body.identifier === 'string' ? body.identifier : '', issuer: typeof body.issuer === 'string' ? body.issuer : '' };
    try {
      const result = await searchPatient(deps, { access: c.access, allWorkspaceIds: allIds(c), identifier: typed.identifier, issuer: typed.issuer, actor: c.actor, requestId: c.requestId });
      res.type('html').send(consolePage(c, { title: 'Patient search', section: 'assets', body: searchResult(c, result) }));
    } catch (error) {
      if (isLoupeError(error, ErrorCode.InvalidInput)) {
        const page = html`${searchForm(c, typed, 'Enter the patient’s identifier (and, if you give one, its issuer), each 1 to 64 characters. Nothing was searched.')}<p><a href="/admin/assets">Back to all images</a></p>`;
        return void res.status(400).type('html').send(consolePage(c, { title: 'Patient search', section: 'assets', body: page }));
      }
      refusal(res, error);
    }
  });
}

function searchResult(c: ConsoleRequest, r: PatientSearchResult): SafeHtml {
  const places = `${r.searched} workspace${r.searched === 1 ? '' : 's'}`;
  const found = r.matches.map(
    (m) => html`<section class="panel data" aria-labelledby="p-${m.patientId}">
<h2 id="p-${m.patientId}">Patient in ${workspaceName(c, m.workspaceId)}</h2>
<dl class="facts"><dt>Loupe’s patient id</dt><dd><code>${m.patientId}</code></dd><dt>Issuer</dt><dd>${m.issuer}</dd><dt>Images</dt><dd>${m.assets.length}</dd></dl>
<p class="actions"><a class="button secondary" href="/admin/audit?patient=${m.patientId}">Audit trail for this patient</a><a class="button secondary" href="/admin/holds?patient=${m.patientId}">Place a hold on this patient</a></p>
${m.assets.length ? assetTable(c, m.assets, `Images of the patient in ${workspaceName(c, m.workspaceId)}`) : html`<p class="empty">Loupe holds no images of this patient.</p>`}
</section>`,
  );
  return html`<div class="banner ${r.matches.length ? 'ok' : 'warn'}" role="status">${
    r.matches.length
      ? `Found the patient in ${r.matches.length} of the ${places} searched. This search is recorded in the audit trail.`
      : `No patient with that identifier in the ${places} searched. Check the identifier and its issuer. This search is recorded in the audit trail.`
  }</div>
${found}
${searchForm(c)}
<p><a href="/admin/assets">Back to all images</a></p>`;
}
