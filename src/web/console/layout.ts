// The console's page shell: a skip link, the navigation the person's roles
// allow, who is signed in with sign-out, and the page's own content. Server
// rendered with `html` (values escaped by default), one stylesheet, no script.
import type { ConsoleAction } from '../../core/console/roles.js';
import { noticeHtml } from '../design/notice.js';
import { html, type SafeHtml } from '../html.js';
import type { ConsoleRequest } from './context.js';
import { CSRF_FIELD } from './csrf.js';

export type ConsoleSection = 'overview' | 'policies' | 'assets' | 'holds' | 'audit' | 'disclosures' | 'consent' | 'patient-access' | 'alerts';

const NAV: { section: ConsoleSection; href: string; label: string; action: ConsoleAction }[] = [
  { section: 'policies', href: '/admin/policies', label: 'Policies', action: 'read_policies' },
  { section: 'assets', href: '/admin/assets', label: 'Assets', action: 'list_assets' },
  { section: 'holds', href: '/admin/holds', label: 'Legal holds', action: 'set_legal_hold' },
  { section: 'audit', href: '/admin/audit', label: 'Audit trail', action: 'read_audit' },
  { section: 'disclosures', href: '/admin/patients/report', label: 'Disclosures', action: 'report_disclosures' },
  { section: 'consent', href: '/admin/patients/consent', label: 'Consent', action: 'record_consent' },
  { section: 'patient-access', href: '/admin/patients/access', label: 'Patient access', action: 'issue_patient_access' },
  { section: 'alerts', href: '/admin/alerts', label: 'Alerts', action: 'read_alerts' },
];

export interface PageOptions {
  title: string;
  section: ConsoleSection;
  body: SafeHtml;
  lede?: string;
}

export function consolePage(c: ConsoleRequest, o: PageOptions): string {
  const nav = NAV.filter((n) => c.access.may(n.action).allow).map(
    (n) => html`<a href="${n.href}"${n.section === o.section ? html` aria-current="page"` : ''}>${n.label}</a>`,
  );
  const roles = [c.access.adminOf.length ? 'Workspace admin' : '', c.access.channelAdminOf.size ? 'Team owner' : '', c.access.privacyOfficer ? 'Privacy officer' : ''].filter(Boolean).join(' · ');
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="same-origin">
<title>${o.title} · Loupe console</title><link rel="stylesheet" href="/admin/console.css"></head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="top">
  <a class="brand" href="/admin" aria-label="Loupe console home"><span>Loupe</span><small>console</small></a>
  <nav aria-label="Console">${nav}</nav>
  <div class="who"><span>${c.user.name}<br><small>${roles}</small></span>
    <form method="post" action="/auth/logout"><input type="hidden" name="${CSRF_FIELD}" value="${c.csrf}"><button type="submit">Sign out</button></form></div>
</header>
<main id="content" tabindex="-1">
<h1>${o.title}</h1>
${o.lede ? html`<p class="lede">${o.lede}</p>` : ''}
${o.body}
</main>
<footer>Loupe keeps clinical images out of chat. Everything done here is recorded in the audit trail.</footer>
</body>
</html>
`.value;
}

/** A page with no console shell: signed out, refused, or something went wrong; the site's notice, naming `who` is signed in when someone is. */
export function consoleNotice(title: string, message: string, link?: { href: string; label: string }, status?: number, who?: string): string {
  return noticeHtml({ title, message, ...(link ? { link } : {}) }, { status, who });
}
