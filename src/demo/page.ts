// The /demo page: a tiny Slack-like client for the local stand-in. Static
// HTML, CSS and script (no inline script, so the page runs under a strict
// Content Security Policy); every text is set with textContent, never HTML.

import { DEMO_BASE_CSS } from './demo-css.js';
import { demoPage } from './demo-shell.js';
import { GUIDE_JS, guideHtml, samplesHtml } from './guide.js';
import { CHAT_FORMAT_JS } from './chat-format.js';
import { PAGE_HELPERS } from './page-helpers.js';
import { html } from '../web/html.js';

export const DEMO_HTML = demoPage(
  'slack',
  html`${guideHtml({ place: 'a consult channel', removal: 'The original disappears from the channel.' })}
<section class="controls" aria-label="Who, where and what">
  <label>You are <select id="user"></select></label>
  <label>in <select id="channel"></select></label>
  <label>Message <input id="text" type="text" maxlength="200" placeholder="optional text with the file"></label>
  <label>Files <input id="file" type="file" multiple></label>
  <button id="send" type="button">Drop into channel</button>
  <label>Command <input id="command" type="text" value="status" maxlength="200"></label>
  <button id="run" type="button" class="secondary">/loupe</button>
</section>
${samplesHtml('several dropped together go in one message, as Slack posts them.')}
<p id="status" role="status"></p>
<section id="messages" class="chat" aria-label="The channel"></section>
<dialog id="modal"><form id="modal-form" method="dialog"><h2 id="modal-title"></h2><div id="modal-body"></div><p id="modal-error"></p><menu><button value="cancel" type="button" id="modal-cancel" class="secondary">Cancel</button><button id="modal-submit" type="submit">Submit</button></menu></form></dialog>`,
);

// Slack's look where the page imitates it: its green primary and red danger buttons, the pale "only visible to you", its modal.
export const DEMO_CSS = `${DEMO_BASE_CSS}
.message.ephemeral { background: #f4f7fb; margin: 0 -1rem; padding: .6rem 1rem; }
.chat .actions .primary { background: #007a5a; color: #fff; border-color: #007a5a; }
.chat .actions .danger { color: #a4161a; border-color: #a4161a; }
dialog { max-width: min(36rem, calc(100vw - 2rem)); border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem; }
dialog::backdrop { background: rgb(20 38 61 / 45%); }
dialog label { margin: .6rem 0; }
dialog input, dialog select, dialog textarea { width: 100%; min-width: 0; }
dialog fieldset { border: 1px solid var(--line); border-radius: 4px; margin: .6rem 0; }
dialog fieldset label.choice { display: flex; gap: .4rem; align-items: center; margin: .2rem 0; font-weight: 400; }
dialog fieldset input { width: auto; }
dialog .header { margin: 1rem 0 .25rem; font-size: 1rem; }
dialog .section { display: flex; gap: .5rem; align-items: center; justify-content: space-between; margin: .25rem 0; flex-wrap: wrap; }
dialog .section select { width: auto; }
dialog menu { display: flex; gap: .5rem; justify-content: flex-end; padding: 0; margin: 1rem 0 0; }
#modal-error { color: var(--bad); }
`;

