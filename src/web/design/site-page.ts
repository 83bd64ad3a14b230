// The shell of every page outside the console and the image itself: the
// header with the product name and, when someone is signed in, who and a
// sign-out button; then the page's own content. Values are escaped (html).
// The demo's pages wear it too, with their own stylesheet (the design's
// tokens and header, and their chat's look) and script.
import { html, type SafeHtml } from '../html.js';

export interface SitePageOptions {
  title: string;
  body: SafeHtml;
  /** The signed-in person's name: shown with a sign-out button. */
  who?: string | undefined;
  /** Someone the hospital's sign-in named who has no Loupe session: shown with a way to sign in as someone else. */
  atProvider?: ProviderSignIn | undefined;
  /** The class of <main>: `notice` pages, the `landing` page. */
  mainClass?: string;
  /** Seconds after which the browser loads the page again (an image still being prepared). */
  refreshSeconds?: number | undefined;
  /** Beside the product name, what this is (the demo). */
  brandNote?: string;
  /** Links in the header, the page's own marked current. */
  nav?: { label: string; links: { href: string; text: string; current: boolean }[] };
  /** Default /site.css; a page with its own rules serves DESIGN_CSS with them. */
  stylesheet?: string;
  /** A deferred script of the page's own (never inline: the CSP allows none). */
  script?: string;
}

/** The header's right-hand side: who is signed in (escaped) and a sign-out button; the viewer's header wears it too. */
export function signedInAs(who: string): SafeHtml {
  return html`<div class="who"><span>Signed in as <strong>${who}</strong></span><form method="post" action="/auth/logout"><button type="submit">Sign out</button></form></div>`;
}

/** Who the hospital's sign-in named, and where a fresh sign-in there (as someone else) starts. */
export interface ProviderSignIn {
  name: string;
  signInAgain: string;
}

function atProvider(p: ProviderSignIn): SafeHtml {
  return html`<div class="who"><span>Signed in at the hospital as <strong>${p.name}</strong></span><a class="button" href="${p.signInAgain}">Sign in as someone else</a></div>`;
}

export function sitePage(o: SitePageOptions): string {
  const refresh = o.refreshSeconds ? html`<meta http-equiv="refresh" content="${Math.floor(o.refreshSeconds)}">` : '';
  const who = o.who ? signedInAs(o.who) : o.atProvider ? atProvider(o.atProvider) : '';
  const note = o.brandNote ? html`<small>${o.brandNote}</small>` : '';
  const nav = o.nav
    ? html`<nav aria-label="${o.nav.label}">${o.nav.links.map((l) => html`<a href="${l.href}"${l.current ? html` aria-current="page"` : ''}>${l.text}</a>`)}</nav>`
    : '';
  const script = o.script ? html`<script src="${o.script}" defer></script>` : '';
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="same-origin">${refresh}
<title>${o.title} · Loupe</title><link rel="stylesheet" href="${o.stylesheet ?? '/site.css'}">${script}</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="top"><a class="brand" href="/">Loupe${note}</a>${nav}${who}</header>
<main id="content" class="${o.mainClass ?? ''}" tabindex="-1">
${o.body}
</main>
</body>
</html>
`.value;
}
