// The README's screens come from the end-to-end tests, so they show what the
// tests just drove: with LOUPE_SCREENS_DIR set (`npm run screens`), `screen`
// saves the page as it stands at desktop and tablet width; otherwise it does
// nothing, and the tests run as always.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export const SCREEN_WIDTHS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'tablet', width: 820, height: 1180 },
] as const;

/**
 * Saves `name-desktop.jpg` and `name-tablet.jpg` of the page, then gives it back its own size.
 * `whole`: the whole page, not the window (a demo chat scrolled to its newest message would hide the header).
 */
export async function screen(page: Page, name: string, whole = false): Promise<void> {
  const dir = process.env.LOUPE_SCREENS_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  const before = page.viewportSize();
  for (const s of SCREEN_WIDTHS) {
    await page.setViewportSize({ width: s.width, height: s.height });
    // A resize re-lays the page out (the viewer redraws its canvas on the next frame).
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    await page.screenshot({ path: join(dir, `${name}-${s.name}.jpg`), type: 'jpeg', quality: 70, fullPage: whole });
  }
  if (before) await page.setViewportSize(before);
}
