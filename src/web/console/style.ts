// The console's stylesheet, served from /admin/console.css (the Content
// Security Policy allows no inline style).
export const CONSOLE_CSS = `
:root { --ink: #1d2430; --muted: #5b6575; --line: #d9dee7; --bg: #f5f7fa; --card: #fff; --accent: #0b5cad; --accent-ink: #fff; --warn: #8a4b00; --warn-bg: #fff4e0; --bad: #a4161a; --bad-bg: #fde8e8; --ok: #1b6e3a; --ok-bg: #e6f4ea; }
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #14263d; color: #fff; }
header.top .brand { color: #fff; text-decoration: none; font-weight: 700; font-size: 1.1rem; letter-spacing: .02em; }
header.top .brand small { font-weight: 400; opacity: .75; margin-left: .4rem; }
header.top nav { display: flex; gap: .25rem; flex: 1; flex-wrap: wrap; }
header.top nav a { color: #dfe8f5; text-decoration: none; padding: .35rem .7rem; border-radius: 4px; }
header.top nav a[aria-current="page"] { background: #2c4a70; color: #fff; }
header.top nav a:hover { background: #223c5c; }
header.top .who { font-size: .9rem; opacity: .9; display: flex; gap: .75rem; align-items: center; }
header.top .who form { margin: 0; }
header.top .who button { background: transparent; color: #fff; border: 1px solid #6f86a6; }
main { max-width: 76rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .6rem; }
.lede { color: var(--muted); margin-top: -.5rem; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f6; font-weight: 600; font-size: .9rem; }
td.num { font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .88em; }
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
label { display: grid; gap: .25rem; font-weight: 600; font-size: .92rem; }
label .hint, .hint { font-weight: 400; color: var(--muted); font-size: .85rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; background: var(--card); }
legend { font-weight: 600; padding: 0 .3rem; }
input[type=text], input[type=search], input[type=number], input[type=datetime-local], input[type=date], select, textarea { font: inherit; padding: .4rem .5rem; border: 1px solid #aeb7c4; border-radius: 4px; background: #fff; color: var(--ink); min-width: 12rem; }
textarea { min-height: 4rem; }
.choice { display: flex; gap: 1rem; flex-wrap: wrap; font-weight: 400; }
.choice label { display: flex; gap: .35rem; align-items: center; font-weight: 400; }
button, .button { font: inherit; padding: .45rem 1rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
.actions { display: flex; gap: .6rem; flex-wrap: wrap; align-items: center; }
.pager { display: flex; gap: 1rem; justify-content: space-between; margin-top: .8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.notice { max-width: 36rem; margin: 4rem auto; }
footer { max-width: 76rem; margin: 2rem auto; padding: 0 1.5rem; color: var(--muted); font-size: .85rem; }
/* Policies (/admin/policies, its edit form) and legal holds (/admin/holds). */
.table-scroll { overflow-x: auto; }
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
.table-scroll { overflow-x: auto; }
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
