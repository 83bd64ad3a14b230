// The viewer's frames in real Chromium: a multi-frame image's frames fetched
// ahead once the first is drawn, then stepped through and played as cine with
// no further request; none kept or drawn once access ends; the rate Cine
// starts at; two fingers on a tablet adjusting window/level or zooming; and
// the watermark's lines.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CANVAS_SUM } from '../support/chromium.js';
import { multiFrameCt } from '../support/multi-frame.js';
import { screen } from '../support/screens.js';
import { until } from '../support/until.js';
import { AMARA, openGreyscale, useViewerE2e } from '../support/viewer-e2e.js';

const FRAMES = 12;

/** Before the page opens: every /frames/ request it makes, in order, as the frame's index; `ahead` those it marked as fetched on its own (not use of the session). */
function frameRequests(page: Page, ahead: number[] = []): number[] {
  const asked: number[] = [];
  page.on('request', (r) => {
    const index = /\/frames\/(\d+)/.exec(r.url())?.[1];
    if (index === undefined) return;
    asked.push(Number(index));
    if (r.headers()['x-loupe-ahead'] === '1') ahead.push(Number(index));
  });
  return asked;
}

/** In the page: from now on, each frame counter shown, with the corner's frame line, as "counter | corner". */
const WATCH_COUNTER = `(() => {
  window.shownFrames = [];
  new MutationObserver(() => window.shownFrames.push(document.getElementById('frame').textContent + ' | ' + document.querySelector('#overlay .top-left').textContent.split('\\n')[0]))
    .observe(document.getElementById('frame'), { childList: true, characterData: true, subtree: true });
})()`;

/** Every request the page made before this one has been seen by the test. */
async function requestsSettled(page: Page): Promise<void> {
  await Promise.all([page.waitForRequest((r) => r.url().endsWith('/favicon.ico?settled')), page.evaluate(`fetch('/favicon.ico?settled')`)]);
}

