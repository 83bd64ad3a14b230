// What the viewer receives for a frame: greyscale at its original bit depth,
// exactly the stored values an independent reader (pydicom) decodes.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../src/imaging/dicom/extract.js';
import { framePixels } from '../../src/imaging/dicom/frame-pixels.js';
import { readInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

function pydicomStored(path: string, dtype: string): Buffer {
  const script = `import sys, pydicom; a = pydicom.dcmread(sys.argv[1]).pixel_array; sys.stdout.buffer.write(a.astype('${dtype}').tobytes())`;
  return execFileSync('/usr/bin/python3', ['-c', script, path], { maxBuffer: 64 * 1024 * 1024 });
}

async function frame(name: string, index = 0) {
  const instance = readInstance(await readFile(join(PYDICOM, name)), DEFAULT_LIMITS);
  return framePixels(instance, extractFacts(instance.dicom).transferSyntax!, index);
}

describe('frames for the viewer', () => {
  // JPEG-LS lossless is compared with the uncompressed original (pydicom here has no JPEG-LS decoder).
  it.each([
    ['CT_small.dcm', 'CT_small.dcm', 'int16', '<i2'],
    ['MR_small_RLE.dcm', 'MR_small_RLE.dcm', 'int16', '<i2'],
    ['MR_small_jpeg_ls_lossless.dcm', 'MR_small.dcm', 'int16', '<i2'],
  ])('sends %s as stored values identical to pydicom’s reading of %s', async (name, reference, encoding, dtype) => {
    const f = await frame(name);
    expect(f.kind).toBe('grey');
    if (f.kind !== 'grey') return;
    expect(f.encoding).toBe(encoding);
    expect(f.data.equals(pydicomStored(join(PYDICOM, reference), dtype))).toBe(true);
  });

  it('keeps 12-bit JPEG extended at 12 bits, with the CT window presets and the rescale to apply', async () => {
    const f = await frame('JPGExtended.dcm');
    if (f.kind !== 'grey') throw new Error('expected greyscale');
    expect([f.encoding, f.bitsStored, f.rows, f.columns]).toEqual(['uint16', 12, 1024, 256]);
    let max = 0;
    for (let i = 0; i < f.rows * f.columns; i++) max = Math.max(max, f.data.readUInt16LE(i * 2));
    // More than 8 bits of information reach the browser.
    expect(max).toBeGreaterThan(255);
    const ct = await frame('CT_small.dcm');
    if (ct.kind !== 'grey') throw new Error('expected greyscale');
    expect(ct.presets.map((p) => p.name)).toEqual(expect.arrayContaining(['Lung', 'Bone', 'Soft tissue']));
    expect([ct.slope, ct.intercept]).toEqual([1, -1024]);
  });

  it('sends 32-bit dose grids as float values, any frame', async () => {
    const f = await frame('rtdose.dcm', 14);
    if (f.kind !== 'grey') throw new Error('expected greyscale');
    expect(f.encoding).toBe('float32');
    expect(f.data.length).toBe(f.rows * f.columns * 4);
  });

  it('sends colour as full-resolution RGB', async () => {
    const f = await frame('SC_rgb_rle.dcm');
    if (f.kind !== 'rgb') throw new Error('expected colour');
    const meta = await sharp(f.png).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([f.columns, f.rows, 3]);
  });
});
