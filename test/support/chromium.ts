// Debian's Chromium for the end-to-end tests, started as the project's
// machines allow: headless, no sandbox (root), no background networking (the
// closed network refuses it), nothing downloaded.
import { chromium, type Browser } from 'playwright-core';

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

/** Runs in the page: the sum of the red channel the viewer's canvas shows (0 when blank). */
export const CANVAS_SUM = `(() => {
  const c = document.getElementById('image');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += d[i];
  return sum;
})()`;
