// The viewer's display tools in real Chromium, as a radiologist uses them:
// invert, rotate, flip, fit, 1:1 and reset from the header and the keyboard,
// the help panel, the corner text over the image, and touch.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANVAS_SUM } from '../support/chromium.js';
import { multiFrameCt } from '../support/multi-frame.js';
import { until } from '../support/until.js';
import { AMARA, startViewerE2e, type ViewerE2e } from '../support/viewer-e2e.js';
import { screen } from '../support/screens.js';

const CT = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
/** CT_small.dcm is 128 × 128. */
const SIDE = 128;

type Cell = readonly [number, number];

/** Image pixels spread over the CT, away from its edges (column, row). */
const CELLS: Cell[] = [];
for (let i = 16; i < SIDE - 16; i += 12) for (let j = 8; j < SIDE - 8; j += 20) CELLS.push([i, j]);

/** In the page: the red value the canvas shows at the centre of each image pixel of a fitted square image of `side` pixels (moved `dx` canvas pixels right). */
function shownAt(page: Page, cells: Cell[], side = SIDE, dx = 0): Promise<number[]> {
  return page.evaluate(`(() => {
    const c = document.getElementById('image');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const s = Math.min(c.width, c.height) / ${side};
    const ox = (c.width - ${side} * s) / 2, oy = (c.height - ${side} * s) / 2;
    return ${JSON.stringify(cells)}.map(([i, j]) => data[(Math.floor(oy + (j + 0.5) * s) * c.width + Math.floor(ox + ${dx} + (i + 0.5) * s)) * 4]);
  })()`) as Promise<number[]>;
}

/** The orientation markers at the image's four edges. */
async function edges(page: Page): Promise<Record<'left' | 'right' | 'top' | 'bottom', string>> {
  const at = async (edge: string) => (await page.textContent(`#overlay .edge-${edge}`)) ?? '';
  return { left: await at('left'), right: await at('right'), top: await at('top'), bottom: await at('bottom') };
}

/** In the page: how many canvas pixels of the middle row are not black (the image's width on screen when its edge is not black). */
const SHOWN_WIDTH = `(() => {
  const c = document.getElementById('image');
  const row = c.getContext('2d').getImageData(0, Math.floor(c.height / 2), c.width, 1).data;
  let first = -1, last = -1;
  for (let x = 0; x < c.width; x++) if (row[x * 4] || row[x * 4 + 1] || row[x * 4 + 2]) { if (first < 0) first = x; last = x; }
  return first < 0 ? 0 : last - first + 1;
})()`;

