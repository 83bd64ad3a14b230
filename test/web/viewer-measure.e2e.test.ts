// The viewer's measuring tools in real Chromium, as a radiologist uses them:
// a length in millimetres from the header's Pixel Spacing that stays on the
// image when it turns, an angle, the pixel probe's stored and HU values (and
// a PET pixel's SUVbw), and a region's statistics, each checked against what
// Node reads from the file's own pixels.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractFacts } from '../../src/imaging/dicom/extract.js';
import { screen } from '../support/screens.js';
import { framePixels } from '../../src/imaging/dicom/frame-pixels.js';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { angleLabel, lengthLabel, spacingOf } from '../../src/web/viewer/client/measurements.js';
import { PET, petDicom } from '../support/pet-dicom.js';
import { until } from '../support/until.js';
import { openGreyscale, useViewerE2e } from '../support/viewer-e2e.js';

const CT = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
/** CT_small.dcm is 128 × 128, 0.661468 mm between rows and between columns. */
const SIDE = 128;
const SPACING = 0.661468;

/**
 * Where the centre of image pixel (column, row) of the fitted CT is on the page, in CSS pixels,
 * upright or after one quarter turn clockwise (pixel (i, j) then shown where (127 − j, i) was).
 */
async function screenOf(page: Page, column: number, row: number, turned = false): Promise<{ x: number; y: number }> {
  const [i, j] = turned ? [SIDE - 1 - row, column] : [column, row];
  const box = (await page.locator('#image').boundingBox())!;
  const at = (await page.evaluate(`(() => {
    const c = document.getElementById('image');
    const s = Math.min(c.width, c.height) / ${SIDE};
    const ox = (c.width - ${SIDE} * s) / 2, oy = (c.height - ${SIDE} * s) / 2;
    return { x: (ox + ${i + 0.5} * s) / devicePixelRatio, y: (oy + ${j + 0.5} * s) / devicePixelRatio };
  })()`)) as { x: number; y: number };
  return { x: box.x + at.x, y: box.y + at.y };
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

const label = (page: Page) => page.textContent('#measure') as Promise<string>;
/** The region's label, line by line. */
const regionLabel = (page: Page) => page.$$eval('#measure tspan', (spans) => spans.map((s) => s.textContent ?? ''));

/** The first frame's stored and modality values as Node reads them from the file. */
async function pixelsOf(file: Buffer): Promise<{ stored(column: number, row: number): number; value(column: number, row: number): number }> {
  const instance = readInstance(file, DEFAULT_LIMITS);
  const frame = await framePixels(instance, extractFacts(instance.dicom).transferSyntax!, 0);
  if (frame.kind !== 'grey' || frame.encoding === 'float32') throw new Error('a frame of stored greyscale values');
  const stored = (column: number, row: number) => {
    const at = (row * frame.columns + column) * 2;
    return frame.encoding === 'int16' ? frame.data.readInt16LE(at) : frame.data.readUInt16LE(at);
  };
  return { stored, value: (column, row) => frame.slope * stored(column, row) + frame.intercept };
}

/**
 * A circle of radius 9 pixels about the image point (50, 60), a corner between pixels: no pixel centre lies within
 * 0.13 pixels of its edge, so the mouse's rounding cannot move one in or out. What Node says of the values it holds.
 */
const CIRCLE = { x: 50, y: 60, r: 9 };
function circleStats(value: (column: number, row: number) => number): { count: number; mean: number; sd: number; min: number; max: number } {
  const held: number[] = [];
  for (let row = 0; row < SIDE; row++) {
    for (let column = 0; column < SIDE; column++) {
      if ((column + 0.5 - CIRCLE.x) ** 2 + (row + 0.5 - CIRCLE.y) ** 2 <= CIRCLE.r ** 2) held.push(value(column, row));
    }
  }
  const mean = held.reduce((a, b) => a + b, 0) / held.length;
  const sd = Math.sqrt(held.reduce((a, v) => a + (v - mean) ** 2, 0) / held.length);
  return { count: held.length, mean, sd, min: Math.min(...held), max: Math.max(...held) };
}

/** Drags the circle from its box's top left corner to its bottom right (screenOf gives a pixel's centre: half a pixel on from its top left). */
async function dragCircle(page: Page): Promise<void> {
  const { x, y, r } = CIRCLE;
  await drag(page, await screenOf(page, x - r - 0.5, y - r - 0.5), await screenOf(page, x + r - 0.5, y + r - 0.5));
}

/** Moves the probe onto pixel (column, row); what the corner says. */
async function probeAt(page: Page, column: number, row: number): Promise<string[]> {
  const at = await screenOf(page, column, row);
  await page.mouse.move(at.x - 20, at.y);
  await page.mouse.move(at.x, at.y, { steps: 2 });
  return (await page.textContent('#overlay .bottom-right'))!.split('\n');
}

const numbersIn = (line: string) => [...line.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
/** Shown to two decimals: within half a hundredth of Node's (and a rounding's hair). */
const shown = (line: string, node: number) => expect(Math.abs(numbersIn(line)[0]! - node)).toBeLessThanOrEqual(0.005 + 1e-9);
const twoDecimals = (n: number) => String(Math.round(n * 100) / 100);
const millimetres = async (page: Page) => Number(/^([\d.]+) mm$/.exec(await label(page))?.[1]);

describe('the viewer’s measuring tools in Chromium', () => {
  const e2e = useViewerE2e();
  let viewUrl: string;
  beforeAll(async () => {
    viewUrl = await e2e().upload('ct.dcm', await readFile(CT));
  });
  const openCt = () => openGreyscale(e2e(), viewUrl);

  it('measures 100 image pixels across as 66.1 mm, upright and after a turn, keeps it through zoom, and clears it on Reset', async () => {
    const { page, errors } = await openCt();
    const wl = await page.textContent('#wl');
    await page.keyboard.press('l');
    expect(await page.getAttribute('button[data-tool=length]', 'aria-pressed')).toBe('true');
    await drag(page, await screenOf(page, 10, 64), await screenOf(page, 110, 64));
    expect(await millimetres(page)).toBeCloseTo(100 * SPACING, 0);
    expect(Math.abs((await millimetres(page)) / (100 * SPACING) - 1)).toBeLessThan(0.01);
    // Measuring is not window/level.
    expect(await page.textContent('#wl')).toBe(wl);
    await screen(page, 'viewer-length');

    // The line turns with the image: its ends are still on the same image pixels.
    await page.click('button[data-tool=rotate]');
    const line = async () => (await page.getAttribute('#measure polyline', 'points'))!.split(' ').map((p) => p.split(',').map(Number));
    const box = (await page.locator('#image').boundingBox())!;
    const ends = [await screenOf(page, 10, 64, true), await screenOf(page, 110, 64, true)].map((p) => [p.x - box.x, p.y - box.y]);
    const drawn = await line();
    for (const [k, end] of ends.entries()) {
      expect(drawn[k]![0]).toBeCloseTo(end[0]!, 0);
      expect(drawn[k]![1]).toBeCloseTo(end[1]!, 0);
    }
    // And measured again on the turned image, the same length.
    await drag(page, await screenOf(page, 10, 64, true), await screenOf(page, 110, 64, true));
    expect(Math.abs((await millimetres(page)) / (100 * SPACING) - 1)).toBeLessThan(0.01);
    const turnedLine = await line();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -40);
    await until('zoomed', async () => (JSON.stringify(await line()) !== JSON.stringify(turnedLine) ? true : undefined));
    expect(Math.abs((await millimetres(page)) / (100 * SPACING) - 1)).toBeLessThan(0.01);

    // Esc turns the tool off and keeps the measurement (the view is not reset).
    await page.keyboard.press('Escape');
    expect(await page.getAttribute('button[data-tool=length]', 'aria-pressed')).toBe('false');
    expect(await page.textContent('#overlay .top-right')).toBe('Rotated 90°');
    expect(await label(page)).toMatch(/ mm$/);
    await page.click('#reset');
    expect(await label(page)).toBe('');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('probes a pixel: where it is, its stored value and its Hounsfield units', async () => {
    const ct = await pixelsOf(await readFile(CT));
    const [column, row] = [40, 64];

    const { page, errors } = await openCt();
    await page.click('button[data-tool=probe]');
    const corner = await probeAt(page, column, row);
    expect(corner.slice(0, 3)).toEqual([`X ${column} Y ${row}`, `Stored ${ct.stored(column, row)}`, `Value ${twoDecimals(ct.value(column, row))} HU`]);
    // A CT has no SUV to speak of.
    expect(corner.join('\n')).not.toContain('SUV');
    await page.keyboard.press('p');
    expect(await page.textContent('#overlay .bottom-right')).not.toContain('Stored');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('gives a region’s mean, SD, min and max in HU, its pixel count and area, as Node reads the same pixels, through a turn and a zoom, until Reset', async () => {
    const node = circleStats((await pixelsOf(await readFile(CT))).value);
    const { page, errors } = await openCt();
    await page.keyboard.press('?');
    const help = await page.$$eval('#help dt', (dts) => dts.map((d) => `${d.textContent} ${d.nextElementSibling?.textContent}`));
    expect(help.find((row) => row.startsWith('E '))).toMatch(/^E Region: drag an ellipse/);
    await page.keyboard.press('Escape');
    await page.keyboard.press('e');
    expect(await page.getAttribute('button[data-tool=region]', 'aria-pressed')).toBe('true');
    await dragCircle(page);
    const lines = await regionLabel(page);
    await screen(page, 'viewer-region');
    expect(lines).toHaveLength(4);
    const [mean, sd, minMax, size] = lines as [string, string, string, string];
    expect(mean).toMatch(/^Mean -?[\d.]+ HU$/);
    shown(mean, node.mean);
    expect(sd).toMatch(/^SD [\d.]+ HU$/);
    shown(sd, node.sd);
    expect(minMax).toBe(`Min ${twoDecimals(node.min)} HU · Max ${twoDecimals(node.max)} HU`);
    // π × 9² pixels of 0.661468 mm square: 111.3 mm², shown in cm².
    expect(size).toBe(`${node.count} px · ${((Math.PI * 81 * SPACING * SPACING) / 100).toFixed(2)} cm²`);

    // The outline turns with the image, round the same pixels, and says the same.
    const outline = async () => (await page.getAttribute('#measure polyline', 'points'))!.split(' ').map((p) => p.split(',').map(Number));
    const middle = async () => {
      const points = await outline();
      const [xs, ys] = [points.map((p) => p[0]!), points.map((p) => p[1]!)];
      return { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: (Math.min(...ys) + Math.max(...ys)) / 2 };
    };
    await page.click('button[data-tool=rotate]');
    const box = (await page.locator('#image').boundingBox())!;
    const centre = await screenOf(page, CIRCLE.x - 0.5, CIRCLE.y - 0.5, true);
    const drawn = await middle();
    expect(drawn.x).toBeCloseTo(centre.x - box.x, 0);
    expect(drawn.y).toBeCloseTo(centre.y - box.y, 0);
    expect(await regionLabel(page)).toEqual(lines);
    const turned = JSON.stringify(await outline());
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -40);
    await until('zoomed', async () => (JSON.stringify(await outline()) !== turned ? true : undefined));
    expect(await regionLabel(page)).toEqual(lines);

    await page.click('#reset');
    expect(await label(page)).toBe('');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('gives a PET pixel’s and region’s SUVbw from the header’s weight, dose and times', async () => {
    const file = await petDicom();
    const pet = await pixelsOf(file);
    // 70 kg over 370 MBq decayed for the hour from injection to the series: 70 000 g / (370e6 Bq × 2^(−3600 s / 6586.2 s)).
    const factor = (PET.weightKg * 1000) / (PET.doseBq * Math.pow(2, -PET.elapsedS / PET.halfLifeS));
    expect(factor.toPrecision(4)).toBe('0.0002763');
    const [column, row] = [40, 64];
    const value = pet.value(column, row);
    expect(value).toBe(PET.slope * pet.stored(column, row));

    const { page, errors } = await openGreyscale(e2e(), await e2e().upload('pet.dcm', file));
    await page.keyboard.press('p');
    const corner = await probeAt(page, column, row);
    expect(corner.slice(0, 4)).toEqual([`X ${column} Y ${row}`, `Stored ${pet.stored(column, row)}`, `Value ${twoDecimals(value)}`, `SUVbw ${twoDecimals(value * factor)}`]);

    const node = circleStats(pet.value);
    await page.click('button[data-tool=region]');
    await dragCircle(page);
    const suvLine = (await regionLabel(page)).find((l) => l.startsWith('SUVbw'))!;
    expect(suvLine).toMatch(/^SUVbw mean [\d.]+ · max [\d.]+$/);
    const [suvMean, suvMax] = numbersIn(suvLine);
    expect(Math.abs(suvMean! - node.mean * factor)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(suvMax).toBe(Number(twoDecimals(node.max * factor)));
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('says why a PET pixel has no SUV when its header has no weight, rather than a number', async () => {
    const { page, errors } = await openGreyscale(e2e(), await e2e().upload('pet-no-weight.dcm', await petDicom('no-weight')));
    await page.keyboard.press('p');
    const corner = await probeAt(page, 40, 64);
    expect(corner[3]).toBe('SUV: no weight in header');
    expect(corner.join('\n')).not.toMatch(/SUVbw/);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('measures a projection image that gives only Imager Pixel Spacing in mm at the detector, and says so on the length and in the study details', async () => {
    // A radiograph's spacing at the detector is not the patient's: the beam spreads, so the anatomy is smaller than it measures.
    const instance = readInstance(await readFile(CT), DEFAULT_LIMITS);
    const ds = instance.dicom.dict;
    delete ds['00280030'];
    ds['00181164'] = { vr: 'DS', Value: [SPACING, SPACING] };
    ds['00080060'] = { vr: 'CS', Value: ['DX'] };
    const { page, errors } = await openGreyscale(e2e(), await e2e().upload('dx.dcm', writeInstance(instance)));
    await page.keyboard.press('l');
    await drag(page, await screenOf(page, 10, 64), await screenOf(page, 110, 64));
    const [, mm] = /^([\d.]+) mm \(at detector\)$/.exec(await label(page)) ?? [];
    expect(Math.abs(Number(mm) / (100 * SPACING) - 1)).toBeLessThan(0.01);
    await page.click('#details-button');
    await page.waitForSelector('#details:not([hidden])');
    expect(await page.textContent('#details')).toContain('Pixel spacing (at the detector)');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('measures a right angle as 90° from three clicks, and from two drags', async () => {
    const { page, errors } = await openCt();
    await page.keyboard.press('a');
    for (const [column, row] of [[30, 30], [30, 90], [90, 90]] as const) {
      const at = await screenOf(page, column, row);
      await page.mouse.click(at.x, at.y);
    }
    const degrees = async () => Number(/^([\d.]+)°$/.exec(await label(page))?.[1]);
    expect(Math.abs((await degrees()) - 90)).toBeLessThanOrEqual(1);
    // Two drags: the first arm, then from the vertex to the third point (45° to the first arm).
    await drag(page, await screenOf(page, 20, 100), await screenOf(page, 100, 100));
    await drag(page, await screenOf(page, 100, 100), await screenOf(page, 60, 60));
    expect(Math.abs((await degrees()) - 45)).toBeLessThanOrEqual(1);
    expect(errors, errors.join('\n')).toEqual([]);
  });
});

describe('what the length and angle say, from what the header gives', () => {
  const dicom = { kind: 'dicom', title: 'DICOM', frames: 1, lossy: false, viewer: 'Dr A' } as const;
  const [a, b] = [{ x: 0, y: 0 }, { x: 30, y: 40 }];

  it('measures in mm by row spacing down and column spacing across, at the detector with a caveat, and in px with no spacing', () => {
    expect(lengthLabel(a, b, spacingOf({ ...dicom, pixelSpacing: [0.5, 2] }))).toBe(`${Math.hypot(30 * 2, 40 * 0.5).toFixed(1)} mm`);
    // Pixel Spacing wins over Imager Pixel Spacing when both are there.
    expect(lengthLabel(a, b, spacingOf({ ...dicom, pixelSpacing: [1, 1], imagerPixelSpacing: [2, 2] }))).toBe('50.0 mm');
    expect(lengthLabel(a, b, spacingOf({ ...dicom, imagerPixelSpacing: [0.2, 0.2] }))).toBe('10.0 mm (at detector)');
    expect(lengthLabel(a, b, spacingOf({ ...dicom }))).toBe('50.0 px');
    expect(lengthLabel(a, b, spacingOf({ kind: 'photo', title: 'Clinical photo', frames: 1, lossy: false, viewer: 'Dr A' }))).toBe('50.0 px');
  });

  it('measures an angle on the patient: a square pixel grid’s 45° is wider where rows are spaced further apart', () => {
    const [arm, vertex, diagonal] = [{ x: 10, y: 0 }, { x: 0, y: 0 }, { x: 10, y: 10 }];
    expect(angleLabel(arm, vertex, diagonal, null)).toBe('45.0°');
    expect(angleLabel(arm, vertex, diagonal, spacingOf({ ...dicom, pixelSpacing: [Math.sqrt(3), 1] }))).toBe('60.0°');
  });
});
