// /admin/policies: every workspace and channel the person may read, with
// each setting's effective value and where it comes from; and, for admins,
// each channel's (or the workspace default's) edit form. A POST that saves
// answers 303 to the form with a banner; one with bad values answers 400
// with the problems and what was typed.
import type { Request, Response, Router } from 'express';
import { changePolicy, policyForEdit } from '../../app/console/change-policy.js';
import { policyOverview, type WorkspacePolicies } from '../../app/console/channels.js';
import { DEFAULT_POLICY } from '../../core/policy/channel-policy.js';
import { PART_NAMES, parsePolicyForm, policyFormValues, type PolicyFormProblem, type PolicyFormValues, type PolicyLevel } from '../../core/policy/policy-form.js';
import { html, type SafeHtml } from '../html.js';
import { consoleRequest } from './context.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { channelName, PART_LABEL, partSource, partValue, policyForm, SETTING_LABEL, settingValue, sourceBadge } from './policy-form-view.js';
import { consoleCaller, PLATFORM, refusal } from './view.js';

/** The table's column heads: the form's words, shorter where a head would wrap thrice. */
const COLUMN = { ...PART_LABEL, identifier: 'Identifier pattern' };

export const policyPath = (workspaceId: string, channelId: string) => `/admin/policies/${encodeURIComponent(workspaceId)}/${encodeURIComponent(channelId)}`;

function workspaceTable(w: WorkspacePolicies): SafeHtml {
  const someMayChange = w.rows.some((r) => r.mayChange);
  const rows = w.rows.map(({ channelId, resolved, mayChange }) => {
    const hold = resolved.policy.legalHold ? html`<span class="badge bad">On hold</span>` : html`<span class="hint">None</span>`;
    // Under the channel's name, not in a last column: the table is wider than a laptop's screen, and Edit must never scroll out of view.
    const edit = mayChange ? html`<br><a class="edit" href="${policyPath(w.workspace.id, channelId)}">Edit<span class="visually-hidden"> ${channelId === '*' ? 'the workspace default' : `channel ${channelId}`}</span></a>` : '';
    return html`<tr${channelId === '*' ? html` class="default-row"` : ''}><th scope="row">${channelName(channelId)}${edit}</th>${PART_NAMES.map(
      (part) => html`<td>${partValue(part, resolved.policy)}<br>${sourceBadge(partSource(part, resolved.source))}</td>`,
    )}<td>${hold}</td></tr>`;
  });
  // Every row resolves break-glass from the workspace's own setting.
  const breakGlass = w.rows[0]!.resolved;
  const open = w.mayChange
    ? html`<form method="get" action="/admin/policies/open" class="filters open-channel"><input type="hidden" name="workspace" value="${w.workspace.id}">
<label>Another channel’s id<span class="hint">A channel Loupe has not seen yet: its id as the chat platform shows it.</span><input type="text" name="channel" required pattern="[A-Za-z0-9:@._\\-]{1,128}" autocomplete="off"></label>
<button type="submit" class="secondary">Open its policy</button></form>`
    : '';
  return html`<section class="panel tight" aria-labelledby="ws-${w.workspace.id}">
<h2 id="ws-${w.workspace.id}">${w.workspace.name} <span class="badge">${PLATFORM[w.workspace.platform]}</span></h2>
<p>Break-glass in this workspace: <strong>${settingValue('breakGlass', breakGlass.policy.breakGlass)}</strong> ${sourceBadge(breakGlass.source.breakGlass)}</p>
<div class="table-scroll"><table class="policies">
<thead><tr><th scope="col">Channel</th>${PART_NAMES.map((p) => html`<th scope="col">${COLUMN[p]}</th>`)}<th scope="col">Legal hold</th></tr></thead>
<tbody>${rows}</tbody></table></div>
${w.rows.length === 1 && w.rows[0]!.channelId === '*' ? html`<p class="hint">No channel has been seen yet: channels appear here once Loupe is added to one or a policy is set for it. Until then every channel follows the workspace default.</p>` : ''}
${someMayChange && !w.mayChange ? html`<p class="hint">You run the channels of your own teams: the workspace default and other teams’ channels are set by the workspace’s admins.</p>` : ''}
${open}
</section>`;
}

const SAVED_NOTHING = 'Nothing to save: the form said what the policy already was.';

function savedBanner(last: Awaited<ReturnType<typeof policyForEdit>>['lastChange']): SafeHtml {
  if (!last) return html`<div class="banner ok" role="status">Saved.</div>`;
  const keys = Object.keys(last.after).filter((k): k is keyof typeof SETTING_LABEL => k in SETTING_LABEL && k !== 'legalHold');
  const items = keys.map((k) => html`<li>${SETTING_LABEL[k]}: ${settingValue(k, last.before[k])} → <strong>${settingValue(k, last.after[k])}</strong></li>`);
  const followed = last.changed.filter((k) => !keys.includes(k as keyof typeof SETTING_LABEL) && k in SETTING_LABEL).map((k) => html`<li>${SETTING_LABEL[k as keyof typeof SETTING_LABEL]}: where it comes from changed, its value did not</li>`);
  return html`<div class="banner ok" role="status"><strong>Saved.</strong> The change is in the audit trail.${items.length || followed.length ? html`<ul>${items}${followed}</ul>` : ''}</div>`;
}

