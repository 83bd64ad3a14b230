// The demo's chat pages in a fresh browser tab, as a chosen person in a
// chosen channel (Slack) or channel or chat (Teams), as a visitor would open them.
import type { Browser, Page } from 'playwright-core';

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
