// The plain pages the viewer shows instead of an image: expired (410),
// revoked or not allowed (403), no matching chat account, multi-factor
// needed, break-glass. A sentence saying why and what to do; never a stack
// trace, never patient data. Styles come from the viewer's stylesheet.

import { escapeHtml as escape } from '../html.js';

export interface Notice {
  title: string;
  message: string;
  link?: { href: string; label: string };
  /** A break-glass form posting to `action`. */
  breakGlass?: { action: string };
  /** Seconds after which the browser asks again (an image still being prepared). */
  refreshSeconds?: number;
}

export function noticeHtml(n: Notice): string {
  const link = n.link ? `<p><a href="${escape(n.link.href)}">${escape(n.link.label)}</a></p>` : '';
  const form = n.breakGlass
    ? `<form method="post" action="${escape(n.breakGlass.action)}">
  <p>In an emergency you may open it without being invited. State why; this is recorded, time-limited and announced to the workspace's admins.</p>
  <label>Reason <textarea name="reason" minlength="10" maxlength="500" required></textarea></label>
  <button type="submit">Break glass</button>
</form>`
    : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="referrer" content="same-origin">${n.refreshSeconds ? `<meta http-equiv="refresh" content="${Math.floor(n.refreshSeconds)}">` : ''}<title>${escape(n.title)} · Loupe</title><link rel="stylesheet" href="/viewer/viewer.css"></head>
<body class="notice"><main><h1>${escape(n.title)}</h1><p>${escape(n.message)}</p>${link}${form}</main></body>
</html>
`;
}
