// Both demo pages in Loupe's page shell (design/site-page.ts): the header
// with the product name, "Demo" and the two chats to switch between, then
// the warning that nothing here is real, then the page's own content.
import { html, type SafeHtml } from '../web/html.js';
import { sitePage } from '../web/design/site-page.js';

export type DemoPlatform = 'slack' | 'teams';

const PAGES: Record<DemoPlatform, { href: string; text: string; asset: string }> = {
  slack: { href: '/demo', text: 'Slack', asset: '/demo/demo' },
  teams: { href: '/demo/teams', text: 'Microsoft Teams', asset: '/demo/teams' },
};

export function demoPage(platform: DemoPlatform, body: SafeHtml): string {
  const page = PAGES[platform];
  return sitePage({
    title: `Demo: ${page.text}`,
    brandNote: 'Demo',
    nav: { label: 'Demo chats', links: Object.entries(PAGES).map(([p, l]) => ({ href: l.href, text: l.text, current: p === platform })) },
    stylesheet: `${page.asset}.css`,
    script: `${page.asset}.js`,
    mainClass: `demo ${platform}`,
    body: html`<h1>${page.text} demo</h1>
<p class="warning">A local ${page.text} stand-in with invented people. Never use it with real patient data.</p>
${body}`,
  });
}
