// Loupe's one small design system: colour tokens, type, focus, the header
// (product name, who is signed in, sign-out) and buttons, shared by every page
// Loupe serves as a stylesheet (the Content Security Policy allows no inline
// style). The console adds its tables and forms (console/style.ts); the site's
// own pages (landing, notices) add theirs (site-css.ts). Colours meet WCAG AA
// contrast on their backgrounds; focus is a visible amber ring everywhere.
export const DESIGN_CSS = `
:root { --ink: #1d2430; --muted: #5b6575; --line: #d9dee7; --bg: #f5f7fa; --card: #fff; --accent: #0b5cad; --accent-ink: #fff; --brand-bg: #14263d; --warn: #8a4b00; --warn-bg: #fff4e0; --bad: #a4161a; --bad-bg: #fde8e8; --ok: #1b6e3a; --ok-bg: #e6f4ea; }
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: var(--brand-bg); color: #fff; flex-wrap: wrap; }
header.top .brand { color: #fff; text-decoration: none; font-weight: 700; font-size: 1.1rem; letter-spacing: .02em; }
header.top .brand small { font-weight: 400; opacity: .75; margin-left: .4rem; }
header.top nav { display: flex; gap: .25rem; flex: 1; flex-wrap: wrap; }
header.top nav a { color: #dfe8f5; text-decoration: none; padding: .35rem .7rem; border-radius: 4px; }
header.top nav a[aria-current="page"] { background: #2c4a70; color: #fff; }
header.top nav a:hover { background: #223c5c; }
header.top .who { font-size: .9rem; display: flex; gap: .75rem; align-items: center; margin-left: auto; }
header.top .who form { margin: 0; }
header.top .who button, header.top .who .button { background: transparent; color: #fff; border: 1px solid #8da3c0; }
main { max-width: 76rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .6rem; }
.lede { color: var(--muted); margin-top: -.5rem; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .88em; }
label { display: grid; gap: .25rem; font-weight: 600; font-size: .92rem; }
textarea, input[type=text], input[type=search], input[type=number], input[type=datetime-local], input[type=date], select { font: inherit; padding: .4rem .5rem; border: 1px solid #aeb7c4; border-radius: 4px; background: #fff; color: var(--ink); min-width: 12rem; }
textarea { min-height: 4rem; }
button, .button { font: inherit; padding: .45rem 1rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
.actions { display: flex; gap: .6rem; flex-wrap: wrap; align-items: center; }
footer { max-width: 76rem; margin: 2rem auto; padding: 0 1.5rem; color: var(--muted); font-size: .85rem; }
`;
