// /admin/patients/consent: a patient's consent, for privacy officers and
// workspace admins. The identifier is typed into a form and POSTed (never in
// a URL); the answer is the page: every chain's versions (terms, who
// recorded each (chat user or console subject), when, how, and what
// superseded it, by whom, why), a form to record a new decision, and for each
// current decision forms to change or withdraw it (a reason code each). The
// change forms carry the patient in hidden fields of the page, so every
// answer is again a POST rendered as the page, with a short banner.
import type { Response, Router } from 'express';
import { consentWorkspaces, consoleConsents, type ConsoleConsents, consoleRecordConsent, consoleReviseConsent, consoleWithdrawConsent, requireConsentAccess, type ConsoleConsentPatient, type ConsoleConsentTerms } from '../../app/console/consent.js';
import { DECISION_CHOICES, KIND_CHOICES, PARTY_CHOICES, PURPOSE_CHOICES, WITHDRAW_CHOICES, choiceLabels as label, consentProblem, lastDay, ymd } from '../../chat/consent-text.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import type { Consent } from '../../storage/prisma/client.js';
import { html, type SafeHtml } from '../html.js';
import { consoleRequest, type ConsoleRequest } from './context.js';
import { CSRF_FIELD } from './csrf.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { consoleCaller, formField, refusal, when } from './view.js';

const PATH = '/admin/patients/consent';
const TITLE = 'Patient consent';
const LEDE = 'Find a patient by identifier to see every version of their consent, record a new decision, change one or withdraw it. Versions are never edited: each change adds one. Every read and change is recorded in the audit trail (with Loupe’s patient id, never the identifier).';
const PROBLEM = 'Enter the patient’s identifier and its issuer, each 1 to 64 characters, and choose a workspace.';
const REVISION_CHOICES = [
  ['patient_changed', 'The patient changed their decision'],
  ['recorded_in_error', 'Recorded in error'],
] as const;
const DONE = { recorded: 'Consent recorded.', revised: 'Consent changed: the new version is current.', withdrawn: 'Consent withdrawn: it no longer applies.' } as const;
const RECORDER = { chat_user: 'Chat user', console_subject: 'Console', operator: 'Operator (command line)' } as const;
const VIA = { chat_slack: 'Slack', chat_teams: 'Microsoft Teams', console: 'Console', cli: 'Command line' } as const;
const REASONS: Record<string, string> = Object.fromEntries([...WITHDRAW_CHOICES, ...REVISION_CHOICES]);

type Choices = readonly (readonly [string, string])[];

const field = formField;
const fields = (body: unknown, k: string): string[] => {
  const v = (body as Record<string, unknown> | undefined)?.[k];
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};

function patientFields(c: ConsoleRequest, p: ConsoleConsentPatient): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}"><input type="hidden" name="workspace" value="${p.workspaceId}"><input type="hidden" name="identifier" value="${p.identifier}"><input type="hidden" name="issuer" value="${p.issuer}">`;
}

function searchForm(c: ConsoleRequest, workspaces: string[], p: ConsoleConsentPatient, problem?: string): SafeHtml {
  const name = (id: string) => c.workspaces.find((w) => w.id === id)?.name ?? id;
  return html`<section class="panel data" aria-labelledby="which"><h2 id="which">Which patient</h2>
${problem ? html`<div class="banner bad" role="alert">${problem}</div>` : ''}
<form method="post" action="${PATH}" class="filters" autocomplete="off"><input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}">
<label>Workspace<select name="workspace">${workspaces.map((id) => html`<option value="${id}"${id === p.workspaceId ? html` selected` : ''}>${name(id)}</option>`)}</select></label>
<label>Patient identifier <span class="hint">For example the medical record number</span><input type="text" name="identifier" required maxlength="64" value="${p.identifier}" spellcheck="false"></label>
<label>Issuer <span class="hint">The system that gave the identifier</span><input type="text" name="issuer" required maxlength="64" value="${p.issuer}" spellcheck="false"></label>
<button type="submit" name="op" value="show">Show consent</button></form></section>`;
}

