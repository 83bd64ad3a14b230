// The viewer page: static HTML, CSS and script under a strict Content
// Security Policy (no inline script or style, no third-party origin). The
// script asks the session-bound API for the image and draws it on a canvas:
// DICOM greyscale at its original bit depth with window/level in the page,
// photos at full resolution; zoom and pan; frames and cine; a watermark with
// the viewer's name and the time. The image is blanked, with the reason in
// plain words, when the session locks or ends or the image is revoked or its
// link expires: a status poll every 5 seconds (not counted as use) and an idle
// timer that fires when the server's does; the user's own activity in the
// page (drag, wheel, keys, choices) is reported, throttled, as use.
// There is no download control and the canvas has no context menu.

import { escapeHtml as escape } from '../html.js';

export function viewerHtml(token: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>Loupe viewer</title>
<link rel="stylesheet" href="/viewer/viewer.css">
<script src="/viewer/viewer.js" defer></script>
</head>
<body data-token="${escape(token)}">
<header>
  <strong>Loupe</strong>
  <span id="what"></span>
  <span id="lossy" hidden>LOSSY</span>
  <label id="series-label" hidden>Series <select id="series"></select></label>
  <label id="preset-label" hidden>Window <select id="preset"></select></label>
  <span id="wl"></span>
  <span id="frame-controls" hidden><button id="prev" type="button">◀</button> <span id="frame"></span> <button id="next" type="button">▶</button> <button id="cine" type="button">Cine</button></span>
  <button id="reset" type="button">Reset</button>
  <button id="details-button" type="button">Study details</button>
  <form method="post" action="/auth/logout"><button type="submit">Sign out</button></form>
</header>
<div id="stage">
  <canvas id="image" aria-label="clinical image"></canvas>
  <div id="watermark" aria-hidden="true"></div>
  <div id="locked" hidden><p id="locked-reason"></p><a id="relogin" href="#">Sign in again</a></div>
</div>
<aside id="details" hidden></aside>
<p id="status" role="status"></p>
</body>
</html>
`;
}

export const VIEWER_CSS = `
html, body { margin: 0; height: 100%; background: #111; color: #eee; font-family: system-ui, sans-serif; }
header { display: flex; gap: .75rem; align-items: center; padding: .4rem .75rem; background: #222; flex-wrap: wrap; }
header form { margin: 0; }
button, select { font: inherit; }
#lossy { background: #b3261e; color: #fff; padding: 0 .4rem; border-radius: 3px; font-weight: 700; }
#stage { position: relative; height: calc(100% - 5rem); overflow: hidden; user-select: none; }
#image { position: absolute; inset: 0; width: 100%; height: 100%; cursor: crosshair; }
#watermark { position: absolute; inset: 0; pointer-events: none; display: flex; flex-wrap: wrap; align-content: space-around; justify-content: space-around; color: rgba(255,255,255,.18); font-size: 1.1rem; transform: rotate(-20deg); }
#locked { position: absolute; inset: 0; background: #000; display: flex; flex-direction: column; align-items: center; justify-content: center; }
#locked[hidden], #relogin[hidden], #details[hidden], #lossy[hidden], #series-label[hidden], #preset-label[hidden], #frame-controls[hidden] { display: none; }
#details { position: absolute; right: 0; top: 2.6rem; width: 22rem; max-height: 80%; overflow: auto; background: #1b1b1b; padding: .75rem; border-left: 1px solid #333; }
#details dt { color: #aaa; font-size: .85rem; }
#details dd { margin: 0 0 .4rem 0; }
a { color: #8ab4f8; }
`;

export const VIEWER_JS = `'use strict';
const $ = (id) => document.getElementById(id);
const token = document.body.dataset.token;
const v = { meta: null, values: null, bitmap: null, frame: 0, center: 0, width: 1, zoom: 1, panX: 0, panY: 0, timer: null, poll: null, locked: false, viewer: '', asset: '' };
const api = (path) => '/viewer/api/' + encodeURIComponent(token) + path + (v.asset ? '?asset=' + encodeURIComponent(v.asset) : '');
const off = document.createElement('canvas');
const POLL_MS = 5000;
// Why the image went, and whether signing in again brings it back.
const ENDINGS = {
  locked: ['The viewer locked after a while without use.', true],
  ended: ['Your session ended.', true],
  revoked: ['This image was revoked by its sender or an administrator.', false],
  expired: ['This link expired.', false],
  denied: ['Your access to this image ended.', false],
};
const ENDED = 'ended';
const idle = { timer: null, trailing: null, last: 0, every: 0 };

async function get(path, as) {
  if (v.locked) throw new Error(ENDED);
  const r = await fetch(api(path), { credentials: 'same-origin', cache: 'no-store' });
  // Refused: the status says why (and blanks the image) instead of an error.
  if ([401, 403, 410].includes(r.status) && (await check()) !== 'ok') throw new Error(ENDED);
  if (!r.ok) throw new Error('HTTP ' + r.status);
  return as === 'json' ? r.json() : r;
}

// The server's word on this page; null when it cannot be reached.
async function status() {
  try {
    const r = await fetch(api('/status'), { credentials: 'same-origin', cache: 'no-store' });
    return r.ok ? await r.json() : null;
  } catch { return null; }
}

async function check() {
  if (v.locked) return ENDED;
  const s = await status();
  if (s) follow(s);
  return s ? s.state : 'unknown';
}

// Blanks on an end; otherwise sets the idle timer to fire when the server's session would lock.
function follow(s) {
  if (s.state !== 'ok') return lock(s.state);
  idle.every = Math.max(1000, Math.min(30000, (s.idleSeconds * 1000) / 3));
  clearTimeout(idle.timer);
  idle.timer = setTimeout(atIdleDeadline, s.idleMs + 50);
}

// Use elsewhere (another tab) may have kept the session alive: ask; if the server cannot say, blank.
async function atIdleDeadline() {
  if ((await check()) === 'unknown') lock('locked');
}

// The user's own activity: reported at most every third of the idle timeout, the last of a burst always.
function activity() {
  if (v.locked || !v.meta) return;
  const since = Date.now() - idle.last;
  if (since >= idle.every) {
    idle.last = Date.now();
    fetch('/viewer/api/session/activity', { method: 'POST', credentials: 'same-origin', cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null)).then((s) => { if (s && !v.locked) follow(s); })
      .catch(() => {});
  } else if (!idle.trailing) {
    idle.trailing = setTimeout(() => { idle.trailing = null; activity(); }, idle.every - since);
  }
}

function lock(reason) {
  if (v.locked) return;
  v.locked = true;
  v.values = null; v.bitmap = null;
  const c = $('image'); c.getContext('2d').clearRect(0, 0, c.width, c.height);
  off.width = off.height = 0;
  // The study details name the patient: they go with the image.
  $('details').replaceChildren(); $('details').hidden = true;
  const [text, signIn] = ENDINGS[reason] || ENDINGS.denied;
  $('locked-reason').textContent = text;
  $('relogin').hidden = !signIn;
  $('relogin').href = '/auth/login?return=' + encodeURIComponent(location.pathname);
  $('locked').hidden = false;
  if (v.timer) { clearInterval(v.timer); v.timer = null; }
  clearInterval(v.poll); clearTimeout(idle.timer); clearTimeout(idle.trailing);
}

// Event handlers' failures: an end is already shown; anything else is said in the status line.
function safely(fn) {
  return (...args) => Promise.resolve().then(() => fn(...args)).catch((e) => {
    if (e.message !== ENDED) $('status').textContent = 'The image could not be loaded.';
  });
}

function watermark() {
  const text = v.viewer + ' · ' + new Date().toLocaleString();
  const box = $('watermark');
  box.replaceChildren();
  for (let i = 0; i < 24; i++) { const s = document.createElement('span'); s.textContent = text; box.append(s); }
}

function windowed(x) {
  const c = v.center, w = v.width;
  if (v.meta.voiFunction === 'SIGMOID') return 255 / (1 + Math.exp(-4 * (x - c) / w));
  if (v.meta.voiFunction === 'LINEAR_EXACT') return ((x - c) / w + 0.5) * 255;
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 255;
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
}

function renderGrey() {
  if (!v.values) return;
  const m = v.meta, n = m.rows * m.columns;
  off.width = m.columns; off.height = m.rows;
  const ctx = off.getContext('2d');
  const img = ctx.createImageData(m.columns, m.rows);
  const slope = m.encoding === 'float32' ? 1 : m.slope, intercept = m.encoding === 'float32' ? 0 : m.intercept;
  for (let i = 0; i < n; i++) {
    let y = Math.round(windowed(v.values[i] * slope + intercept));
    y = y < 0 ? 0 : y > 255 ? 255 : y;
    if (m.invert) y = 255 - y;
    img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = y;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  $('wl').textContent = 'C ' + Math.round(v.center) + ' W ' + Math.round(v.width);
}

function draw() {
  if (v.locked) return;
  const c = $('image');
  c.width = c.clientWidth; c.height = c.clientHeight;
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#000'; ctx.fillRect(0, 0, c.width, c.height);
  const src = v.bitmap || off;
  if (!src.width) return;
  const fit = Math.min(c.width / src.width, c.height / src.height) * v.zoom;
  ctx.imageSmoothingEnabled = fit < 1;
  ctx.setTransform(fit, 0, 0, fit, c.width / 2 + v.panX - (src.width * fit) / 2, c.height / 2 + v.panY - (src.height * fit) / 2);
  ctx.drawImage(src, 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = 'rgba(255,255,255,.35)'; ctx.font = '14px system-ui';
  ctx.fillText(v.viewer + ' · ' + new Date().toLocaleString(), 10, c.height - 10);
}

async function loadFrame(index) {
  v.frame = index;
  const r = await get('/frames/' + index);
  const type = r.headers.get('content-type') || '';
  if (type.startsWith('image/')) {
    v.bitmap = await createImageBitmap(await r.blob());
    v.values = null;
  } else {
    const buf = await r.arrayBuffer();
    if (v.locked) throw new Error(ENDED);
    const enc = r.headers.get('x-loupe-encoding');
    v.values = enc === 'float32' ? new Float32Array(buf) : enc === 'int16' ? new Int16Array(buf) : new Uint16Array(buf);
    v.bitmap = null;
    renderGrey();
  }
  $('frame').textContent = (index + 1) + ' / ' + v.meta.frames;
  draw();
}

function setPreset(p) { v.center = p.center; v.width = Math.max(1, p.width); renderGrey(); draw(); }

function dataRange() {
  let lo = Infinity, hi = -Infinity;
  const slope = v.meta.encoding === 'float32' ? 1 : v.meta.slope, intercept = v.meta.encoding === 'float32' ? 0 : v.meta.intercept;
  for (let i = 0; i < v.values.length; i++) { const x = v.values[i] * slope + intercept; if (x < lo) lo = x; if (x > hi) hi = x; }
  return { name: 'Full range', center: (lo + hi) / 2, width: Math.max(1, hi - lo) };
}

async function start() {
  v.poll = setInterval(check, POLL_MS);
  await open();
  watermark();
  setInterval(watermark, 30000);
  await check();
  const series = await get('/series', 'json');
  if (series.items.length > 1) {
    series.items.forEach((s) => { const o = document.createElement('option'); o.value = s.assetId; o.textContent = s.label; $('series').append(o); });
    $('series').value = series.current;
    $('series-label').hidden = false;
    $('series').addEventListener('change', safely(() => { v.asset = $('series').value; return open(); }));
  }
}

// Opens the current asset (the link's own, or one chosen under Series).
async function open() {
  if (v.timer) { clearInterval(v.timer); v.timer = null; }
  v.values = null; v.bitmap = null; v.frame = 0; v.zoom = 1; v.panX = v.panY = 0;
  $('preset').replaceChildren();
  $('preset-label').hidden = true;
  $('frame-controls').hidden = true;
  const info = await get('/info', 'json');
  v.meta = info; v.viewer = info.viewer;
  $('what').textContent = info.title;
  $('lossy').hidden = !info.lossy;
  if (info.kind === 'photo') {
    const r = await get('/photo');
    v.bitmap = await createImageBitmap(await r.blob());
    draw();
  } else {
    if (info.frames > 1) $('frame-controls').hidden = false;
    await loadFrame(0);
    if (v.values) {
      const presets = (info.presets || []).concat([dataRange()]);
      $('preset-label').hidden = false;
      presets.forEach((p, i) => { const o = document.createElement('option'); o.value = String(i); o.textContent = p.name + ' (' + Math.round(p.center) + '/' + Math.round(p.width) + ')'; $('preset').append(o); });
      $('preset').onchange = () => setPreset(presets[Number($('preset').value)]);
      setPreset(presets[0]);
    }
  }
}

let drag = null;
function pointer() {
  const c = $('image');
  c.addEventListener('contextmenu', (e) => e.preventDefault());
  c.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY, button: e.button, shift: e.shiftKey }; c.setPointerCapture(e.pointerId); });
  c.addEventListener('pointerup', () => { drag = null; });
  c.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    drag.x = e.clientX; drag.y = e.clientY;
    // Left drag adjusts window/level (greyscale); right drag or shift pans.
    if (v.values && drag.button === 0 && !drag.shift) { v.width = Math.max(1, v.width + dx * Math.max(1, v.width / 200)); v.center += dy * Math.max(1, v.width / 400); renderGrey(); }
    else { v.panX += dx; v.panY += dy; }
    draw();
  });
  c.addEventListener('wheel', (e) => { e.preventDefault(); v.zoom = Math.min(20, Math.max(0.2, v.zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15))); draw(); }, { passive: false });
}

