// The patient's pages: the code form, their images with the record of who
// viewed them, and plain notices. Server-rendered with `html` (values
// escaped), the console's stylesheet and a few rules of their own, no script.
import { assetKindWords } from '../../core/audit/disclosure.js';
import { CODE_DIGITS } from '../../core/patient-access/rules.js';
import type { PatientAsset } from '../../app/patient-access/patient-session.js';
import type { PatientReport } from '../../app/patient-report.js';
import { CONSOLE_CSS } from '../console/style.js';
import { html, SafeHtml } from '../html.js';
import { REPORT_TABLE_FOOT, REPORT_TABLE_HEAD, reportRow } from '../patient-report-html.js';

export const PATIENT_CSS = `${CONSOLE_CSS}
.images { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); list-style: none; padding: 0; }
.images li { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
.images img { display: block; max-width: 100%; height: auto; margin: .5rem 0; background: #000; }
input.code { font-size: 1.4rem; letter-spacing: .2em; max-width: 12rem; }
`;

function shell(title: string, body: SafeHtml, signOut = false): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="same-origin"><meta name="robots" content="noindex">
<title>${title} · Loupe</title><link rel="stylesheet" href="/patient/patient.css"></head>
<body>
<header class="top"><span class="brand">Loupe<small>your images</small></span><nav aria-label="Patient"></nav>
${signOut ? html`<div class="who"><form method="post" action="/patient/sign-out"><button type="submit">Sign out</button></form></div>` : ''}</header>
<main id="content">
<h1>${title}</h1>
${body}
</main>
<footer>Every visit to this page is recorded. If you did not expect this link, contact the hospital.</footer>
</body>
</html>
`.value;
}

export function patientNotice(title: string, message: string): string {
  return shell(title, html`<p>${message}</p>`);
}

export function codePage(problem?: string): string {
  return shell(
    'Your images',
    html`<p class="lede">The hospital gave you a code separately from this link (by phone or letter). Enter it to see your images. It works once.</p>
${problem ? html`<div class="banner bad" role="alert">${problem}</div>` : ''}
<form method="post" class="stack panel" autocomplete="off">
<label>Your ${CODE_DIGITS}-digit code<input class="code" type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="12" spellcheck="false"></label>
<div class="actions"><button type="submit">Show my images</button></div>
</form>`,
  );
}

function assetItem(a: PatientAsset, hasPreview: boolean): SafeHtml {
  const title = assetKindWords({ id: a.id, kind: a.kind, modality: a.modality });
  const date = a.storedAt.toISOString().slice(0, 10);
  const base = `/patient/images/${a.id}`;
  const what = html`<h3>${title}${a.bodyPart ? ` · ${a.bodyPart}` : ''}</h3><p class="hint">Stored <time datetime="${a.storedAt.toISOString()}">${date}</time></p>`;
  if (a.kind === 'photo') return html`<li data-asset="${a.id}">${what}<img src="${base}/photo" alt="${title}, ${date}"><a href="${base}/photo" download="photo-${date}">Open the photo at full size</a></li>`;
  // A whole study's original is the zip as it came, which is never handed out (patient-session.ts): the hospital provides copies of studies.
  if (a.kind === 'dicom_study') {
    return html`<li data-asset="${a.id}">${what}${hasPreview ? html`<img src="${base}/preview" alt="A small rendering of the ${title} study, ${date}">` : ''}<p class="hint">A whole study: ask the hospital for a copy of its images.</p></li>`;
  }
  return html`<li data-asset="${a.id}">${what}${hasPreview ? html`<img src="${base}/preview" alt="A small rendering of the ${title} image, ${date}">` : html`<p class="hint">No rendering of this image is available; download the file to open it in a DICOM viewer.</p>`}
<a class="button" href="${base}/original" download>Download the original DICOM file</a></li>`;
}

export async function imagesPage(assets: { asset: PatientAsset; hasPreview: boolean }[], report: PatientReport, endsAt: Date): Promise<string> {
  const rows: SafeHtml[] = [];
  for await (const row of report.rows()) rows.push(reportRow(row));
  const c = report.counts;
  return shell(
    'Your images',
    html`<p class="lede">These are the clinical photos and medical images the hospital shared about you through Loupe, at full quality. This session ends at ${endsAt.toISOString().slice(11, 16)} UTC, or after 15 minutes without use.</p>
<section aria-labelledby="imgs"><h2 id="imgs">Images (${assets.length})</h2>
${assets.length ? html`<ul class="images">${assets.map((a) => assetItem(a.asset, a.hasPreview))}</ul>` : html`<p>There are no images of you in Loupe.</p>`}</section>
<section class="panel tight" aria-labelledby="who"><h2 id="who">Who viewed your images</h2>
<p role="status">From ${report.since.toISOString().slice(0, 10)} to ${report.until.toISOString().slice(0, 10)}: <strong>${c.total}</strong> access${c.total === 1 ? '' : 'es'} (${c.allowed} allowed, ${c.refused} refused), your own included. Times are UTC.</p>
<div class="table-scroll">${REPORT_TABLE_HEAD}${rows}${REPORT_TABLE_FOOT}</div></section>`,
    true,
  );
}
