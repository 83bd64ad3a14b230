// A whole study in real Chromium: its series as a strip of thumbnails, a
// series scrolled as a stack with the wheel and the keys (each image's own
// instance number and slice location in the corner), the window chosen on a
// series kept when the user comes back to it, and the study's frames and
// thumbnails refused to a stranger and to a series or image it has not.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CANVAS_SUM } from '../support/chromium.js';
import { screen } from '../support/screens.js';
import { shareStudy } from '../support/study-e2e.js';
import { until } from '../support/until.js';
import { openGreyscale, useViewerE2e } from '../support/viewer-e2e.js';

const LI = 'li.wei@hospital.example';

const corner = (page: Page, place: string) => page.textContent(`#overlay .${place}`) as Promise<string>;
const canvasSum = async (page: Page) => (await page.evaluate(CANVAS_SUM)) as number;
/** In the page: the status and instance header of a request to the study's API. */
const ask = (page: Page, token: string, path: string) =>
  page.evaluate(`(async () => { const r = await fetch('/viewer/api/${token}${path}'); return [r.status, r.headers.get('x-loupe-instance-number')]; })()`) as Promise<[number, string | null]>;

describe('a study in the viewer, in Chromium', () => {
  const e2e = useViewerE2e();
  let url: string;
  let token: string;
  let assetId: string;

  beforeAll(async () => {
    ({ url, assetId } = await shareStudy(e2e()));
    token = new URL(url).pathname.split('/view/')[1]!;
  });

  it('shows the series as thumbnails, scrolls a series with the wheel and keys, and keeps each series’ window', async () => {
    const { page, errors } = await openGreyscale(e2e(), url);
    const buttons = page.locator('#strip button');
    await until('two thumbnails', async () => ((await buttons.count()) === 2 ? true : undefined));
    expect(await buttons.allTextContents()).toEqual(['CT · series 1 · 3 images', 'CT · series 2 · 2 images']);
    expect(await buttons.nth(0).getAttribute('aria-pressed')).toBe('true');
    // The first series' thumbnail is drawn; the second has none, only its label.
    const thumbnailSum = (i: number) => page.evaluate(`(() => { const c = document.querySelectorAll('#strip canvas')[${i}]; return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.reduce((a, b) => a + b, 0); })()`);
    await until('the thumbnail drawn', async () => ((await thumbnailSum(0)) as number) > 0 || undefined);
    expect(await thumbnailSum(1)).toBe(0);

    const first = await corner(page, 'top-left');
    expect(first).toContain('Image 1 / 3');
    expect(first).toContain('Series 1 · Instance 11');
    expect(first).toContain('Location -10 mm');
    const firstSum = await canvasSum(page);

    // The wheel down over the image: the next slice, its own pixels and numbers; the zoom is left alone.
    const zoom = (await corner(page, 'bottom-right')).split('\n').find((l) => l.startsWith('Zoom'));
    const box = (await page.locator('#image').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 100);
    await until('image 2', async () => ((await corner(page, 'top-left')).includes('Image 2 / 3') ? true : undefined));
    expect(await corner(page, 'top-left')).toContain('Series 1 · Instance 12');
    expect(await corner(page, 'top-left')).toContain('Location -5 mm');
    await until('image 2 drawn', async () => ((await canvasSum(page)) !== firstSum ? true : undefined));
    expect((await corner(page, 'bottom-right')).split('\n')).toContain(zoom);
    // Ctrl + wheel still zooms, and stays on the slice.
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -100);
    await page.keyboard.up('Control');
    await until('zoomed', async () => (!(await corner(page, 'bottom-right')).includes(zoom!) ? true : undefined));
    expect(await corner(page, 'top-left')).toContain('Image 2 / 3');
    // Page Down on, an arrow back; the stack stops at its end rather than wrapping round.
    await page.keyboard.press('PageDown');
    await until('image 3', async () => ((await corner(page, 'top-left')).startsWith('Image 3 / 3') ? true : undefined));
    await page.keyboard.press('PageDown');
    await page.keyboard.press('ArrowUp');
    await until('image 2 again', async () => ((await corner(page, 'top-left')).startsWith('Image 2 / 3') ? true : undefined));
    expect(await page.textContent('#frame')).toBe('2 / 3');
    await screen(page, 'viewer-study');

    // A window dragged on series 1 ...
    const windowLine = async () => (await corner(page, 'bottom-right')).split('\n').find((l) => l.startsWith('W '));
    const before = await windowLine();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 60, { steps: 4 });
    await page.mouse.up();
    const chosen = await windowLine();
    expect(chosen).not.toBe(before);

    // ... series 2 shows its own image at its own window ...
    const series1Sum = await canvasSum(page);
    await buttons.nth(1).click();
    await until('series 2', async () => ((await corner(page, 'top-left')).startsWith('Image 1 / 2\nSeries 2 · Instance 21') ? true : undefined));
    expect(await buttons.nth(1).getAttribute('aria-pressed')).toBe('true');
    expect(await buttons.nth(0).getAttribute('aria-pressed')).toBe('false');
    await until('series 2 drawn', async () => ((await canvasSum(page)) > 0 && (await canvasSum(page)) !== series1Sum ? true : undefined));
    expect(await windowLine()).not.toBe(chosen);

    // ... and series 1 comes back at the window chosen on it.
    await buttons.nth(0).click();
    await until('series 1 again', async () => ((await corner(page, 'top-left')).startsWith('Image 1 / 3\nSeries 1 · Instance 11') ? true : undefined));
    await until('its window', async () => ((await windowLine()) === chosen ? true : undefined));
    expect(await page.textContent('#wl')).toBe(chosen!.replace(/^W (\d+) L (-?\d+)$/, 'C $2 W $1'));

    // The keys are in the help panel.
    await page.keyboard.press('?');
    expect(await page.locator('#help dt').allTextContents()).toEqual(expect.arrayContaining(['Page Up / Page Down', 'Ctrl or ⌘ + wheel', 'Mouse wheel']));
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('answers each image from its own instance, its read audited (the archive never read), and 404 for a series or image the study has not', async () => {
    const { page } = await openGreyscale(e2e(), url);
    expect(await ask(page, token, '/frames/1?series=0')).toEqual([200, '12']);
    expect(await ask(page, token, '/frames/1?series=1')).toEqual([200, '22']);
    expect(await ask(page, token, '/thumbnails/0')).toEqual([200, null]);
    expect(await ask(page, token, '/details?series=1')).toEqual([200, null]);
    const reads = await e2e().env.loupe.services.storage.db.prisma.auditEvent.findMany({ where: { action: 'blob.read', assetId, actorType: 'user' } });
    const read = reads.map((e) => e.details as { kind: string; part: number });
    for (const [kind, part] of [['instance', 1], ['instance', 3], ['preview', 0]] as const) expect(read).toContainEqual(expect.objectContaining({ kind, part }));
    expect(read.filter((r) => r.kind === 'original')).toEqual([]);
    for (const path of ['/info?series=99', '/frames/0?series=99', '/frames/0?series=1.5', '/frames/0?series=-1', '/series?series=2', '/details?series=99', '/frames/3?series=0', '/frames/2?series=1', '/thumbnails/1', '/thumbnails/99']) {
      expect([path, ...(await ask(page, token, path))]).toEqual([path, 404, null]);
    }
  });

  it('takes the thumbnails away with the image when access ends', async () => {
    const { page, errors } = await openGreyscale(e2e(), url);
    await until('two thumbnails', async () => ((await page.locator('#strip button').count()) === 2 ? true : undefined));
    // Signed out in another tab: the page blanks at its next status poll.
    const other = await page.context().newPage();
    await other.goto(url);
    await Promise.all([other.waitForLoadState('load'), other.click('form[action="/auth/logout"] button')]);
    await page.waitForSelector('#locked:not([hidden])', { timeout: 15_000 });
    expect(await page.isHidden('#strip')).toBe(true);
    expect(await page.locator('#strip canvas').count()).toBe(0);
    expect(await canvasSum(page)).toBe(0);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('refuses the study’s frames and thumbnails to a clinician outside the consult', async () => {
    const { page } = await e2e().watchedPage();
    const denied = page.waitForResponse((r) => r.url() === url && r.status() !== 302);
    await e2e().signIn(page, url, LI);
    expect((await denied).status()).toBe(403);
    for (const path of ['/frames/0?series=0', '/frames/1?series=1', '/thumbnails/0', '/info?series=1', '/series']) {
      expect([path, ...(await ask(page, token, path))]).toEqual([path, 403, null]);
    }
  });
});
