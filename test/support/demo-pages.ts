// The demo's chat pages in a fresh browser tab, as a chosen person in a
// chosen channel (Slack) or channel or chat (Teams), as a visitor would open
// them; and any page at the widths it must fit.
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

async function pageAs(browser: Browser, url: string, choices: [string, string][]): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  for (const [select, value] of choices) await page.selectOption(select, value);
  return page;
}

export const slackPageAs = (browser: Browser, port: number, user: string, channel: string): Promise<Page> =>
  pageAs(browser, `http://127.0.0.1:${port}/demo`, [['#user', user], ['#channel', channel]]);

export const teamsPageAs = (browser: Browser, port: number, user: string, place: string): Promise<Page> =>
  pageAs(browser, `http://127.0.0.1:${port}/demo/teams`, [['#user', user], ['#place', place]]);

/** Desktop, tablet and phone: where the site's and the demo's pages must fit. */
export const PAGE_WIDTHS = [1280, 820, 390] as const;

/** Runs `check` in a fresh tab at each width; the page must log no error on the way. */
export async function atEveryWidth(browser: Browser, check: (page: Page, width: number) => Promise<void>): Promise<void> {
  for (const width of PAGE_WIDTHS) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await check(page, width);
    expect(errors).toEqual([]);
    await page.close();
  }
}
