// A PET image for the SUV tests, written by pydicom (an independent
// implementation) from test/fixtures/pet-dicom.py: 70 kg, 370 MBq of F-18
// (half-life 6586.2 s) injected one hour before the series, rescale slope 2.5.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the file's header says, for the tests' own arithmetic. */
export const PET = { weightKg: 70, doseBq: 370e6, halfLifeS: 6586.2, elapsedS: 3600, slope: 2.5 } as const;

export type PetChange = 'no-weight' | 'cnts' | 'decay-none';

export async function petDicom(...changes: PetChange[]): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-pet-'));
  try {
    const out = join(dir, 'pet.dcm');
    execFileSync('/usr/bin/python3', ['test/fixtures/pet-dicom.py', out, ...changes]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
