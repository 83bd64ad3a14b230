// How the viewer addresses a study: which series a request's `series=`
// names (a whole number within the study, else none: the routes answer 404),
// what a series is called (never whose), and how the page scrolls a stack
// (one image per wheel notch or trackpad's worth, the keys, stopping at the ends).
import { describe, expect, it } from 'vitest';
import { studyOf, type StudySummary } from '../../src/intake/study-summary.js';
import { imageAfter, stackStep } from '../../src/web/viewer/client/cine.js';
import { WheelSteps } from '../../src/web/viewer/client/wheel-steps.js';
import { chosenSeries, seriesLabel } from '../../src/web/viewer/study-stack.js';

const STUDY: StudySummary = {
  series: [
    { number: 3, modality: 'CT', bodyPart: 'CHEST', instances: [{ part: 0, frames: 1 }, { part: 1, frames: 2 }] },
    { modality: 'CT', instances: [{ part: 2, frames: 1 }] },
    { number: 9, instances: [] },
  ],
  images: 3,
  skipped: 1,
};

describe('a study’s series as the viewer addresses them', () => {
  it('finds the summary only in a study’s metadata', () => {
    expect(studyOf({ kind: 'dicom_study', metadata: { family: 'dicom', study: STUDY } })).toBe(STUDY);
    expect(studyOf({ kind: 'dicom_instance', metadata: { study: STUDY } })).toBeUndefined();
    expect(studyOf({ kind: 'dicom_study', metadata: null })).toBeUndefined();
  });

  it('takes series= as a whole number within the study, the first when absent, and nothing else', () => {
    expect(chosenSeries(STUDY, undefined)?.index).toBe(0);
    expect(chosenSeries(STUDY, '1')?.series).toBe(STUDY.series[1]);
    for (const raw of ['2', '3', '99', '-1', '1.5', '1e0', ' 1', '', 'x', ['0', '1'], { a: '1' }]) expect(chosenSeries(STUDY, raw)).toBeUndefined();
  });

  it('names a series by modality, body part, number (else its place) and length', () => {
    expect(seriesLabel(STUDY.series[0]!, 0)).toBe('CT CHEST · series 3 · 3 images');
    expect(seriesLabel(STUDY.series[1]!, 1)).toBe('CT · series 2 · 1 image');
    expect(seriesLabel({ instances: [{ part: 0, frames: 4 }] }, 0, 'MR')).toBe('MR · series 1 · 4 images');
    expect(seriesLabel({ instances: [{ part: 0, frames: 4 }] }, 0)).toBe('DICOM · series 1 · 4 images');
  });
});

describe('scrolling a stack in the page', () => {
  it('moves one image per mouse wheel notch, down the next, and adds a trackpad’s small scrolls up to one', () => {
    const wheel = new WheelSteps();
    expect([wheel.add(100, 0), wheel.add(120, 0), wheel.add(-100, 0), wheel.add(3, 1), wheel.add(-1, 2)]).toEqual([1, 1, -1, 1, -1]);
    expect([10, 10, 10, 10, 10, 10].map((d) => wheel.add(d, 0))).toEqual([0, 0, 0, 0, 1, 0]);
    // Turning back starts afresh rather than undoing what was added.
    expect([20, -20, -20, -20].map((d) => wheel.add(d, 0))).toEqual([0, 0, 0, -1]);
  });

  it('steps with the arrow keys and Page Up / Page Down, and stops at either end', () => {
    expect(['PageDown', 'PageUp', 'ArrowDown', 'ArrowLeft', 'Home', 'a'].map(stackStep)).toEqual([1, -1, 1, -1, 0, 0]);
    expect([imageAfter(0, -1, 5), imageAfter(4, 1, 5), imageAfter(2, 1, 5), imageAfter(2, -1, 5)]).toEqual([0, 4, 3, 1]);
  });
});