function termsFields(prefix: string): SafeHtml {
  const boxes = (name: string, choices: Choices, type: 'checkbox' | 'radio') =>
    choices.map(([value, text]) => html`<label><input type="${type}" name="${name}" value="${value}"> ${text}</label>`);
  return html`<fieldset><legend>Decision</legend><div class="choice">${boxes('decision', DECISION_CHOICES, 'radio')}</div></fieldset>
<fieldset><legend>For (at least one)</legend><div class="choice">${boxes('purposes', PURPOSE_CHOICES, 'checkbox')}</div></fieldset>
<fieldset><legend>Seen by (at least one)</legend><div class="choice">${boxes('parties', PARTY_CHOICES, 'checkbox')}</div></fieldset>
<fieldset><legend>Images (at least one)</legend><div class="choice">${boxes('dataKinds', KIND_CHOICES, 'checkbox')}</div></fieldset>
<label for="${prefix}-from">From <span class="hint">Empty: today</span></label><input id="${prefix}-from" type="date" name="from">
<label for="${prefix}-until">Until (last day) <span class="hint">Empty: no end</span></label><input id="${prefix}-until" type="date" name="until">`;
}

/** The patient's stored photos, one of which may be the signed form: named by sender, time and short id, never by content. */
function evidenceField(photos: ConsoleConsents['evidencePhotos']): SafeHtml {
  const choice = (a: ConsoleConsents['evidencePhotos'][number]) => `Photo sent by ${a.uploaderId} on ${a.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC (${a.id.slice(0, 8)})`;
  return html`<label for="record-evidence">Evidence: the signed form <span class="hint">Optional: one of this patient’s stored photos, posted in a consult and linked to them</span></label>
<select id="record-evidence" name="evidence"><option value="">No photo of the form</option>${photos.map((a) => html`<option value="${a.id}">${choice(a)}</option>`)}</select>`;
}

const reasonSelect = (choices: Choices) => html`<select name="reason" required>${choices.map(([value, text]) => html`<option value="${value}">${text}</option>`)}</select>`;

function versionRow(v: Consent, current: boolean): SafeHtml {
  const last = lastDay(v.validUntil);
  const terms =
    v.kind === 'withdrawal'
      ? html`<td colspan="4">Withdrawal</td>`
      : html`<td>${label(DECISION_CHOICES, v.decision ? [v.decision] : [])}</td><td>${label(PURPOSE_CHOICES, v.purposes)}</td><td>${label(PARTY_CHOICES, v.parties)}</td><td>${label(KIND_CHOICES, v.dataKinds)}</td>`;
  const recorder = v.recordedByKind ? RECORDER[v.recordedByKind] : 'Unknown';
  const superseded = v.supersededAt
    ? html`${when(v.supersededAt)}<br><small>${v.supersededByKind ? RECORDER[v.supersededByKind] : ''} <code>${v.supersededBy ?? ''}</code><br>${v.supersededReason ? (REASONS[v.supersededReason] ?? v.supersededReason) : ''}</small>`
    : current
      ? html`<strong>Current</strong>`
      : '';
  return html`<tr><td>${v.version}</td>${terms}<td>${v.kind === 'withdrawal' ? '' : html`from ${ymd(v.validFrom)}${last ? html`<br>until ${last}` : ''}`}</td>
<td>${when(v.recordedAt)}<br><small>${recorder} <code>${v.recordedBy}</code><br>via ${v.recordedVia ? VIA[v.recordedVia] : 'unknown'}</small></td>
<td>${v.evidenceAssetId ? html`<code>${v.evidenceAssetId}</code>` : v.evidenceRef ? 'On file' : ''}</td><td>${superseded}</td></tr>`;
}

function changeForms(c: ConsoleRequest, p: ConsoleConsentPatient, v: Consent): SafeHtml {
  return html`<div class="consent-change">
<form method="post" action="${PATH}" class="filters">${patientFields(c, p)}<input type="hidden" name="consentId" value="${v.id}">
<label>Reason for withdrawing${reasonSelect(WITHDRAW_CHOICES)}</label><button type="submit" name="op" value="withdraw" class="danger">Withdraw version ${v.version}</button></form>
<details><summary>Change version ${v.version}</summary>
<form method="post" action="${PATH}" class="stack">${patientFields(c, p)}<input type="hidden" name="consentId" value="${v.id}">
${termsFields(`revise-${v.id}`)}<label>Reason for the change${reasonSelect(REVISION_CHOICES)}</label>
<div class="actions"><button type="submit" name="op" value="revise">Record the change</button></div></form></details></div>`;
}

