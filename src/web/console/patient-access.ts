// /admin/patients/access: a privacy officer gives a patient access to their
// own images. The identifier is typed into a form and POSTed (never in a
// URL); the answer lists the patient's access links, each revocable, and a
// form to issue one, which needs the "identity verified" tick. An issued
// link's URL and its one-time code are shown once, in separate boxes: the
// link for the patient, the code to give them another way (phone, letter).
import type { Router } from 'express';
import { findPatientForAccess, issuePatientAccess, requirePatientAccessIssuer, revokePatientAccess, type IssuedLink, type PatientAccessFound, type PatientAccessLookup } from '../../app/console/patient-access.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import { DEFAULT_LINK_DAYS, MAX_LINK_DAYS, parseLifetimeDays } from '../../core/patient-access/rules.js';
import { html, type SafeHtml } from '../html.js';
import { consoleRequest, type ConsoleRequest } from './context.js';
import { CSRF_FIELD } from './csrf.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { consoleCaller, formField, patientLookupPanel, refusal, when, workspaceName } from './view.js';

const PATH = '/admin/patients/access';
const TITLE = 'Patient access';
const LEDE = `Give patients a link to their own images and to the record of who viewed them. Verify the patient’s identity first. The link lives ${DEFAULT_LINK_DAYS} days unless you choose otherwise (at most ${MAX_LINK_DAYS}); its one-time code is shown once, to give the patient another way than the link. Everything here is recorded in the audit trail.`;
const PROBLEMS = {
  lookup: 'Enter the patient’s identifier and its issuer, each 1 to 64 characters.',
  unverified: 'Tick that you have verified the patient’s identity. No link was issued.',
  days: `Choose a lifetime of 1 to ${MAX_LINK_DAYS} days. No link was issued.`,
  several: 'This identifier is known in more than one workspace: choose the workspace. No link was issued.',
  unknown: 'No patient with that identifier and issuer is known to Loupe. No link was issued.',
} as const;

const field = formField;

function lookupForm(c: ConsoleRequest, typed: PatientAccessLookup, problem?: string): SafeHtml {
  return patientLookupPanel(c, { action: PATH, typed, problem, submit: html`<button type="submit" name="op" value="find">Find the patient</button>` });
}

function issueForm(c: ConsoleRequest, typed: PatientAccessLookup, found: PatientAccessFound[]): SafeHtml {
  const choose = found.length > 1;
  return html`<section class="panel" aria-labelledby="issue"><h2 id="issue">Issue a link</h2>
<form method="post" action="${PATH}" class="stack" autocomplete="off">
<input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}"><input type="hidden" name="identifier" value="${typed.identifier}"><input type="hidden" name="issuer" value="${typed.issuer}">
${choose ? html`<label>Workspace <select name="workspace" required>${found.map((f) => html`<option value="${f.workspaceId}">${workspaceName(c, f.workspaceId)}</option>`)}</select></label>` : ''}
<label>Lifetime in days <span class="hint">1 to ${MAX_LINK_DAYS}</span><input type="number" name="days" min="1" max="${MAX_LINK_DAYS}" value="${DEFAULT_LINK_DAYS}" required></label>
<div class="choice"><label><input type="checkbox" name="verified" value="yes" required> I have verified this patient’s identity</label></div>
<div class="actions"><button type="submit" name="op" value="issue">Issue the link</button></div>
</form></section>`;
}

function linksTable(c: ConsoleRequest, found: PatientAccessFound[]): SafeHtml {
  const rows = found.flatMap((f) => f.links.map((l) => ({ ...l, workspaceId: f.workspaceId })));
  if (!rows.length) return html`<section class="panel" aria-labelledby="links"><h2 id="links">This patient’s links</h2><p>None issued yet.</p></section>`;
  const live = (s: string) => s === 'active' || s === 'in use';
  return html`<section class="panel tight" aria-labelledby="links"><h2 id="links">This patient’s links</h2><div class="table-scroll"><table class="patient-links">
<thead><tr><th scope="col">Issued</th><th scope="col">By</th><th scope="col">Expires</th><th scope="col">Used</th><th scope="col">State</th><th scope="col"><span class="hint">Action</span></th></tr></thead><tbody>
${rows.map(
  (l) => html`<tr><td>${when(l.issuedAt)}</td><td>${l.issuedBy}</td><td>${when(l.expiresAt)}</td><td class="num">${l.uses}${l.failedCodes ? html`<br><small>${l.failedCodes} wrong code${l.failedCodes === 1 ? '' : 's'}</small>` : ''}</td><td><span class="badge ${live(l.state) ? 'ok' : 'warn'}">${l.state}</span></td>
<td>${live(l.state) ? html`<form method="post" action="${PATH}/revoke"><input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}"><input type="hidden" name="link" value="${l.id}"><button type="submit" class="danger" aria-label="Revoke the link issued ${l.issuedAt.toISOString().slice(0, 16)}">Revoke</button></form>` : ''}</td></tr>`,
)}
</tbody></table></div></section>`;
}