document.addEventListener('DOMContentLoaded', () => {
  pointer();
  for (const type of ['pointerdown', 'wheel', 'keydown', 'change']) document.addEventListener(type, activity, { capture: true, passive: true });
  document.addEventListener('pointermove', (e) => { if (e.buttons) activity(); }, { capture: true, passive: true });
  const step = safely((by) => loadFrame((v.frame + by + v.meta.frames) % v.meta.frames));
  window.addEventListener('resize', draw);
  $('reset').addEventListener('click', () => { v.zoom = 1; v.panX = v.panY = 0; draw(); });
  $('prev').addEventListener('click', () => step(-1));
  $('next').addEventListener('click', () => step(1));
  $('cine').addEventListener('click', () => {
    if (v.timer) { clearInterval(v.timer); v.timer = null; return; }
    v.timer = setInterval(() => step(1), 100);
  });
  document.addEventListener('keydown', (e) => {
    if (!v.meta || v.meta.frames < 2 || v.locked) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') step(1);
    if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') step(-1);
  });
  $('details-button').addEventListener('click', safely(async () => {
    const panel = $('details');
    if (!panel.hidden) { panel.hidden = true; return; }
    const d = await get('/details', 'json');
    const list = document.createElement('dl');
    for (const [k, val] of d.fields) { const dt = document.createElement('dt'); dt.textContent = k; const dd = document.createElement('dd'); dd.textContent = val; list.append(dt, dd); }
    if (v.locked) return;
    panel.replaceChildren(list);
    panel.hidden = false;
  }));
  safely(start)();
});
`;
