// The rate the viewer's Cine plays a multi-frame image at, as its header
// gives it: the recommended display rate first, then the cine rate, then one
// frame per frame time; nothing from a missing, zero or negative value.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { frameRate, viewFacts } from '../../src/imaging/view/view-facts.js';
import { PYDICOM } from '../support/multi-frame.js';

describe('the frame rate a DICOM header asks for', () => {
  it('is the Recommended Display Frame Rate, else the Cine Rate, else 1000 / Frame Time', () => {
    expect(frameRate({ '00082144': { vr: 'IS', Value: [25] }, '00180040': { vr: 'IS', Value: [15] }, '00181063': { vr: 'DS', Value: [40] } })).toBe(25);
    expect(frameRate({ '00180040': { vr: 'IS', Value: ['15'] }, '00181063': { vr: 'DS', Value: [40] } })).toBe(15);
    expect(frameRate({ '00181063': { vr: 'DS', Value: ['33.3333'] } })).toBeCloseTo(30, 3);
  });

  it('says nothing for an absent, empty, zero or negative value, and passes over one to the next', () => {
    expect(frameRate({})).toBeUndefined();
    expect(frameRate({ '00082144': { vr: 'IS', Value: [] }, '00180040': { vr: 'IS', Value: [0] }, '00181063': { vr: 'DS', Value: [-5] } })).toBeUndefined();
    expect(frameRate({ '00082144': { vr: 'IS', Value: ['x'] }, '00180040': { vr: 'IS', Value: [12] } })).toBe(12);
  });

  it('is among the facts of a real file: none for a CT slice, the Cine Rate once one is written', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
    expect(viewFacts(instance.dicom).frameRate).toBeUndefined();
    instance.dicom.dict['00180040'] = { vr: 'IS', Value: [20] };
    expect(viewFacts(instance.dicom).frameRate).toBe(20);
  });
});