function chains(c: ConsoleRequest, p: ConsoleConsentPatient, versions: Consent[]): SafeHtml {
  if (!versions.length) return html`<p>No consent is recorded for this patient.</p>`;
  const byChain = new Map<string, Consent[]>();
  for (const v of versions) byChain.set(v.chainId, [...(byChain.get(v.chainId) ?? []), v]);
  return html`${[...byChain.values()].map((chain, i) => {
    const last = chain.at(-1)!;
    const live = last.supersededAt === null && last.kind === 'decision';
    return html`<section class="panel tight" aria-labelledby="chain-${i}"><h3 id="chain-${i}">Consent ${i + 1}: ${live ? 'in force' : 'withdrawn'}</h3>
<div class="table-scroll"><table><thead><tr><th scope="col">Version</th><th scope="col">Decision</th><th scope="col">For</th><th scope="col">Seen by</th><th scope="col">Images</th><th scope="col">Period</th><th scope="col">Recorded</th><th scope="col">Evidence</th><th scope="col">Superseded</th></tr></thead>
<tbody>${chain.map((v) => versionRow(v, v === last && live))}</tbody></table></div>
${live ? changeForms(c, p, last) : ''}</section>`;
  })}`;
}

async function render(d: ConsoleDeps, res: Response, p: ConsoleConsentPatient, banner?: SafeHtml, status = 200): Promise<void> {
  const c = consoleRequest(res);
  const caller = consoleCaller(d, c);
  const found = await consoleConsents(caller, p);
  const body = html`${banner ?? ''}${searchForm(c, await consentWorkspaces(caller), p)}
<section class="panel tight" aria-labelledby="versions"><h2 id="versions">Consent versions</h2>${found.patientId ? chains(c, p, found.versions) : html`<p>Loupe has no record of this patient yet. Recording a decision creates one.</p>`}</section>
<section class="panel tight" aria-labelledby="record"><h2 id="record">Record a new decision</h2>
<form method="post" action="${PATH}" class="stack">${patientFields(c, p)}${termsFields('record')}${evidenceField(found.evidencePhotos)}<div class="actions"><button type="submit" name="op" value="record">Record decision</button></div></form></section>`;
  res.status(status).type('html').send(consolePage(c, { title: TITLE, section: 'consent', body, lede: LEDE }));
}

/** The patient was not given properly: the search form again, saying so. */
async function searchProblem(d: ConsoleDeps, res: Response, p: ConsoleConsentPatient): Promise<void> {
  const c = consoleRequest(res);
  const body = searchForm(c, await consentWorkspaces(consoleCaller(d, c)), p, PROBLEM);
  res.status(400).type('html').send(consolePage(c, { title: TITLE, section: 'consent', body, lede: LEDE }));
}

export function consentRoutes(router: Router, d: ConsoleDeps): void {
  router.get(PATH, async (_req, res) => {
    const c = consoleRequest(res);
    const caller = consoleCaller(d, c);
    try {
      await requireConsentAccess(caller);
    } catch (error) {
      return refusal(res, error);
    }
    const body = searchForm(c, await consentWorkspaces(caller), { workspaceId: '', identifier: '', issuer: '' });
    res.type('html').send(consolePage(c, { title: TITLE, section: 'consent', body, lede: LEDE }));
  });

  router.post(PATH, async (req, res) => {
    const c = consoleRequest(res);
    const caller = consoleCaller(d, c);
    const p: ConsoleConsentPatient = { workspaceId: field(req.body, 'workspace'), identifier: field(req.body, 'identifier'), issuer: field(req.body, 'issuer') };
    const terms: ConsoleConsentTerms = { decision: field(req.body, 'decision'), purposes: fields(req.body, 'purposes'), parties: fields(req.body, 'parties'), dataKinds: fields(req.body, 'dataKinds'), from: field(req.body, 'from'), until: field(req.body, 'until') };
    const consentId = field(req.body, 'consentId');
    const reason = field(req.body, 'reason');
    const op = field(req.body, 'op');
    let done: keyof typeof DONE | undefined;
    try {
      if (op === 'record') await consoleRecordConsent(caller, p, terms, field(req.body, 'evidence'));
      else if (op === 'revise') await consoleReviseConsent(caller, p, { consentId, terms, reason });
      else if (op === 'withdraw') await consoleWithdrawConsent(caller, p, { consentId, reason });
      done = op === 'record' ? 'recorded' : op === 'revise' ? 'revised' : op === 'withdraw' ? 'withdrawn' : undefined;
    } catch (error) {
      if (isLoupeError(error, ErrorCode.InvalidInput)) return searchProblem(d, res, p);
      const problem = isLoupeError(error, ErrorCode.NotFound) && !consentId ? undefined : consentProblem(error);
      if (!problem) return refusal(res, error);
      return render(d, res, p, html`<div class="banner bad" role="alert">${problem}</div>`, 400);
    }
    try {
      await render(d, res, p, done ? html`<div class="banner ok" role="status">${DONE[done]}</div>` : undefined);
    } catch (error) {
      if (isLoupeError(error, ErrorCode.InvalidInput)) return searchProblem(d, res, p);
      refusal(res, error);
    }
  });
}
