// /admin/patients/report: a privacy officer's accounting of disclosures for
// one patient. The identifier is typed into a form and POSTed (never in a
// URL); the answer is the page itself, its rows written as they are read.
// "Download" posts the same form again for a document of its own to hand
// over. Each report produced is recorded in the audit trail.
import { once } from 'node:events';
import type { Response, Router } from 'express';
import { consolePatientReport, requireReportAccess, type ConsoleReportInput } from '../../app/console/patient-report.js';
import { reportHead, reportJsonRows, type PatientReport } from '../../app/patient-report.js';
import { DEFAULT_REPORT_YEARS } from '../../core/audit/disclosure.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import { writeReportPdf } from '../patient-report-pdf.js';
import { html, SafeHtml } from '../html.js';
import { REPORT_TABLE_FOOT, REPORT_TABLE_HEAD, reportDocument, reportRow, reportSummary } from '../patient-report-html.js';
import { consoleRequest, type ConsoleRequest } from './context.js';
import { CSRF_FIELD } from './csrf.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { consoleCaller, formField, patientLookupPanel, refusal } from './view.js';

const TITLE = 'Accounting of disclosures';
const LEDE = `Every access to one patient’s images: when, who, in what role, what, for which purpose, and whether it was allowed. The period is the last ${DEFAULT_REPORT_YEARS} years unless you choose one. Each report is recorded in the audit trail (with Loupe’s patient id, never the identifier).`;
const PROBLEM = 'Enter the patient’s identifier and its issuer, each 1 to 64 characters, and if you give dates, a start before the end. No report was produced.';
/** Where the streamed rows go in the page. */
const ROWS = '<!--loupe:rows-->';

const EMPTY: ConsoleReportInput = { identifier: '', issuer: '', since: '', until: '' };

function reportForm(c: ConsoleRequest, typed: ConsoleReportInput, problem?: string): SafeHtml {
  const more = html`<label>From <span class="hint">Empty: ${DEFAULT_REPORT_YEARS} years before the end</span><input type="date" name="since" value="${typed.since}"></label>
<label>Until (not included) <span class="hint">Empty: now</span><input type="date" name="until" value="${typed.until}"></label>`;
  return patientLookupPanel(c, { action: '/admin/patients/report', typed, problem, more, submit: html`<button type="submit" name="output" value="page">Show report</button>` });
}

/** The same report again as a file: the form's values posted again, never in a URL. */
function downloadForm(c: ConsoleRequest, typed: ConsoleReportInput): SafeHtml {
  const hidden = (Object.keys(typed) as (keyof ConsoleReportInput)[]).map((k) => html`<input type="hidden" name="${k}" value="${typed[k]}">`);
  return html`<form method="post" action="/admin/patients/report" class="filters"><input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}">${hidden}
<button type="submit" name="output" value="pdf">Download the report (PDF, to hand over)</button>
<button type="submit" name="output" value="html" class="secondary">Download as HTML</button></form>`;
}

const field = formField;

/** Writes a part, waiting while the reader is behind. */
async function write(res: Response, part: string): Promise<void> {
  if (!res.write(part)) await once(res, 'drain');
}

async function streamPage(c: ConsoleRequest, res: Response, typed: ConsoleReportInput, r: PatientReport): Promise<void> {
  const body = html`${reportForm(c, typed)}
<section class="panel tight" aria-labelledby="accesses"><h2 id="accesses">Accesses, oldest first</h2>
${reportSummary(r)}
${r.patients.length ? html`${downloadForm(c, typed)}<div class="table-scroll">${REPORT_TABLE_HEAD}${new SafeHtml(ROWS)}${REPORT_TABLE_FOOT}</div>` : ''}
</section>`;
  const page = consolePage(c, { title: TITLE, section: 'disclosures', body, lede: LEDE });
  const [head, tail = ''] = page.split(ROWS);
  res.status(200).type('html');
  await write(res, head ?? '');
  if (r.patients.length) for await (const row of r.rows()) await write(res, reportRow(row).value);
  res.end(tail);
}

async function download(res: Response, r: PatientReport, at: Date): Promise<void> {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 15);
  res.status(200).type('html').attachment(`loupe-disclosures-${stamp}Z.html`);
  for await (const part of reportDocument(r, at)) await write(res, part);
  res.end();
}

async function downloadPdf(res: Response, r: PatientReport, at: Date): Promise<void> {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 15);
  res.status(200).type('application/pdf').attachment(`loupe-disclosures-${stamp}Z.pdf`);
  await writeReportPdf(res, reportHead(r), reportJsonRows(r), at);
}

export function patientReportRoutes(router: Router, d: ConsoleDeps): void {
  router.get('/admin/patients/report', async (_req, res) => {
    const c = consoleRequest(res);
    try {
      await requireReportAccess(consoleCaller(d, c));
    } catch (error) {
      return refusal(res, error);
    }
    res.type('html').send(consolePage(c, { title: TITLE, section: 'disclosures', body: reportForm(c, EMPTY), lede: LEDE }));
  });

  router.post('/admin/patients/report', async (req, res) => {
    const c = consoleRequest(res);
    const typed: ConsoleReportInput = { identifier: field(req.body, 'identifier'), issuer: field(req.body, 'issuer'), since: field(req.body, 'since'), until: field(req.body, 'until') };
    let report: PatientReport;
    try {
      report = await consolePatientReport(consoleCaller(d, c), typed);
    } catch (error) {
      if (isLoupeError(error, ErrorCode.InvalidInput)) {
        return void res.status(400).type('html').send(consolePage(c, { title: TITLE, section: 'disclosures', body: reportForm(c, typed, PROBLEM), lede: LEDE }));
      }
      return refusal(res, error);
    }
    if (field(req.body, 'output') === 'html') return download(res, report, d.clock.now());
    if (field(req.body, 'output') === 'pdf') return downloadPdf(res, report, d.clock.now());
    await streamPage(c, res, typed, report);
  });
}
