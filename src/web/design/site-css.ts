// The stylesheet of the pages outside the console and the viewer's image
// page: the landing page and every notice (refused, revoked, expired,
// multi-factor needed, break-glass, signed out), served from /site.css.
import { DESIGN_CSS } from './design-css.js';

export const SITE_CSS = `${DESIGN_CSS}
/* A notice: one card saying what happened and what to do. */
main.notice { max-width: 40rem; margin: 3rem auto; }
main.notice .panel { padding: 1.5rem 1.75rem; border-top: 4px solid var(--accent); }
main.notice.refused .panel { border-top-color: var(--bad); }
main.notice.ended .panel { border-top-color: var(--muted); }
main.notice.waiting .panel { border-top-color: var(--warn); }
main.notice h1 { font-size: 1.35rem; }
main.notice p { margin: 0 0 .9rem; }
main.notice form { display: grid; gap: .75rem; margin-top: 1.25rem; padding-top: 1rem; border-top: 1px solid var(--line); }
main.notice form textarea { width: 100%; }
main.notice form button { justify-self: start; }
main.notice .request { color: var(--muted); font-size: .85rem; }
/* The landing page. */
main.landing { max-width: 60rem; }
.hero { padding: 2rem 0 1rem; }
.hero h1 { font-size: 2rem; margin-bottom: .5rem; }
.hero p { font-size: 1.1rem; color: var(--muted); max-width: 44rem; }
ol.steps { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; counter-reset: step; }
ol.steps li { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; counter-increment: step; }
ol.steps li::before { content: counter(step); display: inline-grid; place-items: center; width: 1.8rem; height: 1.8rem; border-radius: 50%; background: var(--accent); color: #fff; font-weight: 700; margin-bottom: .5rem; }
ol.steps h2 { font-size: 1.05rem; margin: 0 0 .3rem; }
ol.steps p { margin: 0; color: var(--muted); }
ul.doors { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 1rem; }
ul.doors li { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; display: grid; gap: .5rem; align-content: start; }
ul.doors h2 { margin: 0; font-size: 1.05rem; }
ul.doors li p { margin: 0; color: var(--muted); font-size: .92rem; }
ul.doors .button { justify-self: start; }
p.monitoring { color: var(--muted); font-size: .9rem; }
@media (max-width: 40rem) { main { padding: 0 1rem; } .hero h1 { font-size: 1.6rem; } header.top { padding: .6rem 1rem; gap: .75rem; } }
`;
