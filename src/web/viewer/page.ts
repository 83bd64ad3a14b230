// The viewer page: static HTML, CSS and script under a strict Content
// Security Policy (no inline script or style, no third-party origin). The
// script (TypeScript in ./client, compiled by `npm run build` into
// dist/browser) asks the session-bound API for the image and draws it on a
// canvas: DICOM greyscale at its original bit depth with window/level in the
// page, photos at full resolution; zoom and pan (mouse and touch); invert,
// rotate, flip, fit and 1:1; length, angle and pixel probe; corner text (frame, window, zoom); a help panel
// of every shortcut; frames (fetched ahead and kept while the image is open)
// and cine at a chosen rate; a study's series as a strip of thumbnails, each
// scrolled as a stack with the wheel and keys, keeping its window; a watermark
// with the viewer's name and the time. The header is the design system's
// (product name, who is signed in, sign-out) holding the viewer's controls;
// the image area stays dark (images are read on dark). The image is blanked, with the reason
// in plain words, when the session locks or ends or the image is revoked or
// its link expires. There is no download control and the canvas has no
// context menu.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestHandler } from 'express';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { DESIGN_CSS } from '../design/design-css.js';
import { signedInAs } from '../design/site-page.js';
import { escapeHtml as escape } from '../html.js';

