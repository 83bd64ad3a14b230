// What both demo pages say first: the story in three steps, the demo people
// to sign in as (from the identity provider's own list, so the page cannot
// drift from what the sign-in accepts), the sample files, and the drop zone.
// Server-rendered once with the escaping `html` template; the script that
// wires the drop zone and the sample buttons is shared by both pages.
import { html, type SafeHtml } from '../web/html.js';
import { DEFAULT_ONE_TIME_CODE, DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PRIVACY_OFFICERS, type DemoPerson } from './identity-provider/index.js';

export interface GuideWords {
  /** Where a file is dropped: "a consult channel" (Slack), "a channel or chat" (Teams). */
  place: string;
  /** What happens to the original there. */
  removal: string;
}

/** What the name alone does not say: a privacy officer (the console), someone with no chat account. */
function roleOf(p: DemoPerson): string {
  const notes = [p.groups?.includes(DEMO_PRIVACY_OFFICERS) ? 'privacy officer' : '', p.objectId ? '' : 'no chat account'].filter(Boolean);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

function peopleTable(people: readonly DemoPerson[], password: string, oneTimeCode: string): SafeHtml {
  return html`<table class="people">
<caption>Demo people: every password is <code>${password}</code></caption>
<thead><tr><th scope="col">Name</th><th scope="col">Sign-in email</th><th scope="col">Second factor</th></tr></thead>
<tbody>${people.map(
    (p) =>
      html`<tr${p.hasSecondFactor ? html` class="second-factor"` : ''}><td>${p.name}${roleOf(p)}</td><td><code>${p.email}</code></td><td>${p.hasSecondFactor ? html`Yes: one-time code <code>${oneTimeCode}</code>` : 'No'}</td></tr>`,
  )}</tbody>
</table>`;
}

export function guideHtml(words: GuideWords): SafeHtml {
  return html`<section class="guide" aria-labelledby="guide-title">
<h2 id="guide-title">Try it in three steps</h2>
<ol class="steps">
<li><strong>Drop a file as a clinician.</strong> Pick who you are and ${words.place}, then drop a photo, a DICOM file or a zipped study onto this page, choose one, or press a sample button below.</li>
<li><strong>Loupe takes it out and posts a card.</strong> ${words.removal} A card appears in its thread, with no pixels of the patient.</li>
<li><strong>Open the card's View and sign in as the person named.</strong> Use their sign-in email below and the password; if they have a second factor, enter its code.</li>
</ol>
${peopleTable(DEMO_PEOPLE, DEMO_PASSWORD, DEFAULT_ONE_TIME_CODE)}
</section>`;
}

/** The sample buttons and the drop zone, under the page's who-and-where controls (they act as the person chosen, where chosen). */
export function samplesHtml(drop: string): SafeHtml {
  return html`<section class="samples" aria-label="Sample files">
<span>No medical files at hand? Every sample is invented (patient DEMO^PATIENT).</span>
<button type="button" class="secondary" data-sample="photo">Try a wound photo</button>
<button type="button" class="secondary" data-sample="ct">Try a CT</button>
<button type="button" class="secondary" data-sample="multiframe">Try a multi-frame image</button>
<button type="button" class="secondary" data-sample="study">Try a whole study (zip)</button>
</section>
<div id="drop" class="drop">Drop files anywhere on this page: ${drop}</div>`;
}

/**
 * Browser code for both pages: `setUpDrop(send)` calls send with every file
 * dropped on the page at once; `postFiles(path, where, files)` posts them in
 * one message, as the person chosen, where `where` says (upload-files.ts reads
 * it); `setUpSamples(path, where)` posts the sample button's kind to path,
 * then redraws the page (its `refresh`).
 */
export const GUIDE_JS = `
function setUpDrop(send) {
  let depth = 0;
  const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  document.addEventListener('dragenter', (e) => { if (!hasFiles(e)) return; depth += 1; document.body.classList.add('dragging'); });
  document.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) document.body.classList.remove('dragging'); });
  document.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    document.body.classList.remove('dragging');
    const files = [...e.dataTransfer.files];
    if (files.length) send(files);
  });
}

// Names and sizes, and the message's words, in headers (kept out of the URL), the bytes in order.
async function postFiles(path, where, files) {
  const q = new URLSearchParams({ user: $('user').value, ...where });
  const listed = encodeURIComponent(JSON.stringify(files.map((f) => ({ name: f.name, size: f.size }))));
  $('status').textContent = files.length === 1 ? 'Uploading…' : 'Uploading ' + files.length + ' files in one message…';
  const r = await fetch(path + '?' + q, { method: 'POST', headers: { 'x-demo-files': listed, 'x-demo-text': encodeURIComponent($('text').value) }, body: new Blob(files) });
  $('status').textContent = r.ok ? 'Sent. Watch Loupe take it out of the chat and post its card.' : 'The upload was refused.';
  $('file').value = '';
  $('text').value = '';
  refresh();
}

async function sendChosen() {
  const files = [...$('file').files];
  if (files.length) await sendFiles(files);
  else $('status').textContent = 'Choose a file first.';
}

function setUpSamples(path, where) {
  for (const b of document.querySelectorAll('[data-sample]')) {
    b.addEventListener('click', async () => {
      $('status').textContent = b.textContent + ': making the sample…';
      const r = await api(path, { user: $('user').value, kind: b.dataset.sample, text: $('text').value, ...where() });
      $('status').textContent = r.error ? 'The sample was refused: ' + r.error + '.' : 'Sent a sample. Watch Loupe take it out and post its card.';
      $('text').value = '';
      refresh();
    });
  }
}
`;
