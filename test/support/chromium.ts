// Debian's Chromium for the end-to-end tests, started as the project's
// machines allow: headless, no sandbox (root), no background networking (the
// closed network refuses it), nothing downloaded.
import { chromium, type Browser } from 'playwright-core';

/**
 * How long a page's waits last: a frame decoded in a second alone has taken
 * over 30 s (Playwright's default) on a 2-core machine busy with the rest of
 * the suite. Tests that wait on pages give themselves more than this.
 */
export const PAGE_WAIT_MS = 90_000;

export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(PAGE_WAIT_MS);
    return context;
  };
  return browser;
}

/** Runs in the page: the sum of the red channel the viewer's canvas shows (0 when blank). */
export const CANVAS_SUM = `(() => {
  const c = document.getElementById('image');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += d[i];
  return sum;
})()`;