describe('the viewer’s frames in Chromium', () => {
  const e2e = useViewerE2e();
  let url: string;

  beforeAll(async () => {
    url = await e2e().upload('twelve.dcm', (await multiFrameCt(FRAMES)).file);
  });

  it('fetches the other frames once the first is drawn, saying how many are in, then steps and plays them with no further request', async () => {
    let asked: number[] = [];
    const ahead: number[] = [];
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const { page, errors } = await openGreyscale(e2e(), url, undefined, async (p) => {
      asked = frameRequests(p, ahead);
      // Every frame but the first waits until the test has read the note.
      await p.route(/\/frames\/([1-9]|1\d)(\?|$)/, async (route) => (await held, route.continue()));
    });
    await page.waitForSelector('#frames-loaded:not([hidden])');
    expect(await page.textContent('#frames-loaded')).toBe(`Frames 1 / ${FRAMES} loaded`);
    expect(await page.textContent('#frame')).toBe(`1 / ${FRAMES}`);
    release();
    await page.waitForSelector('#frames-loaded', { state: 'hidden' });
    await screen(page, 'viewer-cine');
    // Each frame asked for once: the first, then the three nearest it (next, previous, the one after next) at once.
    expect(asked[0]).toBe(0);
    expect([...asked.slice(1, 4)].sort((a, b) => a - b)).toEqual([1, 2, 11]);
    expect([...asked].sort((a, b) => a - b)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
    // The first was asked for by the person opening it; the rest the page fetched ahead on its own.
    expect([...ahead].sort((a, b) => a - b)).toEqual(Array.from({ length: FRAMES - 1 }, (_, i) => i + 1));

    await page.evaluate(WATCH_COUNTER);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await until('frame 4', async () => (await page.textContent('#frame')) === `4 / ${FRAMES}` || undefined);
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    await until('frame 11', async () => (await page.textContent('#frame')) === `11 / ${FRAMES}` || undefined);
    await page.click('#prev');
    await page.click('#next');
    await page.selectOption('#rate', '30');
    await page.click('#cine');
    expect(await page.getAttribute('#cine', 'aria-pressed')).toBe('true');
    await until('cine past frame 5', async () => ((await page.evaluate('window.shownFrames.length')) as number) >= 16 || undefined);
    await page.click('#cine');
    expect(await page.getAttribute('#cine', 'aria-pressed')).toBe('false');
    const shown = (await page.evaluate('window.shownFrames')) as string[];
    const counters = shown.map((s) => Number(s.split(' / ')[0]));
    // One frame at a time, in order: 2, 3, 4, then back to 11, then 10 and 11 again, then on round to 5 and whatever cine showed before it stopped.
    expect(counters.slice(0, 11)).toEqual([2, 3, 4, 3, 2, 1, 12, 11, 10, 11, 12]);
    expect(counters.slice(11, 16)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 16; i < counters.length; i++) expect(counters[i]).toBe((counters[i - 1]! % FRAMES) + 1);
    // The corner names the frame the counter does, every time.
    for (const s of shown) expect(s).toMatch(/^(\d+) \/ 12 \| Frame \1 \/ 12$/);
    await requestsSettled(page);
    expect(asked).toHaveLength(FRAMES);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('draws no frame and asks for none once access ends, the frames it held forgotten', async () => {
    let asked: number[] = [];
    const { page, errors } = await openGreyscale(e2e(), url, undefined, async (p) => void (asked = frameRequests(p)));
    await page.waitForSelector('#frames-loaded', { state: 'hidden' });
    expect(asked).toHaveLength(FRAMES);
    await page.keyboard.press('ArrowRight');
    await until('frame 2', async () => (await page.textContent('#frame')) === `2 / ${FRAMES}` || undefined);
    // Signed out in another tab: the page blanks at its next status poll.
    const other = await page.context().newPage();
    await other.goto(url);
    await Promise.all([other.waitForLoadState('load'), other.click('form[action="/auth/logout"] button')]);
    await page.waitForSelector('#locked:not([hidden])', { timeout: 15_000 });
    expect(await page.textContent('#locked-reason')).toBe('Your session ended.');
    expect(await page.isHidden('#frames-loaded')).toBe(true);
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowLeft']) await page.keyboard.press(key);
    await page.click('#next');
    await page.click('#cine');
    await requestsSettled(page);
    expect(asked).toHaveLength(FRAMES);
    expect(await page.evaluate(CANVAS_SUM)).toBe(0);
    expect(await page.textContent('#frame')).toBe(`2 / ${FRAMES}`);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('starts Cine at the rate the header gives, else at 10 frames a second, with the choice named for screen readers', async () => {
    const { page } = await openGreyscale(e2e(), url);
    expect(await page.inputValue('#rate')).toBe('10');
    expect(await page.getAttribute('#rate', 'aria-label')).toMatch(/Cine rate/);
    expect(await page.$$eval('#rate option', (os) => os.map((o) => o.textContent))).toEqual(['2 frames/s', '5 frames/s', '10 frames/s', '15 frames/s', '20 frames/s', '30 frames/s']);
    // Cine Rate (0018,0040) 25: offered among the others, and chosen.
    const rated = await e2e().upload('rated.dcm', (await multiFrameCt(3, { '00180040': { vr: 'IS', Value: [25] } })).file);
    const { page: other } = await openGreyscale(e2e(), rated);
    expect(await other.inputValue('#rate')).toBe('25');
    expect(await other.textContent('#rate option:checked')).toBe('25 frames/s');
  });

  it('adjusts window/level when two fingers move together and zooms when they spread', async () => {
    const { page, errors } = await openGreyscale(e2e(), url, { hasTouch: true });
    const cdp = await page.context().newCDPSession(page);
    const touch = async (type: 'touchStart' | 'touchMove' | 'touchEnd', points: { x: number; y: number }[]) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p, id) => ({ ...p, id })) });
    const box = (await page.locator('#image').boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    const corner = () => page.textContent('#overlay .bottom-right') as Promise<string>;
    const [windowLine, zoomLine] = (await corner()).split('\n');

    // Side by side, 100 pixels apart, both down 80 pixels: the level, as a left drag down.
    await touch('touchStart', [{ x: cx - 50, y: cy }, { x: cx + 50, y: cy }]);
    for (const dy of [10, 20, 40, 60, 80]) await touch('touchMove', [{ x: cx - 50, y: cy + dy }, { x: cx + 50, y: cy + dy }]);
    await touch('touchEnd', []);
    const [dragged, stillZoom] = (await corner()).split('\n');
    expect(dragged).not.toBe(windowLine);
    expect(Number(/L (-?\d+)/.exec(dragged!)?.[1])).toBeGreaterThan(Number(/L (-?\d+)/.exec(windowLine!)?.[1]));
    expect(stillZoom).toBe(zoomLine);

    // Spread from 100 to 300 pixels apart: zoom, the window left as it was.
    await touch('touchStart', [{ x: cx - 50, y: cy }, { x: cx + 50, y: cy }]);
    for (const half of [75, 100, 125, 150]) await touch('touchMove', [{ x: cx - half, y: cy }, { x: cx + half, y: cy }]);
    await touch('touchEnd', []);
    const [windowAfter, zoomed] = (await corner()).split('\n');
    expect(windowAfter).toBe(dragged);
    expect(Number(/Zoom (\d+)%/.exec(zoomed!)?.[1])).toBeGreaterThan(Number(/Zoom (\d+)%/.exec(zoomLine!)?.[1]) * 2.5);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('writes the viewer’s name and the time on lines of their own in the watermark, outlined, and lets the pointer through', async () => {
    const { page } = await openGreyscale(e2e(), url);
    const stamp = (await page.evaluate(`(() => {
      const s = document.querySelector('#watermark .stamp');
      return { lines: [...s.children].map((c) => [c.className, c.textContent]), shadow: getComputedStyle(s).textShadow, pointer: getComputedStyle(s).pointerEvents };
    })()`)) as { lines: string[][]; shadow: string; pointer: string };
    expect(stamp.lines).toEqual([
      ['who', AMARA.name],
      ['when', expect.stringMatching(/\d{1,2}:\d{2}/)],
    ]);
    expect(stamp.shadow).not.toBe('none');
    expect(stamp.pointer).toBe('none');
  });
});
