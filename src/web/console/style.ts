// The console's stylesheet, served from /admin/console.css (the Content
// Security Policy allows no inline style): the design system every page
// shares (design/design-css.ts), then the console's tables, forms and badges.
import { DESIGN_CSS } from '../design/design-css.js';

export const CONSOLE_CSS = `${DESIGN_CSS}
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f6; font-weight: 600; font-size: .9rem; }
td.num { font-variant-numeric: tabular-nums; }
.badge { display: inline-block; font-size: .78rem; padding: .05rem .45rem; border-radius: 999px; border: 1px solid var(--line); color: var(--muted); background: #f0f2f6; white-space: nowrap; }
.badge.channel { color: #0b4f8a; background: #e5f0fb; border-color: #b8d3ef; }
.badge.workspace { color: #4a3a8a; background: #efebfa; border-color: #d2c8f0; }
.badge.ok { color: var(--ok); background: var(--ok-bg); border-color: #b7dcc3; }
.badge.warn { color: var(--warn); background: var(--warn-bg); border-color: #f1d39c; }
.badge.bad { color: var(--bad); background: var(--bad-bg); border-color: #f3b6b6; }
.banner { padding: .7rem 1rem; border-radius: 6px; margin-bottom: 1rem; border: 1px solid; }
.banner.ok { background: var(--ok-bg); border-color: #b7dcc3; color: var(--ok); }
.banner.bad { background: var(--bad-bg); border-color: #f3b6b6; color: var(--bad); }
.banner.warn { background: var(--warn-bg); border-color: #f1d39c; color: var(--warn); }
form.stack { display: grid; gap: .9rem; max-width: 44rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: 1rem; }
label .hint, .hint { font-weight: 400; color: var(--muted); font-size: .85rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; background: var(--card); }
legend { font-weight: 600; padding: 0 .3rem; }
.choice { display: flex; gap: 1rem; flex-wrap: wrap; font-weight: 400; }
.choice label { display: flex; gap: .35rem; align-items: center; font-weight: 400; }
.pager { display: flex; gap: 1rem; justify-content: space-between; margin-top: .8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
/* Policies (/admin/policies, its edit form) and legal holds (/admin/holds). */
/* Positioned, so a visually hidden caption inside stays inside the scroll box rather than widening the page. */
.table-scroll { overflow-x: auto; position: relative; }
table.policies th[scope=row] a.edit { font-weight: 400; font-size: .85rem; }
/* The channel column stays put while the rest scrolls sideways, so every value keeps its row's name. */
table.policies { border-collapse: separate; border-spacing: 0; }
table.policies th[scope=row], table.policies thead th:first-child { position: sticky; left: 0; z-index: 1; box-shadow: inset -1px 0 0 var(--line); }
table.policies td, table.policies th[scope=row] { font-size: .88rem; }
table.policies td small, table td small { color: var(--muted); }
table.policies .badge { margin-top: .2rem; }
table.policies tr.default-row { background: #f8f6fd; }
/* Teams channel ids are long (19:…@thread.tacv2): they wrap anywhere rather than push Edit out of view. */
table.policies th[scope=row] code { overflow-wrap: anywhere; display: inline-block; max-width: 9rem; }
p.legend .badge { margin: 0 .15rem; }
.crumbs { color: var(--muted); font-size: .9rem; }
form.policy-form { max-width: 52rem; }
form.policy-form > fieldset { display: grid; gap: .6rem; }
form.policy-form .now { margin: 0; }
form.policy-form .hint { margin: 0; }
.choice.from { padding: .4rem 0; border-bottom: 1px dashed var(--line); }
.setting { display: grid; gap: .6rem; padding-left: 1.4rem; }
.inline { display: flex; gap: .75rem; flex-wrap: wrap; align-items: end; }
.inline input[type=number] { min-width: 6rem; width: 8rem; }
fieldset.sub { border: 0; padding: 0; margin: 0; }
fieldset.sub legend { padding: 0; font-size: .92rem; }
fieldset.invalid { border-color: var(--bad); box-shadow: 0 0 0 1px var(--bad); }
label.check { display: flex; gap: .5rem; align-items: center; font-weight: 600; }
.problem { color: var(--bad); font-weight: 600; margin: 0; }
.banner ul { margin: .4rem 0 0; padding-left: 1.2rem; }
td.reason { max-width: 22rem; white-space: pre-wrap; overflow-wrap: anywhere; }
form.lift { display: flex; gap: .5rem; align-items: end; margin: 0; }
form.lift input[type=text] { min-width: 10rem; }
details.lifted summary { cursor: pointer; font-weight: 600; }
details.lifted table { margin-top: .75rem; }
section.tight > h2:first-child { margin-top: 0; }
form.policy-form input, form.policy-form select, form.hold-form input, form.hold-form select, form.hold-form textarea, form.lift input { font-weight: 400; }
form.policy-form .setting input[type=number] { width: 8rem; min-width: 6rem; }
form.policy-form .setting select, form.policy-form .setting input[type=text] { max-width: 32rem; }
/* Without script: the value controls fade while the part follows the default. */
form.policy-form fieldset:has(.from input[value=inherit]:checked) .setting { opacity: .6; }
form.filters.open-channel { margin: 1rem 0 0; }
form.lift button { white-space: nowrap; }
form.hold-form fieldset { display: grid; gap: .6rem; }
/* Assets, patient search, audit trail and alerts pages */
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
table.assets td, table.trail td, table.disclosures td { font-size: .9rem; }
table.disclosures td.refused { font-weight: 600; }
table.assets th, table.assets td { padding: .4rem .4rem; }
table.assets .badge { white-space: normal; }
tr.tombstone td { color: var(--muted); background: #f7f8fa; }
ul.links { list-style: none; margin: 0; padding: 0; display: grid; gap: .2rem; font-size: .88rem; }
p.empty { color: var(--muted); padding: .5rem 0; }
.pager a { font-weight: 600; }
form.inline { display: inline; margin: 0; }
.panel.data > h2:first-child { margin-top: 0; }
.nowrap { white-space: nowrap; }
section.chain { display: flex; gap: 1rem; align-items: flex-start; margin-bottom: 1rem; }
section.chain .banner { flex: 1; margin: 0; }
code.details { font-size: .8rem; overflow-wrap: anywhere; color: var(--muted); }
table.trail td:last-child { min-width: 14rem; }
p.exports { margin: 0 0 1rem; }
input.uuid { min-width: 22rem; font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85rem; }
`;
