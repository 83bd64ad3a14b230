// The region tool's numbers (src/web/viewer/client/region-stats.ts): which
// pixels an ellipse holds and their mean, standard deviation, min and max,
// checked by hand on a small grid, and what its label says of the area.
import { describe, expect, it } from 'vitest';
import { spacingOf } from '../../src/web/viewer/client/measurements.js';
import { ellipseBetween, ellipseRegion, regionLines, statistics, type Ellipse } from '../../src/web/viewer/client/region-stats.js';

/** A 5 × 5 frame whose pixel (column, row) holds 5 × row + column. */
const SIDE = 5;
const valueAt = (column: number, row: number) => SIDE * row + column;

/** The grid's values at the pixels the ellipse holds, as the page picks them. */
function held(e: Ellipse): number[] {
  const region = ellipseRegion(e);
  const pixels = Array.from({ length: SIDE * SIDE }, (_, i) => [i % SIDE, Math.floor(i / SIDE)] as const);
  return pixels.filter(([column, row]) => region.inside(column, row)).map(([column, row]) => valueAt(column, row));
}

describe('a region’s statistics', () => {
  it('holds the pixels whose centre is inside the ellipse, and gives their mean, population SD, min and max', () => {
    // A circle of radius 1.5 about the centre of pixel (2, 2): the 3 × 3 block around it (its corners at √2 < 1.5), not (0, 2) (at 2).
    const circle = held(ellipseBetween({ x: 1, y: 1 }, { x: 4, y: 4 }));
    expect(circle.sort((a, b) => a - b)).toEqual([6, 7, 8, 11, 12, 13, 16, 17, 18]);
    const s = statistics(circle)!;
    // Deviations from 12: ±6, ±5, ±4, ±1, 0; squares 2 × (36 + 25 + 16 + 1) = 156 over 9 pixels.
    expect(s).toMatchObject({ count: 9, mean: 12, min: 6, max: 18 });
    expect(s.sd).toBeCloseTo(Math.sqrt(156 / 9), 12);

    // A wide flat ellipse (half-axes 2.5 across, 1 down): the whole middle row, and only the middle pixel of the rows beside it.
    const wide = held({ cx: 2.5, cy: 2.5, rx: 2.5, ry: 1 });
    expect(wide.sort((a, b) => a - b)).toEqual([7, 10, 11, 12, 13, 14, 17]);
    expect(statistics(wide)).toMatchObject({ count: 7, mean: 12, min: 7, max: 17 });

    // A line (no height) holds nothing.
    expect(held(ellipseBetween({ x: 0, y: 2 }, { x: 5, y: 2 }))).toEqual([]);
    expect(statistics([])).toBeNull();
  });

  it('keeps a CT’s small SD exact beside its large values', () => {
    expect(statistics([100_000_001, 100_000_003])!.sd).toBe(1);
  });
});

describe('what a region’s label says', () => {
  const dicom = { kind: 'dicom', title: 'DICOM', frames: 1, lossy: false, viewer: 'Dr A' } as const;
  const stats = { count: 9, mean: 12, sd: Math.sqrt(156 / 9), min: 6, max: 18 };
  const circle = { cx: 10, cy: 10, rx: 4, ry: 4 };

  it('gives the values in the image’s unit, SUVbw for PET, the pixel count and the area from the spacing', () => {
    const ct = regionLines(stats, circle, { unit: ' HU', suvFactor: null, spacing: spacingOf({ ...dicom, pixelSpacing: [0.5, 0.5] }) });
    expect(ct).toEqual(['Mean 12 HU', 'SD 4.16 HU', 'Min 6 HU · Max 18 HU', `9 px · ${(Math.PI * 2 * 2).toFixed(1)} mm²`]);
    const pet = regionLines(stats, circle, { unit: '', suvFactor: 0.5, spacing: null });
    expect(pet).toContain('SUVbw mean 6 · max 9');
    expect(pet.at(-1)).toBe(`9 px · ${(Math.PI * 16).toFixed(1)} px²`);
  });

  it('gives a large area in cm², and the detector’s with its caveat', () => {
    const big = { cx: 50, cy: 50, rx: 40, ry: 20 };
    // π × 40 × 20 pixels of 1 mm by 0.5 mm: 1256.6 mm², 12.57 cm².
    expect(regionLines(stats, big, { unit: '', suvFactor: null, spacing: spacingOf({ ...dicom, pixelSpacing: [0.5, 1] }) }).at(-1)).toBe('9 px · 12.57 cm²');
    expect(regionLines(null, circle, { unit: '', suvFactor: null, spacing: spacingOf({ ...dicom, imagerPixelSpacing: [0.5, 0.5] }) })).toEqual([`0 px · ${(Math.PI * 4).toFixed(1)} mm² (at detector)`]);
  });
});
