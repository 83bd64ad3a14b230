// Browser helpers both demo pages share (Slack's and Teams'), put at the top
// of each page's script: element lookup and creation, the demo API, a select
// kept on its choice, and a channel's messages drawn as threads.
export const PAGE_HELPERS = `const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };

async function api(path, body) {
  const r = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return r.json();
}

function fillSelect(select, items, label) {
  const keep = select.value;
  select.replaceChildren(...items.map((i) => { const o = el('option', '', label(i)); o.value = i.id; return o; }));
  if (items.some((i) => i.id === keep)) select.value = keep;
}

// Each thread's first message, its replies indented under it.
function renderThreads(list, messages, idOf, rootOf, renderMessage) {
  list.replaceChildren();
  for (const m of messages.filter((x) => !rootOf(x) || rootOf(x) === idOf(x))) {
    const box = renderMessage(m);
    const replies = messages.filter((x) => rootOf(x) === idOf(m) && idOf(x) !== idOf(m));
    if (replies.length) { const r = el('div', 'replies'); replies.forEach((x) => r.append(renderMessage(x))); box.append(r); }
    list.append(box);
  }
}
`;
