// The shell of every page outside the console and the image itself: the
// header with the product name and, when someone is signed in, who and a
// sign-out button; then the page's own content. Values are escaped (html).
import { html, type SafeHtml } from '../html.js';

export interface SitePageOptions {
  title: string;
  body: SafeHtml;
  /** The signed-in person's name: shown with a sign-out button. */
  who?: string | undefined;
  /** The class of <main>: `notice` pages, the `landing` page. */
  mainClass?: string;
  /** Seconds after which the browser loads the page again (an image still being prepared). */
  refreshSeconds?: number | undefined;
}

export function sitePage(o: SitePageOptions): string {
  const refresh = o.refreshSeconds ? html`<meta http-equiv="refresh" content="${Math.floor(o.refreshSeconds)}">` : '';
  const who = o.who
    ? html`<div class="who"><span>Signed in as <strong>${o.who}</strong></span><form method="post" action="/auth/logout"><button type="submit">Sign out</button></form></div>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="same-origin">${refresh}
<title>${o.title} · Loupe</title><link rel="stylesheet" href="/site.css"></head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="top"><a class="brand" href="/">Loupe</a>${who}</header>
<main id="content" class="${o.mainClass ?? ''}" tabindex="-1">
${o.body}
</main>
</body>
</html>
`.value;
}
