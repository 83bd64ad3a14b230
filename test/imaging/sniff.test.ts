import { readFile, readdir } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniff } from '../../src/imaging/sniff.js';
import { makePhotoFixtures } from '../support/photos.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

describe('recognising files by their content', () => {
  let dir: string;
  let photos: Awaited<ReturnType<typeof makePhotoFixtures>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-sniff-'));
    photos = await makePhotoFixtures(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('recognises each photo format whatever the file is called', async () => {
    const expected = { jpeg: 'image/jpeg', heic: 'image/heic', png: 'image/png', webp: 'image/webp', tiff: 'image/tiff', gif: 'image/gif' } as const;
    for (const [kind, path] of Object.entries(photos)) {
      const result = sniff(await readFile(path));
      expect(result, kind).toMatchObject({ family: 'photo', mediaType: expected[kind as keyof typeof expected] });
    }
  });

  it('recognises real DICOM files, with and without the preamble', async () => {
    const files = (await readdir(PYDICOM)).filter((f) => f.endsWith('.dcm'));
    expect(files.length).toBeGreaterThan(40);
    let part10 = 0;
    for (const f of files) {
      const result = sniff(await readFile(join(PYDICOM, f)));
      if (result.kind === 'dicom' && result.preamble) part10++;
    }
    expect(part10).toBeGreaterThan(40);
    // The same data with the preamble cut off, and with the file meta cut off too.
    const noPreamble = Buffer.concat([Buffer.from('DICM'), (await readFile(join(PYDICOM, 'CT_small.dcm'))).subarray(132)]);
    expect(sniff(noPreamble)).toMatchObject({ kind: 'dicom', preamble: false });
    const metaless = (await readFile(join(PYDICOM, 'CT_small.dcm'))).subarray(132);
    expect(sniff(metaless)).toMatchObject({ kind: 'dicom', preamble: false });
  });

  it('leaves everything else alone, with a reason', () => {
    for (const bytes of [
      Buffer.from('%PDF-1.7\n...'),
      Buffer.from('PK\u0003\u0004 a zip file'),
      Buffer.from('just some text that mentions DICM and JPEG'),
      Buffer.from([0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]), // MP4
    ]) {
      const result = sniff(bytes);
      expect(result.kind).toBe('none');
      expect(result.family === 'none' && result.reason).toMatch(/not a photo or DICOM/);
    }
    expect(sniff(Buffer.alloc(0))).toMatchObject({ kind: 'none', reason: 'the file is empty' });
  });

  it('is not fooled by a file name or an image signature inside other data', () => {
    const fake = Buffer.concat([Buffer.from('hello '), Buffer.from([0xff, 0xd8, 0xff])]);
    expect(sniff(fake).kind).toBe('none');
  });
});
