// The accounting of disclosures as HTML: the table the console page streams,
// and a document of its own (the command line's `--format html`, the
// console's download) that a privacy officer can hand over. Rendered with
// `html`, values escaped; no script.
import { assetKindWords, type DisclosureRow } from '../core/audit/disclosure.js';
import type { PatientReport } from '../app/patient-report.js';
import { html, type SafeHtml } from './html.js';

const day = (d: Date) => d.toISOString().slice(0, 10);
const minute = (d: Date) => `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;

export function reportSummary(r: Pick<PatientReport, 'patients' | 'since' | 'until' | 'counts'>): SafeHtml {
  if (!r.patients.length) return html`<p role="status">No patient with that identifier and issuer is known to Loupe, so there is nothing to account for. The attempt was recorded in the audit trail.</p>`;
  const c = r.counts;
  return html`<p role="status">From ${day(r.since)} to ${day(r.until)}: <strong>${c.total}</strong> access${c.total === 1 ? '' : 'es'} to this patient’s images (${c.allowed} allowed, ${c.refused} refused).</p>
<p class="hint">Patient ${r.patients.map((p, i) => html`${i ? ', ' : ''}<code>${p.patientId}</code>`)} (Loupe’s id${r.patients.length > 1 ? 's, one per workspace' : ''}). Times are UTC.</p>`;
}

export const REPORT_TABLE_HEAD = html`<table class="disclosures"><thead><tr><th scope="col">Date</th><th scope="col">Who</th><th scope="col">Role</th><th scope="col">What</th><th scope="col">Purpose</th><th scope="col">Outcome</th></tr></thead><tbody>`;
export const REPORT_TABLE_FOOT = html`</tbody></table>`;

export function reportRow(r: DisclosureRow): SafeHtml {
  const who = r.who.name ? html`${r.who.name}<br><small><code>${r.who.id ?? ''}</code></small>` : html`<code>${r.who.id ?? 'unknown'}</code>`;
  const what = r.what ? html`${assetKindWords(r.what)}<br><small><code>${r.what.id}</code></small>` : html`The list of the patient’s images`;
  return html`<tr><td><time datetime="${r.at.toISOString()}">${minute(r.at)}</time></td><td>${who}</td><td>${r.who.role}</td><td>${what}</td><td>${r.purpose}</td><td class="${r.outcome}">${r.outcome}</td></tr>
`;
}

const DOCUMENT_STYLE = 'body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top}.refused{color:#a00}';

/** A document of its own, piece by piece: the rows are written as they are read. */
export async function* reportDocument(r: PatientReport, producedAt: Date): AsyncGenerator<string> {
  yield html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Accounting of disclosures · Loupe</title><style>${DOCUMENT_STYLE}</style></head>
<body><h1>Accounting of disclosures</h1>
<p>Every access to the patient’s images recorded by Loupe in the period, oldest first: when, who (name as Loupe knows it, chat user id, role), what, for which purpose, and whether it was allowed. Produced ${minute(producedAt)}.</p>
${reportSummary(r)}
${r.patients.length ? REPORT_TABLE_HEAD : ''}`.value;
  if (!r.patients.length) return void (yield '</body></html>');
  for await (const row of r.rows()) yield reportRow(row).value;
  yield html`${REPORT_TABLE_FOOT}</body></html>`.value;
}