export const DEMO_JS = `'use strict';
${PAGE_HELPERS}
${CHAT_FORMAT_JS}
${GUIDE_JS}
let state = { users: [], channels: [], messages: [] };
let openView = null;

const nameOf = (id) => (state.bot && id === state.bot.id ? state.bot.name : (state.users.find((u) => u.id === id) || { name: id }).name);

// Slack mrkdwn as Slack shows it (chat-format.ts): mentions by name, dates in the reader's zone.
const mrkdwn = (text) => slackParts(String(text), { mention: nameOf, date: (s) => new Date(s * 1000).toLocaleString() });
// A context block's elements, side by side.
const contextParts = (b) => (b.elements || []).flatMap((x, i) => [...(i ? [{ kind: 'text', text: ' ' }] : []), ...mrkdwn(x.text || '')]);

function renderBlocks(m, box) {
  for (const b of m.blocks) {
    if (b.type === 'section' && b.text) box.append(formatted('div', 'block', mrkdwn(b.text.text)));
    else if (b.type === 'context') box.append(formatted('div', 'block context', contextParts(b)));
    else if (b.type === 'image' && b.slack_file) { const img = el('img', 'preview', ''); img.alt = b.alt_text || ''; img.src = '/demo/api/file/' + encodeURIComponent(b.slack_file.id); box.append(img); }
    else if (b.type === 'actions') {
      const row = el('div', 'actions');
      for (const a of b.elements || []) {
        if (a.url) { const link = el('a', a.style || '', a.text.text); link.href = a.url; link.target = '_blank'; link.rel = 'noopener'; row.append(link); continue; }
        const button = el('button', a.style || '', a.text.text);
        button.type = 'button';
        // A button's confirm dialog, as Slack asks it before sending the click.
        button.addEventListener('click', () => { if (!a.confirm || window.confirm(a.confirm.title.text + '\\n\\n' + a.confirm.text.text)) click(m, a); });
        row.append(button);
      }
      box.append(row);
    }
  }
}

function renderMessage(m) {
  const box = el('div', 'message' + (m.ephemeral ? ' ephemeral' : ''));
  const head = el('div');
  head.append(el('span', 'who', nameOf(m.user)), el('span', 'meta', (m.ephemeral ? 'only visible to you · ' : '') + new Date(Number(m.ts) * 1000).toLocaleTimeString()));
  box.append(head);
  if (m.deleted) { box.append(el('div', 'removed', 'This message was deleted.')); return box; }
  if (m.blocks.length) renderBlocks(m, box); else if (m.text) box.append(formatted('div', 'block', mrkdwn(m.text)));
  for (const f of m.files) box.append(el('div', f.deleted ? 'removed' : 'block', f.deleted ? 'File removed from the channel.' : 'File attached (' + f.id + ')'));
  return box;
}

function render() {
  const channel = $('channel').value;
  renderThreads($('messages'), state.messages.filter((m) => m.channel === channel), (m) => m.ts, (m) => m.threadTs, renderMessage);
}

async function refresh() {
  state = await api('/demo/api/state?user=' + encodeURIComponent($('user').value || ''));
  fillSelect($('user'), state.users, (u) => u.name + (u.admin ? ' (admin)' : '') + (u.external ? ' (external)' : ''));
  fillSelect($('channel'), state.channels, (c) => '#' + c.name);
  if (!openView) render();
}

async function click(m, action) {
  const r = await api('/demo/api/click', { user: $('user').value, channel: m.channel, ts: m.ts, actionId: action.action_id, value: action.value || '' });
  if (r.view) showModal(r.view);
  refresh();
}

// A modal's blocks as Slack draws them; each field keeps its block, action and
// element type in data attributes so submitModal can answer in Slack's shapes.
const optionText = (o) => (o.text ? o.text.text : o.value);

function choiceOptions(element) {
  const select = el('select');
  const none = el('option', '', element.placeholder ? element.placeholder.text : 'Choose…');
  none.value = '';
  select.append(none);
  for (const o of element.options || []) { const x = el('option', '', optionText(o)); x.value = o.value; select.append(x); }
  if (element.initial_option) select.value = element.initial_option.value;
  return select;
}

function choiceGroup(b) {
  const group = el('fieldset');
  group.append(el('legend', '', b.label.text));
  const kind = b.element.type === 'checkboxes' ? 'checkbox' : 'radio';
  for (const o of b.element.options || []) {
    const label = el('label', 'choice');
    const box = el('input');
    box.type = kind;
    box.name = b.block_id;
    box.value = o.value;
    box.dataset.text = optionText(o);
    label.append(box, document.createTextNode(' ' + optionText(o)));
    group.append(label);
  }
  return group;
}

function modalField(b) {
  const e = b.element;
  if (e.type === 'checkboxes' || e.type === 'radio_buttons') return { box: choiceGroup(b), input: null };
  const label = el('label', '', b.label.text);
  let input;
  if (e.type === 'users_select') {
    input = el('select');
    for (const u of state.users) { const o = el('option', '', u.name); o.value = u.id; input.append(o); }
  } else if (e.type === 'static_select') {
    input = choiceOptions(e);
  } else if (e.type === 'datepicker') {
    input = el('input');
    input.type = 'date';
    if (e.initial_date) input.value = e.initial_date;
  } else {
    input = el(e.multiline ? 'textarea' : 'input');
    if (e.initial_value) input.value = e.initial_value;
  }
  label.append(input);
  return { box: label, input };
}

// A section's accessory menu acts at once from the open modal (block_actions from the view).
function sectionMenu(b, accessory) {
  const select = choiceOptions(accessory);
  select.setAttribute('aria-label', accessory.placeholder ? accessory.placeholder.text : 'Choose');
  select.addEventListener('change', async () => {
    const chosen = (accessory.options || []).find((o) => o.value === select.value);
    if (!chosen) return;
    const c = accessory.confirm;
    if (c && !window.confirm(c.title.text + '\\n\\n' + c.text.text)) { select.value = ''; return; }
    const r = await api('/demo/api/view-action', { user: $('user').value, view: openView, blockId: b.block_id || '', action: { type: 'static_select', action_id: accessory.action_id, selected_option: chosen } });
    if (r.view) showModal(r.view);
  });
  return select;
}

function showModal(view) {
  openView = view;
  $('modal-title').textContent = view.title ? view.title.text : '';
  $('modal-submit').textContent = view.submit ? view.submit.text : 'Submit';
  $('modal-submit').hidden = !view.submit && view.callback_id === undefined;
  $('modal-cancel').textContent = view.close ? view.close.text : 'Cancel';
  $('modal-error').textContent = '';
  const body = $('modal-body');
  body.replaceChildren();
  for (const b of view.blocks || []) {
    if (b.type === 'context') { body.append(formatted('p', 'context', contextParts(b))); continue; }
    if (b.type === 'header') { body.append(el('h3', 'header', b.text.text)); continue; }
    if (b.type === 'section') {
      const row = el('div', 'section');
      if (b.text) row.append(b.text.type === 'mrkdwn' ? formatted('span', 'mrkdwn', mrkdwn(b.text.text)) : el('span', '', b.text.text));
      if (b.accessory && b.accessory.type === 'static_select') row.append(sectionMenu(b, b.accessory));
      body.append(row);
      continue;
    }
    if (b.type !== 'input') continue;
    const { box, input } = modalField(b);
    const field = input || box;
    field.dataset.block = b.block_id;
    field.dataset.action = b.element.action_id;
    field.dataset.kind = b.element.type;
    body.append(box);
  }
  if (!$('modal').open) $('modal').showModal();
}

// The value of one field in the shape Slack puts in view.state.values.
function fieldValue(field) {
  const kind = field.dataset.kind;
  const option = (box) => ({ value: box.value, text: { type: 'plain_text', text: box.dataset.text } });
  const picked = [...field.querySelectorAll('input:checked')].map(option);
  if (kind === 'users_select') return { type: kind, selected_user: field.value };
  if (kind === 'checkboxes') return { type: kind, selected_options: picked };
  if (kind === 'radio_buttons') return { type: kind, selected_option: picked[0] || null };
  if (kind === 'datepicker') return { type: kind, selected_date: field.value || null };
  if (kind === 'static_select') {
    const o = field.selectedOptions[0];
    return { type: kind, selected_option: field.value && o ? { value: field.value, text: { type: 'plain_text', text: o.textContent } } : null };
  }
  return { type: 'plain_text_input', value: field.value };
}

async function submitModal(event) {
  event.preventDefault();
  const values = {};
  for (const field of $('modal-body').querySelectorAll('[data-block]')) values[field.dataset.block] = { [field.dataset.action]: fieldValue(field) };
  const r = await api('/demo/api/submit', { user: $('user').value, view: openView, values });
  if (r.response_action === 'errors') { $('modal-error').textContent = Object.values(r.errors).join(' '); return; }
  $('modal').close();
  openView = null;
  refresh();
}

// Every file in one message, as Slack posts several files dropped together.
const sendFiles = (files) => postFiles('/demo/api/upload', { channel: $('channel').value }, files);

document.addEventListener('DOMContentLoaded', () => {
  $('send').addEventListener('click', sendChosen);
  setUpDrop(sendFiles);
  setUpSamples('/demo/api/sample', () => ({ channel: $('channel').value }));
  $('run').addEventListener('click', async () => { await api('/demo/api/command', { user: $('user').value, channel: $('channel').value, text: $('command').value }); setTimeout(refresh, 300); });
  $('user').addEventListener('change', refresh);
  $('channel').addEventListener('change', render);
  $('modal-form').addEventListener('submit', submitModal);
  $('modal-cancel').addEventListener('click', () => { $('modal').close(); openView = null; });
  refresh();
  setInterval(refresh, 1000);
});
`;
