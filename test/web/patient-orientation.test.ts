// The orientation markers' letters (src/web/viewer/client/patient-orientation.ts):
// which way each screen edge points in the patient, for the standard's
// planes, an oblique slice, and every turn of the screen.
import { describe, expect, it } from 'vitest';
import { flipHorizontal, rotate, UPRIGHT } from '../../src/web/viewer/client/orientation.js';
import { directionLetters, edgeLabels } from '../../src/web/viewer/client/patient-orientation.js';

const AXIAL = [1, 0, 0, 0, 1, 0] as const;
const CORONAL = [1, 0, 0, 0, 0, -1] as const;
const SAGITTAL = [0, 1, 0, 0, 0, -1] as const;

describe('orientation markers', () => {
  it('name the patient directions of the standard planes, upright', () => {
    expect(edgeLabels(AXIAL, UPRIGHT)).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    expect(edgeLabels(CORONAL, UPRIGHT)).toEqual({ left: 'R', right: 'L', top: 'H', bottom: 'F' });
    expect(edgeLabels(SAGITTAL, UPRIGHT)).toEqual({ left: 'A', right: 'P', top: 'H', bottom: 'F' });
  });

  it('follow the image as it is turned and mirrored on screen', () => {
    const once = rotate(UPRIGHT);
    expect(edgeLabels(AXIAL, once)).toEqual({ left: 'P', right: 'A', top: 'R', bottom: 'L' });
    expect(edgeLabels(AXIAL, rotate(rotate(once)))).toEqual({ left: 'A', right: 'P', top: 'L', bottom: 'R' });
    expect(edgeLabels(AXIAL, rotate(rotate(rotate(once))))).toEqual(edgeLabels(AXIAL, UPRIGHT));
    expect(edgeLabels(AXIAL, flipHorizontal(UPRIGHT))).toEqual({ left: 'L', right: 'R', top: 'A', bottom: 'P' });
  });

  it('name an oblique direction by its strong axes, strongest first, and ignore a slight tilt', () => {
    expect(directionLetters([0.7071, -0.7071, 0])).toBe('LA');
    expect(directionLetters([-0.3, 0.9539, 0])).toBe('PR');
    expect(directionLetters([0.9986, 0.0523, 0])).toBe('L');
  });
});
