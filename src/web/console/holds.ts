// /admin/holds: the legal holds in force (what, why, who, since when) with a
// Lift form each, the lifted ones below, and a form to place one on a
// channel (or the whole workspace), an asset or a patient. The assets page
// links here with ?asset=<id> or ?patient=<id> (Loupe's ids, never PHI).
import type { Response, Router } from 'express';
import { holdsView, liftHold, MAX_HOLD_REASON, placeHold, type HoldsView } from '../../app/console/legal-hold.js';
import { isLoupeId } from '../../core/ids.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { LegalHold } from '../../storage/legal-holds.js';
import { html, type SafeHtml } from '../html.js';
import { consoleRequest, type ConsoleRequest } from './context.js';
import { CSRF_FIELD } from './csrf.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { consoleCaller, formField, refusal, when } from './view.js';

/** What the place form holds: as typed, or prefilled from the assets page. */
interface PlaceForm {
  scope: string;
  channel: string;
  workspace: string;
  asset: string;
  patient: string;
  reason: string;
}

const PROBLEM = {
  target: 'Choose what to hold: a channel, or an asset or patient id from the assets page that belongs to the chosen workspace.',
  reason: `Give a reason for the hold, up to ${MAX_HOLD_REASON} characters (for example the case or request it is for).`,
  liftReason: `Give a reason for lifting the hold, up to ${MAX_HOLD_REASON} characters.`,
  lifted: 'That hold has already been lifted.',
  namesPatient: 'The reason names a patient identifier. Reasons are shown to everyone who works with holds: give the matter or case reference instead, never the patient.',
} as const;

const DONE = { placed: 'Legal hold placed. Nothing it covers will be destroyed until it is lifted.', lifted: 'Legal hold lifted. Its images follow their retention again.' } as const;

function what(h: LegalHold): SafeHtml {
  if (h.scope === 'channel') return h.targetId === '*' ? html`Whole workspace` : html`Channel <code>${h.targetId}</code>`;
  return html`${h.scope === 'asset' ? 'Asset' : 'Patient'} <code>${h.targetId}</code>`;
}

/** A hold's reason and who set or lifted it, for those who hold in the whole workspace or placed it; a team's owner sees only that someone else holds their channel. */
function seesWhy(c: ConsoleRequest, h: LegalHold): boolean {
  return h.setBy === c.user.subject || c.access.may('set_legal_hold', { workspaceId: h.workspaceId }).allow;
}

const HIDDEN = html`<span class="hint">Placed by someone else: a privacy officer or an admin of the workspace can tell you why.</span>`;

function inForceTable(c: ConsoleRequest, v: HoldsView, wsName: (id: string) => string, who: (id: string | null) => SafeHtml): SafeHtml {
  if (!v.inForce.length) return html`<p>No legal hold is in force. Place one below when a claim, an investigation or a records request needs images kept whatever their retention.</p>`;
  const rows = v.inForce.map(
    (h) => html`<tr><td>${wsName(h.workspaceId)}</td><td>${what(h)}</td><td class="reason">${seesWhy(c, h) ? h.reason : HIDDEN}</td><td>${seesWhy(c, h) ? who(h.setBy) : ''}</td><td>${when(h.setAt)}</td>
<td>${c.access.mayLift(v.placeOf.get(h.id) ?? { workspaceId: h.workspaceId }, h.setBy) ? html`<form method="post" action="/admin/holds/${h.id}/lift" class="lift"><input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}">
<label>Reason for lifting<input type="text" name="reason" required maxlength="${MAX_HOLD_REASON}" autocomplete="off"></label><button type="submit" class="danger">Lift hold</button></form>` : html`<span class="hint">A privacy officer, or whoever placed it, may lift it.</span>`}</td></tr>`,
  );
  return html`<div class="table-scroll"><table><thead><tr><th scope="col">Workspace</th><th scope="col">What</th><th scope="col">Reason</th><th scope="col">Set by</th><th scope="col">Since</th><th scope="col">Lift</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function liftedList(c: ConsoleRequest, v: HoldsView, wsName: (id: string) => string, who: (id: string | null) => SafeHtml): SafeHtml {
  if (!v.lifted.length) return html``;
  const rows = v.lifted.map(
    (h) =>
      seesWhy(c, h)
        ? html`<tr><td>${wsName(h.workspaceId)}</td><td>${what(h)}</td><td class="reason">${h.reason}</td><td>${who(h.setBy)}<br><small>${when(h.setAt)}</small></td><td>${who(h.liftedBy)}<br><small>${h.liftedAt ? when(h.liftedAt) : ''}</small></td><td class="reason">${h.liftReason ?? ''}</td></tr>`
        : html`<tr><td>${wsName(h.workspaceId)}</td><td>${what(h)}</td><td class="reason">${HIDDEN}</td><td><small>${when(h.setAt)}</small></td><td><small>${h.liftedAt ? when(h.liftedAt) : ''}</small></td><td></td></tr>`,
  );
  return html`<details class="panel lifted"><summary>Lifted holds (${v.lifted.length}), newest first</summary>
