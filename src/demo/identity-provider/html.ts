// Every page the provider shows: plain HTML with one hashed stylesheet and no
// script at all, so it works as plain form posts and under a strict policy.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { escapeHtml } from '../../web/html.js';

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f3f4f6;color:#1f2933}
main{max-width:24rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.45rem;font:inherit}button{margin-top:1rem;padding:.5rem 1rem;font:inherit;cursor:pointer}
.primary{background:#0b5cad;color:#fff;border:0;border-radius:4px}.secondary{background:none;border:1px solid #9aa5b1;border-radius:4px}
.error{color:#b01e1e;font-weight:600}.note{color:#52606d;font-size:.9rem}.demo{color:#8a1c1c;font-size:.85rem}`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

// form-action is left open: a sign-in's redirect chain ends at the client's own origin.
const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; frame-ancestors 'none'`;


/** Sends a whole page; `body` must already be escaped HTML. */
export function sendPage(ctx: Context, status: number, title: string, body: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set({
    'Content-Security-Policy': CSP,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  });
  ctx.body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
<p class="demo">Demo hospital sign-in: invented people only.</p>
</main>
</body>
</html>
`;
}
