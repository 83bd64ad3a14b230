// The /demo/teams page: a tiny Teams-like client for the local Teams
// stand-in. Static HTML, CSS and script, as the Slack page (no inline script,
// every text set with textContent). Cards are drawn from their Adaptive Card
// JSON; where Teams would ask Loupe for a person's own drawing (refresh), the
// page asks too, so each person sees what Teams would show them.

import { DEMO_BASE_CSS } from './demo-css.js';
import { demoPage } from './demo-shell.js';
import { GUIDE_JS, guideHtml, samplesHtml } from './guide.js';
import { CHAT_FORMAT_JS } from './chat-format.js';
import { PAGE_HELPERS } from './page-helpers.js';
import { html } from '../web/html.js';

export const TEAMS_HTML = demoPage(
  'teams',
  html`${guideHtml({ place: 'a channel, the group chat or your personal chat with Loupe', removal: 'The original is hidden by policy (in a personal chat Loupe asks you to delete it).' })}
<section class="controls" aria-label="Who, where and what">
  <label>You are <select id="user"></select></label>
  <label>in <select id="place"></select></label>
  <label>Message <input id="text" type="text" maxlength="200" placeholder="optional text with the files"></label>
  <label>Files <input id="file" type="file" multiple></label>
  <button id="send" type="button">Post</button>
</section>
${samplesHtml('several dropped together go in one message, as Teams posts them.')}
<p id="status" role="status"></p>
<section id="messages" class="chat" aria-label="The conversation"></section>`,
);

// Teams' look where the page imitates it: Adaptive Cards with the accent bar, and Teams' purple for a positive action.
export const TEAMS_CSS = `${DEMO_BASE_CSS}
.card { border: 1px solid var(--line); border-left: 4px solid #5b5fc7; border-radius: 4px; padding: .5rem .75rem; margin: .35rem 0; background: #fafafa; }
.card .subtle { color: var(--muted); font-size: .85rem; }
.card .attention { color: var(--bad); }
.card label { margin: .35rem 0; }
.card input, .card select, .card textarea { width: 100%; min-width: 0; }
.card fieldset { border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0; }
.card label.choice { display: flex; gap: .4rem; align-items: center; font-weight: 400; }
.card label.choice input { width: auto; }
.card .bolder { font-weight: 700; }
.card .columns { display: flex; flex-wrap: wrap; gap: 1rem; }
.card .facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: .25rem 0; }
.card .facts dd { margin: 0; overflow-wrap: anywhere; }
.chat .actions .positive { background: #5b5fc7; color: #fff; border-color: #5b5fc7; }
.chat .actions .destructive { color: #a4161a; border-color: #a4161a; }
.own { color: var(--muted); font-size: .8rem; }
`;