<table><thead><tr><th scope="col">Workspace</th><th scope="col">What</th><th scope="col">Reason</th><th scope="col">Set by</th><th scope="col">Lifted by</th><th scope="col">Reason for lifting</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

function placeForm(c: ConsoleRequest, v: HoldsView, f: PlaceForm): SafeHtml {
  const sel = (on: boolean) => (on ? html` selected` : '');
  const chk = (on: boolean) => (on ? html` checked` : '');
  const several = v.workspaces.length > 1;
  // A patient's images may be in any channel: holding them is for those who hold in whole workspaces.
  const patients = v.workspaces.some((w) => w.whole);
  const channels = v.workspaces.map((w) => {
    const options = w.channels.map((ch) => html`<option value="${w.id} ${ch}"${sel(f.channel === `${w.id} ${ch}`)}>${ch === '*' ? 'Whole workspace (every channel)' : ch}</option>`);
    return several ? html`<optgroup label="${w.name}">${options}</optgroup>` : options;
  });
  return html`<form method="post" action="/admin/holds" class="stack hold-form" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}">
<fieldset><legend>What to hold</legend>
<div class="choice"><label><input type="radio" name="scope" value="channel"${chk(f.scope === 'channel')}> ${patients ? 'A channel, or the whole workspace' : 'A channel'}</label>
<label><input type="radio" name="scope" value="asset"${chk(f.scope === 'asset')}> One asset</label>
${patients ? html`<label><input type="radio" name="scope" value="patient"${chk(f.scope === 'patient')}> Every image of a patient</label>` : ''}</div>
<label>Channel<span class="hint">For a channel hold. Channels are listed by id.</span><select name="channel">${channels}</select></label>
<label>Workspace<span class="hint">For an asset${patients ? ' or patient' : ''} hold.</span><select name="workspace">${v.workspaces.map((w) => html`<option value="${w.id}"${sel(f.workspace === w.id)}>${w.name}</option>`)}</select></label>
<label>Asset id<span class="hint">From the assets page.</span><input type="text" name="asset" class="mono" value="${f.asset}" autocomplete="off" spellcheck="false"></label>
${patients ? html`<label>Patient id<span class="hint">Loupe’s patient id, from the assets page (not a medical record number).</span><input type="text" name="patient" class="mono" value="${f.patient}" autocomplete="off" spellcheck="false"></label>` : ''}
</fieldset>
<label>Reason<span class="hint">A matter or case reference, never a patient’s name or identifier: it is shown here with the hold (not copied into the audit trail).</span><textarea name="reason" maxlength="${MAX_HOLD_REASON}" required>${f.reason}</textarea></label>
<div class="actions"><button type="submit">Place hold</button></div>
</form>`;
}

