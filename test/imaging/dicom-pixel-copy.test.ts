import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRange } from '../../src/imaging/dicom/copy-range.js';
import { Deidentifier } from '../../src/imaging/dicom/deidentify.js';
import { extractFacts } from '../../src/imaging/dicom/extract.js';
import { deidentifyDicomFile } from '../../src/imaging/dicom/file.js';
import { readDicom, readInstance, writeDicom, writeInstance, writeInstanceParts } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { multiFrameCt, PYDICOM } from '../support/multi-frame.js';

const secret = Buffer.alloc(32, 7);

const multiFrame = multiFrameCt;

describe('pixel data is written as read, without being copied in memory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-pixcopy-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes a de-identified instance as its new header and the input’s own pixel data bytes', async () => {
    const { file, pixels } = await multiFrame(16);
    // With its preamble, and as some PACS export it: without one.
    for (const input of [file, file.subarray(128)]) {
      const instance = readInstance(input, DEFAULT_LIMITS);
      new Deidentifier().deidentify(instance.dicom, { secret });
      const parts = writeInstanceParts(instance);
      expect(parts).toHaveLength(2);
      expect(parts[1]!.buffer).toBe(input.buffer); // a view of the input, not a copy
      expect(parts[1]!.subarray(12).equals(pixels)).toBe(true);
      const whole = writeInstance(instance);
      expect(whole.equals(Buffer.concat(parts))).toBe(true);
      const facts = extractFacts(readDicom(whole, DEFAULT_LIMITS));
      expect(facts.patient.name).toBeUndefined();
      expect(facts.frames).toBe(16);
      expect(whole.includes('CompressedSamples')).toBe(false);
    }
  });

  it('copies a byte range of a file to an offset in another, across many pieces', async () => {
    const source = randomBytes(3 * 256 * 1024 + 12345);
    await writeFile(join(dir, 'source'), source);
    const from = await open(join(dir, 'source'), 'r');
    const to = await open(join(dir, 'target'), 'w');
    try {
      await to.write(Buffer.from('HEAD'), 0, 4, 0);
      await copyRange(from, 1000, source.length - 7, to, 4);
    } finally {
      await from.close();
      await to.close();
    }
    const target = await readFile(join(dir, 'target'));
    expect(target.equals(Buffer.concat([Buffer.from('HEAD'), source.subarray(1000, source.length - 7)]))).toBe(true);
  });

  it('refuses a range running past the end of its file', async () => {
    await writeFile(join(dir, 'short'), randomBytes(1000));
    const from = await open(join(dir, 'short'), 'r');
    const to = await open(join(dir, 'short-copy'), 'w');
    try {
      await expect(copyRange(from, 0, 5000, to, 0)).rejects.toThrow(expect.objectContaining({ code: 'LOUPE_IMAGE_CORRUPT' }));
    } finally {
      await from.close();
      await to.close();
    }
  });

  it('de-identifies a large file on disk without preamble to the same bytes as in memory', async () => {
    const { file } = await multiFrame(600); // about 19 MB of pixels, many copy pieces
    const input = join(dir, 'bare.dcm');
    await writeFile(input, file.subarray(128));
    const output = join(dir, 'out', 'bare-out.dcm');
    await deidentifyDicomFile(input, output, new Deidentifier(), { secret, limits: DEFAULT_LIMITS });
    const instance = readInstance(file, DEFAULT_LIMITS);
    new Deidentifier().deidentify(instance.dicom, { secret });
    const onDisk = await readFile(output);
    expect(onDisk.equals(writeInstance(instance))).toBe(true);
    expect(await readdir(join(dir, 'out'))).toEqual(['bare-out.dcm']); // no temporary file left
  });
});