function issuedBox(d: ConsoleDeps, issued: IssuedLink): SafeHtml {
  const url = new URL(`/patient/${issued.token}`, d.publicUrl).href;
  const code = `${issued.code.slice(0, 4)} ${issued.code.slice(4)}`;
  return html`<div class="banner ok" role="status">Link issued. It is shown only now: copy it for the patient. It expires ${when(issued.expiresAt)}.</div>
<section class="panel" aria-labelledby="for-link"><h2 id="for-link">1. The link, for the patient</h2>
<p><code id="patient-link">${url}</code></p><p class="hint">Send or print this for the patient. On its own it opens nothing.</p></section>
<section class="panel" aria-labelledby="for-code"><h2 id="for-code">2. The one-time code, by another way</h2>
<p><strong class="mono" id="patient-code">${code}</strong></p><p class="hint">Tell the patient this code by phone or letter, never with the link. It works once; five wrong codes lock the link.</p></section>`;
}

export function patientAccessRoutes(router: Router, d: ConsoleDeps): void {
  const page = (c: ConsoleRequest, body: SafeHtml) => consolePage(c, { title: TITLE, section: 'patient-access', body, lede: LEDE });

  router.get(PATH, async (req, res) => {
    const c = consoleRequest(res);
    try {
      await requirePatientAccessIssuer(consoleCaller(d, c));
    } catch (error) {
      return refusal(res, error);
    }
    const banner = req.query['done'] === 'revoked' ? html`<div class="banner ok" role="status">The link was revoked: it and any session it opened stop working now.</div>` : '';
    res.type('html').send(page(c, html`${banner}${lookupForm(c, { identifier: '', issuer: '' })}`));
  });

  router.post(PATH, async (req, res) => {
    const c = consoleRequest(res);
    const caller = consoleCaller(d, c);
    const typed: PatientAccessLookup = { identifier: field(req.body, 'identifier'), issuer: field(req.body, 'issuer') };
    const bad = (problem: string, found: PatientAccessFound[] = []) =>
      void res.status(400).type('html').send(page(c, html`${lookupForm(c, typed, problem)}${found.length ? html`${issueForm(c, typed, found)}${linksTable(c, found)}` : ''}`));
    let issued: IssuedLink | undefined;
    if (field(req.body, 'op') === 'issue') {
      const days = parseLifetimeDays(field(req.body, 'days'));
      const verified = field(req.body, 'verified') === 'yes';
      let problem: string | undefined = days === undefined ? PROBLEMS.days : verified ? undefined : PROBLEMS.unverified;
      if (!problem) {
        try {
          const workspace = field(req.body, 'workspace');
          issued = await issuePatientAccess(caller, { ...typed, identityVerified: verified, days: days!, workspaceId: workspace || undefined, issuerName: c.user.name });
        } catch (error) {
          if (isLoupeError(error, ErrorCode.NotFound)) problem = PROBLEMS.unknown;
          else if (isLoupeError(error, ErrorCode.InvalidInput)) problem = PROBLEMS.lookup;
          else return refusal(res, error);
        }
      }
      if (problem) {
        const found = await findPatientForAccess(caller, typed).catch((error: unknown) => {
          if (isLoupeError(error, ErrorCode.InvalidInput)) return [];
          throw error;
        });
        return bad(problem === PROBLEMS.lookup && found.length > 1 ? PROBLEMS.several : problem, found);
      }
    }
    let found: PatientAccessFound[];
    try {
      found = await findPatientForAccess(caller, typed);
    } catch (error) {
      if (isLoupeError(error, ErrorCode.InvalidInput)) return bad(PROBLEMS.lookup);
      return refusal(res, error);
    }
    const answer = found.length
      ? html`${issued ? issuedBox(d, issued) : ''}${lookupForm(c, typed)}${issueForm(c, typed, found)}${linksTable(c, found)}`
      : html`${lookupForm(c, typed)}<p role="status">No patient with that identifier and issuer is known to Loupe. The search was recorded in the audit trail.</p>`;
    res.type('html').send(page(c, answer));
  });

  router.post(`${PATH}/revoke`, async (req, res) => {
    const c = consoleRequest(res);
    try {
      await revokePatientAccess(consoleCaller(d, c), field(req.body, 'link'));
    } catch (error) {
      return refusal(res, error);
    }
    res.redirect(303, `${PATH}?done=revoked`);
  });
}