export const TEAMS_JS = `'use strict';
${PAGE_HELPERS}
${CHAT_FORMAT_JS}
${GUIDE_JS}
let state = { users: [], places: [], messages: [] };
// A person's own drawing of a card (Loupe's answer to refresh or a button), per message and version.
const own = new Map();
const asking = new Set();

const me = () => state.users.find((u) => u.id === $('user').value) || { id: '', chatId: '', name: '' };
const ownKey = (m) => m.id + '|' + (m.modified || '') + '|' + me().id;

// A bot's markdown and Adaptive Card text as Teams shows it (chat-format.ts): DATE() and TIME() in the reader's zone.
const text = (t) => teamsParts(String(t), { date: (d) => new Date(d).toLocaleDateString(), time: (d) => new Date(d).toLocaleTimeString() });
// What a person typed is shown as typed, mentions aside.
const typed = (t) => [{ kind: 'text', text: String(t).replace(/<at>([^<]*)<\\/at>/g, '@$1') }];

async function invoke(m, verb, data, trigger) {
  const r = await api('/demo/api/teams/invoke', { user: me().id, messageId: m.id, verb, data, trigger });
  const answer = r.answer || {};
  if (answer.type === 'application/vnd.microsoft.card.adaptive') own.set(ownKey(m), answer.value);
  else if (answer.value) $('status').textContent = 'Loupe: ' + answer.value;
  return answer;
}

// A ChoiceSet with its own choices: checkboxes (multi-select), radio buttons
// (expanded) or a menu; without choices it is the people picker Teams fills.
function choiceSet(b, label) {
  const multi = Boolean(b.isMultiSelect);
  const picked = String(b.value || '').split(',').filter(Boolean);
  if (!multi && b.style !== 'expanded') {
    const field = el('select');
    const none = el('option', '', b.placeholder || 'Choose…');
    none.value = '';
    field.append(none);
    for (const c of b.choices) { const o = el('option', '', c.title); o.value = c.value; field.append(o); }
    if (picked[0]) field.value = picked[0];
    label.append(field);
    return { box: label, field };
  }
  const group = el('fieldset');
  group.append(el('legend', '', b.label || ''));
  for (const c of b.choices) {
    const option = el('label', 'choice');
    const box = el('input');
    box.type = multi ? 'checkbox' : 'radio';
    box.name = b.id;
    box.value = c.value;
    box.checked = picked.includes(c.value);
    option.append(box, document.createTextNode(' ' + c.title));
    group.append(option);
  }
  return { box: group, field: group };
}

function input(b) {
  const label = el('label', '', b.label || '');
  let field;
  let box = label;
  if (b.type === 'Input.ChoiceSet' && Array.isArray(b.choices)) {
    ({ box, field } = choiceSet(b, label));
  } else if (b.type === 'Input.ChoiceSet') {
    field = el('select');
    // Teams fills this people picker with the conversation's members.
    const place = state.places.find((p) => p.id === $('place').value) || { members: [] };
    for (const u of state.users.filter((x) => x.id !== me().id && place.members.includes(x.id))) { const o = el('option', '', u.name); o.value = u.id; field.append(o); }
    label.append(field);
  } else if (b.type === 'Input.Toggle') {
    box = el('label', 'choice');
    field = el('input');
    field.type = 'checkbox';
    field.dataset.on = b.valueOn === undefined ? 'true' : b.valueOn;
    field.dataset.off = b.valueOff === undefined ? 'false' : b.valueOff;
    field.checked = b.value === field.dataset.on;
    box.append(field, document.createTextNode(' ' + (b.title || b.label || '')));
  } else if (b.type === 'Input.Date') {
    field = el('input');
    field.type = 'date';
    if (b.value) field.value = b.value;
    label.append(field);
  } else {
    field = el(b.isMultiline ? 'textarea' : 'input');
    if (b.value) field.value = b.value;
    label.append(field);
  }
  field.dataset.input = b.id;
  field.dataset.kind = b.type;
  return box;
}

// An input's value as Teams sends it: a multi-select's values comma-separated, a toggle's valueOn or valueOff.
function inputValue(f) {
  if (f.dataset.kind === 'Input.Toggle') return f.checked ? f.dataset.on : f.dataset.off;
  if (f.tagName === 'FIELDSET') return [...f.querySelectorAll('input:checked')].map((x) => x.value).join(',');
  return f.value;
}

function actionRow(m, actions, c) {
  const row = el('div', 'actions');
  for (const a of actions || []) {
    if (a.type === 'Action.OpenUrl') { const link = el('a', a.style || '', a.title); link.href = a.url; link.target = '_blank'; link.rel = 'noopener'; row.append(link); continue; }
    if (a.type !== 'Action.Execute') continue;
    const button = el('button', a.style || '', a.title);
    button.type = 'button';
    button.addEventListener('click', async () => {
      const inputs = a.associatedInputs === 'none' ? {} : Object.fromEntries([...c.querySelectorAll('[data-input]')].map((f) => [f.dataset.input, inputValue(f)]));
      await invoke(m, a.verb, { ...inputs, ...(a.data || {}) }, 'manual');
      refresh();
    });
    row.append(button);
  }
  return row;
}

// A card's body elements, containers drawn with what they hold.
function renderElements(m, items, into, c) {
  for (const b of items || []) {
    if (b.type === 'TextBlock') into.append(formatted('div', 'block' + (b.isSubtle ? ' subtle' : '') + (b.color === 'Attention' ? ' attention' : '') + (b.weight === 'Bolder' ? ' bolder' : ''), text(b.text)));
    else if (b.type === 'Image' && (String(b.url).startsWith('data:image/jpeg;base64,') || String(b.url).startsWith('data:image/png;base64,'))) { const img = el('img', 'preview', ''); img.alt = b.altText || ''; img.src = b.url; into.append(img); }
    else if (String(b.type).startsWith('Input.')) into.append(input(b));
    else if (b.type === 'ActionSet') { const row = actionRow(m, b.actions, c); if (row.childElementCount) into.append(row); }
    else if (b.type === 'Container') { const box = el('div', 'container'); renderElements(m, b.items, box, c); into.append(box); }
    else if (b.type === 'ColumnSet') {
      const row = el('div', 'columns');
      for (const col of b.columns || []) { const box = el('div', 'column'); renderElements(m, col.items, box, c); row.append(box); }
      into.append(row);
    } else if (b.type === 'FactSet') {
      const list = el('dl', 'facts');
      for (const f of b.facts || []) list.append(formatted('dt', '', text(f.title)), formatted('dd', '', text(f.value)));
      into.append(list);
    }
  }
}

function renderCard(m, card, box) {
  const c = el('div', 'card');
  renderElements(m, card.body, c, c);
  const row = actionRow(m, card.actions, c);
  if (row.childElementCount) c.append(row);
  box.append(c);
}

/** The drawing this person sees: their own when Teams would ask Loupe for it, else everyone's. */
function drawingOf(m, card) {
  const key = ownKey(m);
  if (own.has(key)) return { card: own.get(key), mine: true };
  const userIds = (card.refresh && card.refresh.userIds) || [];
  if (userIds.includes(me().chatId) && !asking.has(key)) {
    asking.add(key);
    invoke(m, card.refresh.action.verb, card.refresh.action.data, 'automatic').then(render, () => asking.delete(key));
  }
  return { card, mine: false };
}

function renderMessage(m) {
  const box = el('div', 'message');
  const head = el('div');
  head.append(el('span', 'who', m.from));
  box.append(head);
  if (m.hidden) { box.append(el('div', 'removed', m.mine ? 'This message was blocked: it was taken out of the chat by policy.' : 'This message has been hidden by policy.')); return box; }
  if (m.deleted) { box.append(el('div', 'removed', 'This message has been deleted.')); return box; }
  if (m.text) box.append(formatted('div', 'block', m.byBot ? text(m.text) : typed(m.text)));
  for (const card of m.cards) {
    const d = drawingOf(m, card);
    renderCard(m, d.card, box);
    if (d.mine) box.append(el('div', 'own', 'Your own view of this card'));
  }
  if (!m.byBot && m.files > 1) box.append(el('div', 'block', m.files + ' files attached'));
  else if (!m.byBot && (m.files || (!m.text && !m.cards.length))) box.append(el('div', 'block', 'File attached'));
  if (m.mine) {
    const row = el('div', 'actions');
    const del = el('button', '', 'Delete');
    del.type = 'button';
    del.addEventListener('click', async () => { await api('/demo/api/teams/delete', { user: me().id, messageId: m.id }); refresh(); });
    row.append(del);
    box.append(row);
  }
  return box;
}

let drawn = '';

// Drawn again only when something changed, so a button is not replaced under the pointer.
function render() {
  const place = $('place').value;
  const here = state.messages.filter((m) => m.place === place);
  const now = JSON.stringify([me().id, place, here, [...own]]);
  if (now === drawn) return;
  drawn = now;
  renderThreads($('messages'), here, (m) => m.id, (m) => m.threadRootId, renderMessage);
}

async function refresh() {
  state = await api('/demo/api/teams/state?user=' + encodeURIComponent($('user').value || ''));
  fillSelect($('user'), state.users, (u) => u.name);
  if (!$('user').value && state.users.length) { $('user').value = state.users[0].id; return refresh(); }
  fillSelect($('place'), state.places, (p) => (p.kind === 'channel' ? '# ' : '') + p.name);
  // Typing into a card's form must not be undone by the next poll.
  const typing = document.activeElement && document.activeElement.matches && document.activeElement.matches('.card [data-input], .card [data-input] *');
  if (!typing) render();
}

// Every file in one message, as Teams attaches several files chosen together.
const sendFiles = (files) => postFiles('/demo/api/teams/upload', { place: $('place').value }, files);

document.addEventListener('DOMContentLoaded', () => {
  $('send').addEventListener('click', sendChosen);
  setUpDrop(sendFiles);
  setUpSamples('/demo/api/teams/sample', () => ({ place: $('place').value }));
  $('user').addEventListener('change', () => { $('status').textContent = ''; refresh(); });
  $('place').addEventListener('change', render);
  refresh();
  setInterval(refresh, 1000);
});
`;