async function holdsPage(d: ConsoleDeps, res: Response, o: { status?: number; banner?: SafeHtml; form: PlaceForm }): Promise<void> {
  const c = consoleRequest(res);
  const v = await holdsView(consoleCaller(d, c));
  const wsName = (id: string) => v.workspaces.find((w) => w.id === id)?.name ?? id;
  const who = (id: string | null) => (id === null ? html`` : id === c.user.subject ? html`You (${c.user.name})` : v.names.has(id) ? html`${v.names.get(id)}` : html`<code>${id}</code>`);
  const body = html`${o.banner ?? ''}
<section class="panel tight" aria-labelledby="in-force"><h2 id="in-force">Holds in force</h2>${inForceTable(c, v, wsName, who)}</section>
${liftedList(c, v, wsName, who)}
<section class="panel tight" aria-labelledby="place"><h2 id="place">Place a hold</h2>${v.workspaces.length ? placeForm(c, v, o.form) : html`<p>You may not place holds in any workspace.</p>`}</section>`;
  res
    .status(o.status ?? 200)
    .type('html')
    .send(consolePage(c, { title: 'Legal holds', section: 'holds', body, lede: 'While a hold is in force, nothing it covers is destroyed, whatever the retention. Placing and lifting are audited.' }));
}

const field = formField;

export function holdRoutes(router: Router, d: ConsoleDeps): void {
  router.get('/admin/holds', async (req, res) => {
    const asset = typeof req.query.asset === 'string' && isLoupeId(req.query.asset) ? req.query.asset : '';
    const patient = typeof req.query.patient === 'string' && isLoupeId(req.query.patient) ? req.query.patient : '';
    const done = req.query.done === 'placed' || req.query.done === 'lifted' ? req.query.done : undefined;
    const banner = done ? html`<div class="banner ok" role="status">${DONE[done]}</div>` : undefined;
    const c = consoleRequest(res);
    if (!c.access.may('set_legal_hold').allow) return refusal(res, new LoupeError(ErrorCode.Forbidden, 'not allowed to hold'));
    await holdsPage(d, res, { ...(banner ? { banner } : {}), form: { scope: asset ? 'asset' : patient ? 'patient' : 'channel', channel: '', workspace: '', asset, patient, reason: '' } });
  });

  router.post('/admin/holds', async (req, res) => {
    const c = consoleRequest(res);
    const form: PlaceForm = { scope: field(req.body, 'scope'), channel: field(req.body, 'channel'), workspace: field(req.body, 'workspace'), asset: field(req.body, 'asset'), patient: field(req.body, 'patient'), reason: field(req.body, 'reason') };
    const [channelWs = '', channelId = ''] = form.channel.split(' ');
    const target = form.scope === 'channel' ? { workspaceId: channelWs, targetId: channelId } : { workspaceId: form.workspace, targetId: form.scope === 'asset' ? form.asset : form.patient };
    try {
      const result = await placeHold(consoleCaller(d, c), { ...target, scope: form.scope, reason: form.reason });
      if (result.ok) return res.redirect(303, '/admin/holds?done=placed');
      const message = result.problem === 'reason' ? PROBLEM.reason : result.problem === 'names_patient' ? PROBLEM.namesPatient : PROBLEM.target;
      // A reason that names a patient is not shown back, even to its writer.
      const shown = result.problem === 'names_patient' ? { ...form, reason: '' } : form;
      await holdsPage(d, res, { status: 400, banner: html`<div class="banner bad" role="alert"><strong>The hold was not placed.</strong> ${message}</div>`, form: shown });
    } catch (error) {
      refusal(res, error);
    }
  });

  router.post('/admin/holds/:holdId/lift', async (req, res) => {
    const c = consoleRequest(res);
    try {
      const result = await liftHold(consoleCaller(d, c), { holdId: String(req.params.holdId), reason: field(req.body, 'reason') });
      if (result.ok) return res.redirect(303, '/admin/holds?done=lifted');
      const message = result.problem === 'lifted' ? PROBLEM.lifted : result.problem === 'names_patient' ? PROBLEM.namesPatient : PROBLEM.liftReason;
      const empty: PlaceForm = { scope: 'channel', channel: '', workspace: '', asset: '', patient: '', reason: '' };
      await holdsPage(d, res, { status: 400, banner: html`<div class="banner bad" role="alert"><strong>The hold was not lifted.</strong> ${message}</div>`, form: empty });
    } catch (error) {
      refusal(res, error);
    }
  });
}
