// /admin: who you are to Loupe, the workspaces you may work in, and where to go.
import type { Router } from 'express';
import { html } from '../html.js';
import { consoleRequest } from './context.js';
import type { ConsoleDeps } from './deps.js';
import { consolePage } from './layout.js';
import { PLATFORM } from './view.js';

export function overviewRoutes(router: Router, _d: ConsoleDeps): void {
  router.get('/admin', (_req, res) => {
    const c = consoleRequest(res);
    const rows = c.workspaces
      .filter((w) => c.access.privacyOfficer || c.access.adminOf.includes(w.id) || c.access.channelAdminOf.has(w.id))
      .map((w) => {
        const channels = c.access.channelAdminOf.get(w.id)?.length ?? 0;
        const owner = channels === 1 ? 'Team owner (1 channel)' : `Team owner (${channels} channels)`;
        const roles = [c.access.adminOf.includes(w.id) ? 'Workspace admin' : channels ? owner : '', c.access.privacyOfficer ? 'Privacy officer' : ''].filter(Boolean).join(', ');
        return html`<tr><td>${w.name}</td><td>${PLATFORM[w.platform]}</td><td>${roles}</td></tr>`;
      });
    const body = html`
<section class="panel" aria-labelledby="ws">
  <h2 id="ws">Workspaces</h2>
  ${rows.length ? html`<table><thead><tr><th scope="col">Workspace</th><th scope="col">Platform</th><th scope="col">Your role</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>No workspace is connected to Loupe yet.</p>`}
</section>`;
    res.type('html').send(consolePage(c, { title: 'Overview', section: 'overview', body, lede: 'Channel policies, retention and legal holds, the images Loupe holds, and the audit trail.' }));
  });
}