function formValues(body: unknown): PolicyFormValues {
  const out: PolicyFormValues = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

async function editPage(d: ConsoleDeps, req: Request, res: Response, typed?: { values: PolicyFormValues; problems: PolicyFormProblem[]; confirmShorter?: { due: number; days: number } }): Promise<void> {
  const c = consoleRequest(res);
  const workspaceId = String(req.params.workspaceId);
  const channelId = String(req.params.channelId);
  const view = await policyForEdit(consoleCaller(d, c), workspaceId, channelId);
  const level: PolicyLevel = channelId === '*' ? 'workspace' : 'channel';
  const workspace = c.workspaces.find((w) => w.id === workspaceId)!;
  const done = req.query.done;
  const banner = typed?.confirmShorter
    ? html`<div class="banner warn" role="alert"><strong>Nothing was saved yet.</strong> The shorter retention destroys images Loupe holds. <a href="#confirm-retention">Confirm below</a>, or change the retention.</div>`
    : typed
    ? html`<div class="banner bad" role="alert"><strong>Nothing was saved.</strong> Check these settings:<ul>${typed.problems.map((p) => html`<li><a href="#part-${p.part}">${p.part === 'breakGlass' ? 'Break-glass' : PART_LABEL[p.part]}</a>: ${p.message}</li>`)}</ul></div>`
    : done === 'saved'
      ? savedBanner(view.lastChange)
      : done === 'unchanged'
        ? html`<div class="banner ok" role="status">${SAVED_NOTHING}</div>`
        : '';
  const hold = view.current.policy.legalHold
    ? html`<div class="banner warn">A legal hold covers ${level === 'channel' ? 'this channel' : 'this workspace'}: its images are not destroyed while the hold is in force, whatever the retention. <a href="/admin/holds">Legal holds</a></div>`
    : '';
  const body = html`${banner}${hold}
<p class="crumbs"><a href="/admin/policies">All policies</a> › ${workspace.name} › ${channelName(channelId)}</p>
${policyForm({
  csrf: c.csrf,
  action: policyPath(workspaceId, channelId),
  level,
  values: typed?.values ?? policyFormValues(view.current.policy, view.current.source, level),
  current: view.current,
  inherited: view.inherited?.policy ?? DEFAULT_POLICY,
  problems: typed?.problems ?? [],
  confirmShorter: typed?.confirmShorter,
  pacsConfigured: d.pacsConfigured,
})}`;
  const title = level === 'channel' ? `Policy for channel ${channelId}` : `Workspace default policy`;
  const lede =
    level === 'channel'
      ? `${workspace.name}: each setting either follows the workspace default or is set for this channel alone.`
      : `${workspace.name}: what every channel follows unless it has its own setting. A setting not set here follows Loupe’s default.`;
  res.status(typed?.confirmShorter ? 409 : typed ? 400 : 200).type('html').send(consolePage(c, { title, section: 'policies', body, lede }));
}

export function policyRoutes(router: Router, d: ConsoleDeps): void {
  router.get('/admin/policies', async (_req, res) => {
    const c = consoleRequest(res);
    const workspaces = await policyOverview(consoleCaller(d, c));
    const body = workspaces.length
      ? html`<p class="legend">Where a value comes from: ${sourceBadge('channel')} set for the channel, ${sourceBadge('workspace')} the workspace default, ${sourceBadge('loupe')} Loupe’s own default.</p>${workspaces.map(workspaceTable)}`
      : html`<div class="panel"><p>No workspace is connected to Loupe yet. Install Loupe in Slack or Teams; its workspace then appears here.</p></div>`;
    res.type('html').send(consolePage(c, { title: 'Channel policies', section: 'policies', body, lede: 'What Loupe does in each channel, and where each setting comes from.' }));
  });

  // "Open its policy" for a channel id Loupe has not seen: a GET form, so the id is checked on the edit page.
  router.get('/admin/policies/open', (req, res) => {
    const ws = typeof req.query.workspace === 'string' ? req.query.workspace : '';
    const ch = typeof req.query.channel === 'string' ? req.query.channel.trim() : '';
    res.redirect(303, ws && ch ? policyPath(ws, ch) : '/admin/policies');
  });

  router.get('/admin/policies/:workspaceId/:channelId', async (req, res) => {
    await editPage(d, req, res).catch((e: unknown) => refusal(res, e));
  });

  router.post('/admin/policies/:workspaceId/:channelId', async (req, res) => {
    const c = consoleRequest(res);
    const workspaceId = String(req.params.workspaceId);
    const channelId = String(req.params.channelId);
    const values = formValues(req.body);
    const parsed = parsePolicyForm(values, channelId === '*' ? 'workspace' : 'channel');
    try {
      if (!parsed.ok) return await editPage(d, req, res, { values, problems: parsed.problems });
      const confirmedShorterRetention = values.confirmShorter === 'yes';
      const done = await changePolicy(consoleCaller(d, c), { workspaceId, channelId, change: parsed.change, inherit: parsed.inherit, confirmedShorterRetention });
      if (typeof done === 'object') return await editPage(d, req, res, { values, problems: [], confirmShorter: done.confirm });
      res.redirect(303, `${policyPath(workspaceId, channelId)}?done=${done}`);
    } catch (error) {
      refusal(res, error);
    }
  });
}
