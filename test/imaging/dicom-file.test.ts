import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCleaner } from '../../src/imaging/clean-file.js';
import { Deidentifier } from '../../src/imaging/dicom/deidentify.js';
import { extractFacts } from '../../src/imaging/dicom/extract.js';
import { deidentifyDicomFile } from '../../src/imaging/dicom/file.js';
import { layoutOf } from '../../src/imaging/dicom/layout.js';
import { readDicom, readInstance, writeDicom } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { multiFrameCt, PYDICOM } from '../support/multi-frame.js';

const secret = Buffer.alloc(32, 5);

const multiFrame = async (frames: number) => (await multiFrameCt(frames)).file;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('de-identifying DICOM files on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-dcmfile-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('streams a large multi-frame file: header de-identified, pixel data byte-identical', async () => {
    const input = join(dir, 'big.dcm');
    const bytes = await multiFrame(1024); // 32 MiB of pixels
    await writeFile(input, bytes);
    const inLayout = layoutOf(bytes);
    const output = join(dir, 'big-out.dcm');
    const result = await deidentifyDicomFile(input, output, new Deidentifier(), { secret, limits: DEFAULT_LIMITS });
    expect(result.facts.frames).toBe(1024);
    expect(result.facts.patient.name).toBe('CompressedSamples^CT1');
    const out = await readFile(output);
    const outLayout = layoutOf(out);
    expect(sha(out.subarray(outLayout.pixelData!.start, outLayout.pixelData!.end))).toBe(
      sha(bytes.subarray(inLayout.pixelData!.start, inLayout.pixelData!.end)),
    );
    const facts = extractFacts(readDicom(out, DEFAULT_LIMITS));
    expect(facts.patient.name).toBeUndefined();
    expect(facts.frames).toBe(1024);
    expect(out.includes('CompressedSamples')).toBe(false);
    expect(sha(await readFile(input))).toBe(sha(bytes));
  });

  it('cleans a DICOM file held in memory the same way (FileCleaner)', async () => {
    const cleaner = new FileCleaner({ limits: DEFAULT_LIMITS, secret, profileOptions: {} });
    const result = await cleaner.clean(await readFile(join(PYDICOM, 'CT_small.dcm')));
    expect(result.outcome).toBe('cleaned');
    if (result.outcome !== 'cleaned') return;
    expect(result.summary).toMatch(/^dicom CT 1 frame\(s\): \d+ removed/);
    expect(result.data.includes('CompressedSamples')).toBe(false);
    expect(extractFacts(readDicom(result.data, DEFAULT_LIMITS)).patient.name).toBeUndefined();
    expect(await cleaner.clean(Buffer.from('plain text'))).toEqual({ outcome: 'skipped', reason: 'not a photo or DICOM file Loupe recognises' });
  });

  it('handles a file without preamble, and refuses a truncated one leaving no output', async () => {
    const whole = await readFile(join(PYDICOM, 'MR_small.dcm'));
    const bare = join(dir, 'bare.dcm');
    await writeFile(bare, whole.subarray(128));
    await deidentifyDicomFile(bare, join(dir, 'bare-out.dcm'), new Deidentifier(), { secret, limits: DEFAULT_LIMITS });
    expect(extractFacts(readDicom(await readFile(join(dir, 'bare-out.dcm')), DEFAULT_LIMITS)).modality).toBe('MR');

    const cut = join(dir, 'cut.dcm');
    await writeFile(cut, whole.subarray(0, whole.length - 1000));
    await expect(
      deidentifyDicomFile(cut, join(dir, 'cut-out.dcm'), new Deidentifier(), { secret, limits: DEFAULT_LIMITS }),
    ).rejects.toThrow(expect.objectContaining({ code: 'LOUPE_IMAGE_CORRUPT' }));
    await expect(readFile(join(dir, 'cut-out.dcm'))).rejects.toThrow(/ENOENT/);
  });
});
