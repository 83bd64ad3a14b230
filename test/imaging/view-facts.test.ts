// What the viewer's Study details are told of an instance: read from real
// files' headers (a CT slice, an RT dose grid) in the imaging sandbox child,
// and the study's rows of the panel made of them: the measures with their
// units and a dose grid with its units, type and summation in words.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { ImagingSandbox, VIEWER_SANDBOX } from '../../src/imaging/sandbox/sandbox.js';
import { studyFields } from '../../src/imaging/view/human-form.js';
import { viewFacts } from '../../src/imaging/view/view-facts.js';
import { InstanceViews } from '../../src/web/viewer/instance-views.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const source = (key: string, bytes: Buffer) => ({ key, bytes: bytes.length, read: async () => bytes });

describe('the facts the viewer shows of an instance', () => {
  it('are read in the sandbox child: a CT slice’s date, time, size, spacing and thickness, a dose grid’s units, type and summation', async () => {
    const sandbox = new ImagingSandbox({ ...VIEWER_SANDBOX, processes: 1 });
    try {
      const views = new InstanceViews(sandbox, DEFAULT_LIMITS);
      const ct = await views.facts(source('ct', await readFile(join(PYDICOM, 'CT_small.dcm'))));
      expect(ct).toMatchObject({ modality: 'CT', studyDate: '20040119', studyTime: '072730', columns: 128, rows: 128, pixelSpacing: [0.661468, 0.661468], sliceThickness: 5 });
      expect(ct.doseUnits).toBeUndefined();
      const dose = await views.facts(source('dose', await readFile(join(PYDICOM, 'rtdose.dcm'))));
      expect(dose).toMatchObject({ modality: 'RTDOSE', frames: 15, pixelSpacing: [10, 10], doseUnits: 'RELATIVE', doseType: 'PHYSICAL', doseSummation: 'BEAM' });
      // The dose grid's Slice Thickness is present but empty: nothing, not zero.
      expect(dose.sliceThickness).toBeUndefined();
    } finally {
      await sandbox.close();
    }
  });

  it('keep a projection image’s detector spacing apart, and say nothing of a spacing that is not a pair of positive lengths', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
    const ds = instance.dicom.dict;
    delete ds['00280030'];
    ds['00181164'] = { vr: 'DS', Value: [0.143, 0.139] };
    expect(viewFacts(instance.dicom)).toMatchObject({ pixelSpacing: undefined, imagerPixelSpacing: [0.143, 0.139] });
    for (const odd of [[0.5], [0.5, 0], [0.5, -1], [0.5, null], ['0.5', 'x'], []]) {
      ds['00280030'] = { vr: 'DS', Value: odd };
      expect(viewFacts(instance.dicom).pixelSpacing).toBeUndefined();
    }
    ds['00280030'] = { vr: 'DS', Value: ['0.7', '0.5'] };
    expect(viewFacts(instance.dicom).pixelSpacing).toEqual([0.7, 0.5]);
  });

  it('become the panel’s study rows: a CT slice with its measures, a dose grid with its units, type and summation in words', async () => {
    const facts = async (file: string) => viewFacts(readInstance(await readFile(join(PYDICOM, file)), DEFAULT_LIMITS).dicom);
    expect(studyFields(await facts('CT_small.dcm'))).toEqual([
      ['Modality', 'CT'],
      ['Body part', '—'],
      ['Study', 'e+1'],
      ['Series', '—'],
      ['Study date', '19 Jan 2004, 07:27'],
      ['Frames', '1'],
      ['Size', '128 × 128 px'],
      ['Pixel spacing', '0.6615 × 0.6615 mm'],
      ['Slice thickness', '5 mm'],
    ]);
    expect(Object.fromEntries(studyFields(await facts('rtdose.dcm')))).toEqual({
      Modality: 'RTDOSE',
      'Body part': '—',
      Study: '—',
      Series: '—',
      'Study date': '5 Aug 2003, 11:57',
      Frames: '15',
      Size: '10 × 10 px',
      'Pixel spacing': '10 × 10 mm',
      'Dose units': 'relative (to a reference dose)',
      'Dose type': 'Physical',
      'Dose summation': 'One or more beams',
    });
    // An image the sandbox could not read: every row says so, none is left out or made up.
    expect(studyFields({})).toEqual([
      ['Modality', '—'],
      ['Body part', '—'],
      ['Study', '—'],
      ['Series', '—'],
      ['Study date', '—'],
      ['Frames', '—'],
      ['Size', '—'],
      ['Pixel spacing', '—'],
    ]);
    const detector = { ...(await facts('CT_small.dcm')), modality: 'DX', pixelSpacing: undefined, imagerPixelSpacing: [0.143, 0.139] as [number, number] };
    expect(studyFields(detector)).toContainEqual(['Pixel spacing (at the detector)', '0.139 × 0.143 mm (across × down)']);
  });
});
