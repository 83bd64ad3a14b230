// What both demo pages' stylesheets start with: Loupe's design (tokens, type,
// focus ring, header, buttons), then the demo's own parts in its tokens: the
// warning, the guide and its people, the controls, the samples and drop zone,
// and the chat's frame and its formatted text. Each page adds only where it imitates its platform
// (page.ts for Slack, teams-page.ts for Teams).
import { DESIGN_CSS } from '../web/design/design-css.js';

export const DEMO_BASE_CSS = `${DESIGN_CSS}
main.demo { max-width: 64rem; }
main.demo h1 { margin-bottom: .75rem; }
.warning { background: var(--warn-bg); color: var(--warn); border: 1px solid #e8c48a; border-radius: 6px; padding: .6rem 1rem; font-weight: 600; margin: 0 0 1rem; }
.guide { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .25rem 1.25rem 1rem; margin-bottom: 1rem; }
.guide h2 { margin: .75rem 0 .5rem; }
.guide .steps { margin: 0 0 .75rem; padding-left: 1.5rem; }
.guide .steps li { margin: .3rem 0; }
.people { border-collapse: collapse; width: 100%; font-size: .9rem; }
.people caption { text-align: left; font-weight: 600; padding: .25rem 0; }
.people th, .people td { text-align: left; padding: .3rem .5rem; border-top: 1px solid var(--line); overflow-wrap: anywhere; }
.people th { color: var(--muted); font-weight: 600; }
.people tr.second-factor td:last-child { font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: end; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; }
.controls label { flex: 1 1 12rem; max-width: 100%; }
.controls input[type=file] { font: inherit; max-width: 100%; }
.controls select, .controls input[type=text] { width: 100%; min-width: 0; }
.samples { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 1rem 0 .5rem; }
.samples > span { flex: 1 1 100%; color: var(--muted); }
.drop { border: 2px dashed #7a8494; border-radius: 6px; padding: .75rem; text-align: center; color: var(--muted); margin: .5rem 0; }
body.dragging .drop { border-color: var(--accent); background: #e8f1fb; color: var(--ink); }
#status { color: var(--muted); min-height: 1.45em; margin: .5rem 0; }
.chat { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 0 1rem; margin-bottom: 2rem; }
.chat:empty { display: none; }
.message { border-top: 1px solid var(--line); padding: .6rem 0; }
.chat > .message:first-child { border-top: 0; }
.message .who { font-weight: 700; margin-right: .5rem; }
.message .meta, .context { color: var(--muted); font-size: .85rem; }
.replies { margin: .5rem 0 0 1.5rem; border-left: 3px solid var(--line); padding-left: .75rem; }
.replies .message { border-top: 0; padding: .4rem 0; }
.preview { display: block; max-width: min(240px, 100%); height: auto; margin: .4rem 0; border-radius: 4px; border: 1px solid var(--line); }
.block { margin: .25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.chat code { background: #f1f3f6; border: 1px solid var(--line); border-radius: 3px; padding: 0 .2em; color: #a4161a; }
.removed { color: var(--bad); font-style: italic; }
.chat .actions { margin-top: .4rem; gap: .5rem; }
.chat .actions a, .chat .actions button { font: inherit; font-size: .9rem; padding: .25rem .75rem; border: 1px solid #7a8494; border-radius: 4px; background: #fff; color: var(--ink); text-decoration: none; cursor: pointer; }
@media (max-width: 40rem) { main { padding: 0 1rem; } header.top { padding: .6rem 1rem; gap: .75rem; } .replies { margin-left: .5rem; } }
`;
