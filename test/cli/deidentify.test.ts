import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { extractFacts } from '../../src/imaging/dicom/extract.js';
import { readDicom } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { PLANTED, makePhotoFixtures } from '../support/photos.js';
import { poisonDicom } from '../support/poison.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { env: {}, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out, err: err.join('\n') };
}

async function treeHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const e of (await readdir(dir, { withFileTypes: true, recursive: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()) {
    hash.update(e).update(await readFile(e));
  }
  return hash.digest('hex');
}

describe('loupe deidentify', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-deid-'));
    input = join(dir, 'in');
    const photos = join(input, 'photos');
    await mkdir(photos, { recursive: true });
    const made = await makePhotoFixtures(photos);
    await rm(join(photos, 'thumb.jpg'));
    await mkdir(join(input, 'ct', 'series1'), { recursive: true });
    await copyFile(join(PYDICOM, 'CT_small.dcm'), join(input, 'ct', 'series1', 'slice1.dcm'));
    await copyFile(join(PYDICOM, 'MR_small_RLE.dcm'), join(input, 'ct', 'mr.dcm'));
    await writeFile(join(input, 'notes.txt'), 'not an image');
    await writeFile(join(input, 'broken.jpg'), (await readFile(made.jpeg)).subarray(0, 1500));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('cleans a folder tree into the same relative names, names what failed, and never touches the input', async () => {
    const before = await treeHash(input);
    const out = join(dir, 'out');
    const r = await cli('deidentify', input, out, '--retain-modified-dates');
    expect(r.status).toBe(1);
    expect(r.err).toBe('could not process: broken.jpg');
    expect(r.out.at(-1)).toBe('8 cleaned, 1 skipped, 1 failed');
    expect(r.out).toContain('skipped  notes.txt: not a photo or DICOM file Loupe recognises');
    expect(r.out.find((l) => l.startsWith('FAILED   broken.jpg'))).toMatch(/corrupt or truncated/);
    expect(r.out.find((l) => l.startsWith('cleaned  photos/phone.jpg'))).toMatch(/removed EXIF, GPS position/);
    expect(r.out.find((l) => l.startsWith('cleaned  ct/series1/slice1.dcm'))).toMatch(/^cleaned  ct\/series1\/slice1\.dcm: dicom CT 1 frame\(s\): .*dates shifted -\d+ days(; warning: .*)?$/);
    expect(await treeHash(input)).toBe(before);

    const written = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(out.length + 1)).sort();
    expect(written).toEqual(['ct/mr.dcm', 'ct/series1/slice1.dcm', 'photos/image.gif.png', 'photos/iphone.heic.jpg', 'photos/phone.jpg', 'photos/photo.webp.jpg', 'photos/scan.png', 'photos/scan.tif.png'].sort());
    for (const f of written) {
      const bytes = await readFile(join(out, f));
      for (const value of PLANTED) expect(bytes.includes(value), `${value} in ${f}`).toBe(false);
    }
    const ct = extractFacts(readDicom(await readFile(join(out, 'ct/series1/slice1.dcm')), DEFAULT_LIMITS));
    expect(ct.patient.name).toBeUndefined();
    expect((await readFile(join(out, 'ct/series1/slice1.dcm'))).includes('CompressedSamples')).toBe(false);
  });

  it('keeps UID mapping consistent across runs with one secret file, and refuses to write into its input', async () => {
    const secretFile = join(dir, 'secret.bin');
    await writeFile(secretFile, Buffer.alloc(32, 9));
    const one = join(dir, 'one.dcm');
    const two = join(dir, 'two.dcm');
    expect((await cli('deidentify', join(input, 'ct', 'mr.dcm'), one, '--secret-file', secretFile)).status).toBe(0);
    expect((await cli('deidentify', join(input, 'ct', 'mr.dcm'), two, '--secret-file', secretFile)).status).toBe(0);
    const uid = async (p: string) => extractFacts(readDicom(await readFile(p), DEFAULT_LIMITS)).studyInstanceUid;
    expect(await uid(one)).toBe(await uid(two));
    expect(await uid(one)).not.toBe(await uid(join(input, 'ct', 'mr.dcm')));
    const inside = await cli('deidentify', input, join(input, 'cleaned'));
    expect(inside.status).toBe(2);
    expect(inside.err).toContain('OUTPUT must not be INPUT or inside it');
    expect((await cli('deidentify', join(dir, 'missing'), join(dir, 'x'))).status).toBe(2);
  });

  it('records every option chosen on the command line in the De-identification Method Code Sequence', async () => {
    const out = join(dir, 'options.dcm');
    const flags = ['--retain-safe-private', '--retain-uids', '--retain-device-identity', '--retain-institution-identity', '--retain-patient-characteristics', '--clean-descriptors', '--retain-modified-dates'];
    expect((await cli('deidentify', join(input, 'ct', 'mr.dcm'), out, ...flags)).status).toBe(0);
    const codes = (readDicom(await readFile(out), DEFAULT_LIMITS).dict['00120064']?.Value ?? []) as Record<string, { Value: string[] }>[];
    expect(codes.map((c) => c['00080100']?.Value[0]).sort()).toEqual(['113100', '113105', '113107', '113108', '113109', '113110', '113111', '113112']);
  });

  it('fails on the poison deflated DICOM quickly, naming it, and leaves nothing of it in OUTPUT', async () => {
    const poisoned = join(dir, 'poisoned');
    await mkdir(poisoned);
    await writeFile(join(poisoned, 'dfl.dcm'), await poisonDicom());
    await copyFile(join(PYDICOM, 'CT_small.dcm'), join(poisoned, 'ct.dcm'));
    const out = join(dir, 'poisoned-out');
    const started = Date.now();
    const r = await cli('deidentify', poisoned, out);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.status).toBe(1);
    expect(r.err).toBe('could not process: dfl.dcm');
    expect(r.out).toContain('FAILED   dfl.dcm: the DICOM file is corrupt or truncated and cannot be read');
    expect(await readdir(out)).toEqual(['ct.dcm']);
  });

  it('over the whole of pydicom\'s test files, fails only on the genuinely broken ones', async () => {
    const out = join(dir, 'pydicom-out');
    const r = await cli('deidentify', PYDICOM, out);
    // Two truncated files, and a DICOMDIR whose last record claims 248 bytes where 224 remain in the file.
    expect(r.err).toBe('could not process: MR_truncated.dcm, dicomdirtests/DICOMDIR-nooffset, rtplan_truncated.dcm');
    for (const name of ['J2K_pixelrep_mismatch.dcm', 'nested_priv_SQ.dcm', 'meta_missing_tsyntax.dcm', 'image_dfl.dcm', 'SC_rgb_jpeg.dcm']) {
      expect(r.out.find((l) => l.includes(` ${name}:`))).toMatch(/^cleaned /);
    }
  }, 180_000);
});
