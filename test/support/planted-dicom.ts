// A real CT instance (pydicom's CT_small) with a test patient planted in its
// header, for tests that follow PHI from an upload to everything Loupe sends.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

export interface PlantedPatient {
  name: string;
  identifier: string;
  birthDate: string;
}

/** `bodyPart`: a mis-filled header, such as the patient's name where the body part belongs. */
export async function plantedDicom(patient: PlantedPatient, bodyPart?: string): Promise<Buffer> {
  const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
  const ds = instance.dicom.dict;
  ds['00100010'] = { vr: 'PN', Value: [{ Alphabetic: patient.name }] };
  ds['00100020'] = { vr: 'LO', Value: [patient.identifier] };
  ds['00100021'] = { vr: 'LO', Value: ['HOSPITAL-A'] };
  ds['00100030'] = { vr: 'DA', Value: [patient.birthDate] };
  if (bodyPart) ds['00180015'] = { vr: 'CS', Value: [bodyPart] };
  return writeInstance(instance);
}
