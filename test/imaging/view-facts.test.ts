// What the viewer's Study details are told of an instance: read from real
// files' headers (a CT slice, an RT dose grid) in the imaging sandbox child,
// the measures with their spacing and a dose grid with its units.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { ImagingSandbox, VIEWER_SANDBOX } from '../../src/imaging/sandbox/sandbox.js';
import { viewFacts } from '../../src/imaging/view/view-facts.js';
import { InstanceViews } from '../../src/web/viewer/instance-views.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const source = (assetId: string, bytes: Buffer) => ({ assetId, bytes: bytes.length, read: async () => bytes });

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
});