/** `who`: the viewer session's display name, named in the header (escaped; never patient data). */
export function viewerHtml(token: string, who: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>Loupe viewer</title>
<link rel="stylesheet" href="/viewer/viewer.css">
<script type="module" src="/viewer/client/main.js"></script>
</head>
<body class="viewer" data-token="${escape(token)}">
<header class="top">
  <a class="brand" href="/">Loupe</a>
  <span id="what"></span>
  <span id="lossy" hidden>LOSSY</span>
  <label id="series-label" hidden>Series <select id="series"></select></label>
  <label id="preset-label" hidden>Window <select id="preset"></select></label>
  <span id="wl"></span>
  <span id="frame-controls" hidden><button id="prev" type="button">◀</button> <span id="frame"></span> <button id="next" type="button">▶</button> <button id="cine" type="button" aria-pressed="false">Cine</button> <select id="rate" aria-label="Cine rate, frames per second" title="Cine rate"></select> <span id="frames-loaded" hidden></span></span>
  <span id="tools" role="toolbar" aria-label="Display tools">
    <button type="button" data-tool="invert" title="Invert (I)" aria-keyshortcuts="I">Invert</button>
    <button type="button" data-tool="rotate" title="Rotate 90° clockwise (R)" aria-keyshortcuts="R">Rotate</button>
    <button type="button" data-tool="flip-h" title="Flip horizontally (H)" aria-keyshortcuts="H">Flip H</button>
    <button type="button" data-tool="flip-v" title="Flip vertically (V)" aria-keyshortcuts="V">Flip V</button>
    <button type="button" data-tool="fit" title="Fit to window (F)" aria-keyshortcuts="F">Fit</button>
    <button type="button" data-tool="one-to-one" title="One image pixel per screen pixel (1)" aria-keyshortcuts="1">1:1</button>
    <button id="reset" type="button" data-tool="reset" title="Reset (0 or Esc)" aria-keyshortcuts="0 Escape">Reset</button>
  </span>
  <span id="measure-tools" role="toolbar" aria-label="Measuring tools">
    <button type="button" data-tool="length" data-measure="length" aria-pressed="false" title="Length: drag on the image (L)" aria-keyshortcuts="L">Length</button>
    <button type="button" data-tool="angle" data-measure="angle" aria-pressed="false" title="Angle: three clicks or two drags (A)" aria-keyshortcuts="A">Angle</button>
    <button type="button" data-tool="probe" data-measure="probe" aria-pressed="false" title="Pixel probe (P)" aria-keyshortcuts="P">Probe</button>
    <button type="button" data-tool="region" data-measure="region" aria-pressed="false" title="Region statistics: drag an ellipse (E)" aria-keyshortcuts="E">Region</button>
  </span>
  <button id="help-button" type="button" aria-controls="help" aria-expanded="false" aria-keyshortcuts="Shift+?" title="Keyboard shortcuts and gestures (?)">?</button>
  <button id="details-button" type="button">Study details</button>
  ${signedInAs(who).value}
</header>
<nav id="strip" aria-label="Series of the study" hidden></nav>
<div id="stage">
  <canvas id="image" aria-label="clinical image"></canvas>
  <div id="overlay" role="group" aria-label="Image information"><div class="top-left"></div><div class="top-right"></div><div class="bottom-right"></div><div class="edge-left"></div><div class="edge-right"></div><div class="edge-top"></div><div class="edge-bottom"></div><svg id="measure" aria-label="Measurement"></svg></div>
  <div id="watermark" aria-hidden="true"></div>
  <div id="locked" hidden><p id="locked-reason"></p><a id="relogin" href="#">Sign in again</a></div>
</div>
<aside id="details" hidden></aside>
<aside id="help" role="dialog" aria-labelledby="help-title" tabindex="-1" hidden>
  <h2 id="help-title">Keyboard shortcuts and gestures</h2>
  <dl></dl>
  <p>Esc or ? closes this panel.</p>
</aside>
<p id="status" role="status"></p>
</body>
</html>
`;
}

export const VIEWER_CSS = `${DESIGN_CSS}
/* A page of its own around one image (a teaching copy): the design's page, the image on dark and never wider than the window. */
main.teaching { max-width: 72rem; }
main.teaching img { display: block; max-width: 100%; height: auto; margin-top: 1rem; background: #111; }
/* The viewer: the design's header, compact, holding the controls over a dark image area. */
html { height: 100%; }
/* Rows: the header (one or two lines, as the width allows), the series strip, the image with its side panels over it, the status line. */
body.viewer { height: 100%; background: #111; color: #eee; display: grid; grid-template-columns: minmax(0, 1fr); grid-template-rows: auto auto minmax(0, 1fr) auto; }
body.viewer header.top { grid-row: 1; gap: .75rem; padding: .4rem .75rem; }
body.viewer #strip { grid-row: 2; }
body.viewer #stage, body.viewer #details, body.viewer #help { grid-row: 3; grid-column: 1; }
body.viewer #status { grid-row: 4; margin: .25rem .75rem; min-height: 1.45em; }
body.viewer header.top label { display: inline-flex; align-items: center; gap: .35rem; font-weight: 400; font-size: inherit; }
body.viewer header.top button { padding: .15rem .55rem; background: transparent; color: #fff; border: 1px solid #8da3c0; }
body.viewer header.top select { min-width: 0; padding: .1rem .3rem; }
body.viewer header.top button[aria-pressed="true"] { background: #ffd54a; color: #111; border-color: #ffd54a; }
#lossy { background: #b3261e; color: #fff; padding: 0 .4rem; border-radius: 3px; font-weight: 700; }
#stage { position: relative; min-height: 0; overflow: hidden; user-select: none; }
#image { position: absolute; inset: 0; width: 100%; height: 100%; cursor: crosshair; touch-action: none; }
#tools, #measure-tools { display: inline-flex; gap: .25rem; }
#measure { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; overflow: visible; }
#measure.active { pointer-events: auto; cursor: crosshair; touch-action: none; }
#measure polyline { fill: none; stroke: #ffd54a; stroke-width: 2; }
#measure text { fill: #ffd54a; font: 600 .95rem system-ui, sans-serif; paint-order: stroke; stroke: #000; stroke-width: 3px; }
#overlay { position: absolute; inset: 0; pointer-events: none; font: .85rem/1.35 ui-monospace, monospace; color: #e8e8e8; text-shadow: 0 0 3px #000, 0 0 1px #000; }
#overlay div { position: absolute; white-space: pre-line; padding: .5rem .6rem; }
#overlay .top-left { top: 0; left: 0; }
#overlay .top-right { top: 0; right: 0; text-align: right; }
#overlay .bottom-right { bottom: 0; right: 0; text-align: right; }
#overlay .edge-left { left: 0; top: 50%; transform: translateY(-50%); }
#overlay .edge-right { right: 0; top: 50%; transform: translateY(-50%); }
#overlay .edge-top { top: 0; left: 50%; transform: translateX(-50%); }
#overlay .edge-bottom { bottom: 0; left: 50%; transform: translateX(-50%); }
#overlay [class^="edge-"] { font-weight: 700; font-size: 1rem; color: #ffd54a; }
#help { position: relative; z-index: 1; justify-self: end; align-self: start; width: 32rem; max-width: 100%; max-height: 100%; overflow: auto; background: #1b1b1b; padding: .75rem 1rem; border-left: 1px solid #333; box-sizing: border-box; }
#help h2 { font-size: 1rem; margin: 0 0 .6rem; }
#help dl { display: grid; grid-template-columns: minmax(5rem, 11rem) 1fr; gap: .3rem .8rem; margin: 0 0 .6rem; }
#help dt { font-family: ui-monospace, monospace; color: #ddd; }
#help dd { margin: 0; color: #bbb; }
#help p { margin: 0; color: #999; font-size: .85rem; }
#watermark { position: absolute; inset: 0; pointer-events: none; user-select: none; display: flex; flex-wrap: wrap; align-content: space-around; justify-content: space-around; gap: 1rem 2.5rem; color: rgba(255,255,255,.22); font-size: 1.1rem; transform: rotate(-20deg); }
/* The name over the time, each outlined in faint black so it reads on a light image as on a dark one. */
#watermark .stamp { display: flex; flex-direction: column; align-items: center; line-height: 1.25; text-shadow: 0 0 2px rgba(0,0,0,.35), 1px 1px 0 rgba(0,0,0,.2), -1px -1px 0 rgba(0,0,0,.2); }
#watermark .when { font-size: .85em; }
#locked { position: absolute; inset: 0; background: #000; display: flex; flex-direction: column; align-items: center; justify-content: center; }
#locked[hidden], #relogin[hidden], #details[hidden], #help[hidden], #lossy[hidden], #series-label[hidden], #preset-label[hidden], #frame-controls[hidden], #frames-loaded[hidden] { display: none; }
#frames-loaded { color: #aaa; font-size: .85rem; }
/* A study's series: a strip of thumbnails above the image, which gives it the room the strip takes. */
#strip { display: flex; gap: .5rem; padding: .4rem .75rem; background: #181818; overflow-x: auto; height: 6.5rem; box-sizing: border-box; }
#strip[hidden] { display: none; }
#strip button { display: flex; flex-direction: column; align-items: center; gap: .15rem; flex: none; max-width: 14rem; padding: .2rem .35rem; background: #222; color: #ddd; border: 2px solid #333; border-radius: 4px; font-size: .75rem; cursor: pointer; }
#strip button[aria-pressed="true"] { background: #222; color: #fff; border-color: #ffd54a; }
#strip canvas { width: 64px; height: 64px; background: #000; }
#strip span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 100%; }
#details { position: relative; z-index: 1; justify-self: end; align-self: start; width: 22rem; max-width: 100%; max-height: 80%; overflow: auto; background: #1b1b1b; padding: .75rem; border-left: 1px solid #333; }
#details dt { color: #aaa; font-size: .85rem; }
#details dd { margin: 0 0 .4rem 0; }
#details .question { margin: 0 0 .75rem; padding: 0 0 .6rem; border-bottom: 1px solid #333; }
#details .question h2 { font-size: .85rem; font-weight: 600; color: #aaa; margin: 0 0 .3rem; }
#details .question p { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
body.viewer a { color: #8ab4f8; }
`;

/** The compiled browser code, found upward from this module (dist/, dist-bench/src/ or src/ alike: tests run from source). */
function clientDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++, dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'browser', 'web', 'viewer', 'client');
    if (existsSync(join(candidate, 'main.js'))) return candidate;
  }
  return undefined;
}

/**
 * Serves the page's script modules by file name (GET /viewer/client/:file),
 * read once when the router is built. Not built: every request for them
 * fails with a logged error saying so (the server still starts, and stops cleanly).
 */
export function viewerScripts(dir = clientDir()): RequestHandler<{ file: string }> {
  if (!dir || !existsSync(dir)) {
    const missing = new LoupeError(ErrorCode.FileNotFound, 'the viewer page script is not built: run npm run build');
    return (_req, _res, next) => next(missing);
  }
  const files = new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.js'))
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')] as const),
  );
  return (req, res) => {
    const script = files.get(req.params.file);
    if (script === undefined) return void res.status(404).end();
    res.type('js').send(script);
  };
}