describe('the viewer’s display tools in Chromium', () => {
  let e2e: ViewerE2e;
  let viewUrl: string;

  beforeAll(async () => {
    e2e = await startViewerE2e();
    viewUrl = await e2e.upload('ct.dcm', await readFile(CT));
  });
  afterAll(async () => {
    await e2e?.close();
  });

  async function openCt(options?: Parameters<ViewerE2e['watchedPage']>[0]): Promise<{ page: Page; errors: string[] }> {
    const opened = await e2e.watchedPage(options);
    await e2e.signIn(opened.page, viewUrl, AMARA.email);
    await opened.page.waitForSelector('#preset-label:not([hidden])');
    await until('the image drawn', async () => ((await opened.page.evaluate(CANVAS_SUM)) as number) > 0 || undefined);
    return opened;
  }

  const overlay = (page: Page) => page.textContent('#overlay') as Promise<string>;

  it('inverts, rotates and flips what the canvas shows, and resets it, from the keyboard and the header', async () => {
    const { page, errors } = await openCt();
    const before = await shownAt(page, CELLS);
    // A CT slice with structure: not one grey all over.
    expect(new Set(before).size).toBeGreaterThan(5);

    await page.keyboard.press('i');
    expect(await shownAt(page, CELLS)).toEqual(before.map((v) => 255 - v));
    expect(await overlay(page)).toContain('Inverted');
    await page.click('button[data-tool=invert]');
    expect(await shownAt(page, CELLS)).toEqual(before);

    // A quarter turn clockwise: the image pixel (i, j) is shown where (127 − j, i) was.
    await page.keyboard.press('r');
    const turned = CELLS.map(([i, j]) => [SIDE - 1 - j, i] as const);
    expect(await shownAt(page, turned)).toEqual(before);
    expect(await shownAt(page, CELLS)).not.toEqual(before);
    expect(await overlay(page)).toContain('Rotated 90°');
    // The orientation markers turn with it: the patient's right, at the left edge of an axial slice, is now at the top.
    expect(await edges(page)).toEqual({ left: 'P', right: 'A', top: 'R', bottom: 'L' });

    // Esc resets: upright again, exactly as first drawn.
    await page.keyboard.press('Escape');
    expect(await shownAt(page, CELLS)).toEqual(before);

    await page.click('button[data-tool=flip-h]');
    expect(await shownAt(page, CELLS.map(([i, j]) => [SIDE - 1 - i, j] as const))).toEqual(before);
    await page.click('button[data-tool=flip-h]');
    await page.keyboard.press('v');
    expect(await shownAt(page, CELLS.map(([i, j]) => [i, SIDE - 1 - j] as const))).toEqual(before);
    expect(await overlay(page)).toContain('Flipped V');

    // Reset also brings back the first window after a drag.
    const box = (await page.locator('#image').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 4 });
    await page.mouse.up();
    await page.click('#reset');
    expect(await shownAt(page, CELLS)).toEqual(before);
    expect(await overlay(page)).not.toMatch(/Flipped|Rotated|Inverted/);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('shows one image pixel on one device pixel at 1:1, on a screen of two device pixels per CSS pixel, and fits again', async () => {
    const { page, errors } = await openCt({ deviceScaleFactor: 2 });
    const size = (await page.evaluate(`(() => {
      const c = document.getElementById('image');
      return { width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight };
    })()`)) as { width: number; height: number; cssWidth: number; cssHeight: number };
    expect([size.width, size.height]).toEqual([size.cssWidth * 2, size.cssHeight * 2]);
    // Inverted, the CT's dark surroundings are white: its width on screen shows where it ends.
    await page.keyboard.press('i');
    const fitted = (await page.evaluate(SHOWN_WIDTH)) as number;
    expect(fitted).toBeGreaterThan(SIDE * 3);
    await page.keyboard.press('1');
    expect(await page.evaluate(SHOWN_WIDTH)).toBe(SIDE);
    expect(await overlay(page)).toContain('Zoom 100%');
    // Still 1:1 when the window changes size.
    await page.setViewportSize({ width: 1000, height: 700 });
    await until('drawn at the new size', async () => ((await page.evaluate(`document.getElementById('image').width`)) === 2000 ? true : undefined));
    expect(await page.evaluate(SHOWN_WIDTH)).toBe(SIDE);
    await page.setViewportSize({ width: 1280, height: 720 });
    await until('drawn at the first size', async () => ((await page.evaluate(`document.getElementById('image').width`)) === 2560 ? true : undefined));
    await page.click('button[data-tool=fit]');
    expect(await page.evaluate(SHOWN_WIDTH)).toBe(fitted);
    await page.click('button[data-tool=one-to-one]');
    expect(await page.evaluate(SHOWN_WIDTH)).toBe(SIDE);
    await page.keyboard.press('f');
    expect(await page.evaluate(SHOWN_WIDTH)).toBe(fitted);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('lists every shortcut and gesture in a help panel opened by ? and closed by Esc or its button', async () => {
    const { page, errors } = await openCt();
    expect(await page.isVisible('#help')).toBe(false);
    await page.keyboard.press('?');
    expect(await page.isVisible('#help')).toBe(true);
    expect(await page.getAttribute('#help-button', 'aria-expanded')).toBe('true');
    expect(await page.evaluate('document.activeElement?.id')).toBe('help');
    expect(await page.textContent('#help h2')).toBe('Keyboard shortcuts and gestures');
    await screen(page, 'viewer-help');
    const listed = await page.$$eval('#help dt', (dts) => dts.map((d) => d.textContent));
    expect(listed).toEqual(expect.arrayContaining(['I', 'R', 'H', 'V', 'F', '1', '0 or Esc', '?', '← ↑ / → ↓', 'Cine button', 'Left drag', 'Right drag or Shift + drag', 'Mouse wheel', 'Two fingers (touch)']));
    // Esc closes the panel and does nothing else: the view is not reset behind it.
    await page.keyboard.press('r');
    await page.keyboard.press('Escape');
    expect(await page.isVisible('#help')).toBe(false);
    expect(await page.evaluate('document.activeElement?.id')).toBe('help-button');
    await page.keyboard.press('?');
    expect(await overlay(page)).toContain('Rotated 90°');
    await page.click('#help-button');
    expect(await page.isVisible('#help')).toBe(false);
    expect(await page.getAttribute('#help-button', 'aria-expanded')).toBe('false');
    // Keys typed in a field are the field's: Esc in the window list does not reset the view.
    await page.focus('#preset');
    await page.keyboard.press('Escape');
    expect(await overlay(page)).toContain('Rotated 90°');
    await page.evaluate('document.activeElement.blur()');
    await page.keyboard.press('Escape');
    expect(await overlay(page)).not.toContain('Rotated');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('writes the window, the zoom and the slice thickness in the image’s corners, never the patient, and follows a drag', async () => {
    const { page, errors } = await openCt();
    const corner = (name: string) => page.textContent(`#overlay .${name}`) as Promise<string>;
    const first = await corner('bottom-right');
    expect(first).toMatch(/^W -?\d+ L -?\d+\nZoom \d+%$/);
    expect(await corner('top-left')).toMatch(/Thickness [\d.]+ mm/);
    // Where the slice stands, from its header: pydicom's CT_small is series 1, image 1, at -77.204 mm.
    expect(await corner('top-left')).toBe('Series 1 · Image 1\nLocation -77.2 mm\nThickness 5 mm');
    // An axial slice as radiologists read it: the patient's right on the screen's left, anterior at the top.
    expect(await edges(page)).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    // Over the image, and under the watermark.
    expect(await page.evaluate(`[...document.getElementById('stage').children].map((e) => e.id)`)).toEqual(['image', 'overlay', 'watermark', 'locked']);
    const box = (await page.locator('#image').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 30, { steps: 3 });
    await page.mouse.up();
    const dragged = await corner('bottom-right');
    expect(dragged.split('\n')[0]).not.toBe(first.split('\n')[0]);
    expect(dragged.split('\n')[0]).toBe(`W ${(await page.textContent('#wl'))!.split(' W ')[1]} L ${(await page.textContent('#wl'))!.split(' ')[1]}`);
    await page.mouse.wheel(0, -40);
    await until('zoomed', async () => ((await corner('bottom-right')) !== dragged ? true : undefined));
    expect(await overlay(page)).not.toMatch(/MRN|Patient|Okafor/i);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('counts the frames of a multi-frame image in the corner, following the arrow keys, and keeps a rotation across frames', async () => {
    const url = await e2e.upload('frames.dcm', (await multiFrameCt(3)).file);
    const { page, errors } = await e2e.watchedPage();
    await e2e.signIn(page, url, AMARA.email);
    const corner = () => page.textContent('#overlay .top-left') as Promise<string>;
    await until('frame 1', async () => ((await corner()).startsWith('Frame 1 / 3') ? true : undefined));
    await page.keyboard.press('r');
    await page.keyboard.press('ArrowRight');
    await until('frame 2', async () => ((await corner()).startsWith('Frame 2 / 3') ? true : undefined));
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await until('frame 3', async () => ((await corner()).startsWith('Frame 3 / 3') ? true : undefined));
    expect(await page.textContent('#overlay .top-right')).toBe('Rotated 90°');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('pans with one finger and zooms with a pinch of two on a touch screen', async () => {
    const { page, errors } = await openCt({ hasTouch: true });
    const cdp = await page.context().newCDPSession(page);
    const touch = async (type: 'touchStart' | 'touchMove' | 'touchEnd', points: { x: number; y: number }[]) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p, id) => ({ ...p, id })) });
    const box = (await page.locator('#image').boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    const zoom = async () => Number(/Zoom (\d+)%/.exec(await overlay(page))?.[1]);
    const fitted = await zoom();
    const before = await shownAt(page, CELLS);

    // Two fingers spread from 100 to 300 pixels apart: three times as large.
    await touch('touchStart', [{ x: cx - 50, y: cy }, { x: cx + 50, y: cy }]);
    for (const half of [75, 100, 125, 150]) await touch('touchMove', [{ x: cx - half, y: cy }, { x: cx + half, y: cy }]);
    await touch('touchEnd', []);
    expect(await zoom()).toBeGreaterThan(fitted * 2.5);
    expect(await zoom()).toBeLessThan(fitted * 3.5);
    // A pinch away from the centre zooms about the fingers: what is between them stays there.
    // Pinched at the centre of an image pixel (32, 96) of the fitted image, so the few screen pixels around it are that one image pixel before and after.
    await page.keyboard.press('f');
    const [px, py] = (await page.evaluate(`(() => {
      const c = document.getElementById('image');
      const s = Math.min(c.width, c.height) / ${SIDE};
      const ox = (c.width - ${SIDE} * s) / 2, oy = (c.height - ${SIDE} * s) / 2;
      return [(ox + 32.5 * s) / devicePixelRatio, (oy + 96.5 * s) / devicePixelRatio];
    })()`)) as [number, number];
    const under = () => page.evaluate(`(() => {
      const c = document.getElementById('image');
      const s = devicePixelRatio;
      return Array.from(c.getContext('2d').getImageData(Math.round(${px} * s) - 1, Math.round(${py} * s) - 1, 3, 3).data.filter((_, i) => i % 4 === 0));
    })()`);
    const beforePinch = await under();
    const [fx, fy] = [box.x + px, box.y + py];
    await touch('touchStart', [{ x: fx - 40, y: fy }, { x: fx + 40, y: fy }]);
    for (const half of [44, 48, 52]) await touch('touchMove', [{ x: fx - half, y: fy }, { x: fx + half, y: fy }]);
    await touch('touchEnd', []);
    expect(await zoom()).toBeGreaterThan(fitted);
    expect(await under()).toEqual(beforePinch);

    // Back to fit, then one finger drags the image 100 pixels to the right: what was under it moves with it.
    await page.keyboard.press('f');
    expect(await shownAt(page, CELLS)).toEqual(before);
    const wl = await page.textContent('#wl');
    await touch('touchStart', [{ x: cx, y: cy }]);
    for (const dx of [25, 50, 75, 100]) await touch('touchMove', [{ x: cx + dx, y: cy }]);
    await touch('touchEnd', []);
    expect(await zoom()).toBe(fitted);
    // A drag by finger is never window/level: the same grey levels, moved.
    expect(await shownAt(page, CELLS, SIDE, 100)).toEqual(before);
    expect(await shownAt(page, CELLS)).not.toEqual(before);
    expect(await page.textContent('#wl')).toBe(wl);
    expect(errors, errors.join('\n')).toEqual([]);
  });
});
