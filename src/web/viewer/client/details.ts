// The Study details panel: opened on demand, closed by the same button. It
// names the patient and shows the clinical question that came with the
// image, so it is emptied when the page blanks.
import type { DetailsResponse } from '../api-types.js';
import type { ViewerApi } from './api.js';

export async function toggleDetails(panel: HTMLElement, api: ViewerApi): Promise<void> {
  if (!panel.hidden) {
    panel.hidden = true;
    return;
  }
  const asked = api.asset;
  const { fields, question } = await api.json<DetailsResponse>('/details');
  // Another image was chosen while the answer was on its way: these details are not its.
  if (api.asset !== asked) return;
  const parts: HTMLElement[] = [];
  if (question !== undefined) {
    // The clinician's own words first: what the sender asks of whoever reads the image.
    const section = document.createElement('section');
    section.className = 'question';
    const heading = document.createElement('h2');
    heading.textContent = 'Clinical question';
    const text = document.createElement('p');
    text.textContent = question;
    section.append(heading, text);
    parts.push(section);
  }
  const list = document.createElement('dl');
  for (const [label, value] of fields) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }
  // The page may have blanked while the answer was on its way.
  if (api.ended()) return;
  panel.replaceChildren(...parts, list);
  panel.hidden = false;
}

export function clearDetails(panel: HTMLElement): void {
  panel.replaceChildren();
  panel.hidden = true;
}
