import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFacts } from '../../src/imaging/dicom/extract.js';
import { frameOf, splitPixelElement } from '../../src/imaging/dicom/frames.js';
import { decodeJpeg } from '../../src/imaging/dicom/jpeg-extended.js';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { renderPreview } from '../../src/imaging/dicom/render.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

async function ours(path: string, frame = 0): Promise<{ raw: Buffer; width: number; height: number; channels: number }> {
  const instance = readInstance(await readFile(path), DEFAULT_LIMITS);
  const facts = extractFacts(instance.dicom);
  const preview = await renderPreview(instance, facts.transferSyntax!, 4096, frame);
  if (!preview.available) throw new Error(preview.reason);
  const { data, info } = await sharp(preview.data).raw().toBuffer({ resolveWithObject: true });
  return { raw: data, width: info.width, height: info.height, channels: info.channels };
}

function reference(path: string, out: string, invert = false): Promise<Buffer> {
  execFileSync('/usr/bin/python3', ['test/fixtures/render-reference.py', path, out, ...(invert ? ['invert'] : [])]);
  return readFile(out);
}

function meanAbsDiff(mine: { raw: Buffer; channels: number }, b: Buffer): number {
  // sharp hands grey PNGs back as three equal channels: compare one.
  const a = mine.channels === 3 && b.length * 3 === mine.raw.length ? Buffer.from(mine.raw.filter((_, i) => i % 3 === 0)) : mine.raw;
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('DICOM previews against an independent rendering (pydicom + numpy)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-render-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['CT_small.dcm', 'CT, signed 16-bit, rescale, no window: data range'],
    ['MR_small.dcm', 'MR with a header window'],
    ['MR_small_bigendian.dcm', 'big endian'],
    ['MR_small_implicit.dcm', 'implicit VR'],
    ['MR_small_RLE.dcm', 'RLE lossless'],
    ['image_dfl.dcm', 'deflated, 8-bit'],
    ['rtdose.dcm', '32-bit, multi-frame (frame 1 of 15)'],
    ['SC_rgb_small_odd.dcm', 'RGB'],
    ['ExplVR_BigEnd.dcm', 'RGB, big endian'],
    ['SC_rgb_rle.dcm', 'RGB, RLE'],
    ['SC_rgb_rle_16bit.dcm', '16-bit RGB, RLE'],
    ['SC_ybr_full_422_uncompressed.dcm', 'YBR_FULL_422'],
  ])('renders %s (%s)', async (name) => {
    const mine = await ours(join(PYDICOM, name));
    const theirs = await reference(join(PYDICOM, name), join(dir, `${name}.raw`));
    expect(meanAbsDiff(mine, theirs)).toBeLessThan(1.5);
  });

  it('inverts MONOCHROME1', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'MR_small.dcm')), DEFAULT_LIMITS);
    instance.dicom.dict['00280004'] = { vr: 'CS', Value: ['MONOCHROME1'] };
    const path = join(dir, 'mono1.dcm');
    await writeFile(path, writeInstance(instance));
    const mine = await ours(path);
    const normal = await reference(join(PYDICOM, 'MR_small.dcm'), join(dir, 'mono1.raw'), true);
    expect(meanAbsDiff(mine, normal)).toBeLessThan(1.5);
  });

  it.each([
    ['JPEG2000.dcm', 'JPEG 2000'],
    ['MR_small_jp2klossless.dcm', 'JPEG 2000 lossless'],
    ['MR_small_jpeg_ls_lossless.dcm', 'JPEG-LS lossless'],
    ['SC_rgb_small_odd_jpeg.dcm', 'JPEG baseline, odd size'],
  ])('decodes %s (%s) exactly as GDCM does', async (name) => {
    // gdcmconv --raw decompresses with GDCM's own codecs; both renders must agree.
    const native = join(dir, `native-${name}`);
    execFileSync('gdcmconv', ['--raw', join(PYDICOM, name), native]);
    const mine = await ours(join(PYDICOM, name));
    const theirs = await ours(native);
    expect(meanAbsDiff(mine, theirs.raw)).toBeLessThan(1.0);
  });

  it('decodes JPEG lossless (process 14, made by GDCM) exactly', async () => {
    const compressed = join(dir, 'mr-jpeg-lossless.dcm');
    execFileSync('gdcmconv', ['-J', join(PYDICOM, 'MR_small.dcm'), compressed]);
    expect(extractFacts(readInstance(await readFile(compressed), DEFAULT_LIMITS).dicom).transferSyntax).toBe('1.2.840.10008.1.2.4.70');
    expect(meanAbsDiff(await ours(compressed), (await ours(join(PYDICOM, 'MR_small.dcm'))).raw)).toBe(0);
  });

  it.each([
    ['with a Basic Offset Table', []],
    ['without one (frames found by their JPEG markers)', ['-ot']],
  ])('decodes multi-frame JPEG lossless whose frames span several fragments, %s', async (label, flags) => {
    // Four different 64x64 16-bit frames (MR_small rolled down by 8 rows each time), native...
    const instance = readInstance(await readFile(join(PYDICOM, 'MR_small.dcm')), DEFAULT_LIMITS);
    const frame = instance.pixelData!.subarray(12);
    const rolled = (k: number) => Buffer.concat([frame.subarray(frame.length - k * 8 * 128), frame.subarray(0, frame.length - k * 8 * 128)]);
    const body = Buffer.concat([0, 1, 2, 3].map(rolled));
    const head = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, 0, 0, 0, 0]);
    head.writeUInt32LE(body.length, 8);
    instance.pixelData = Buffer.concat([head, body]);
    instance.dicom.dict['00280008'] = { vr: 'IS', Value: [4] };
    const native = join(dir, `frames-native-${flags.length}.dcm`);
    await writeFile(native, writeInstance(instance));
    // ...then compressed by DCMTK into fragments of at most 1 KB, several per frame.
    const compressed = join(dir, `frames-jpeg-${flags.length}.dcm`);
    execFileSync('dcmcjpeg', ['+fs', '1', ...flags, native, compressed]);
    const pixels = splitPixelElement(readInstance(await readFile(compressed), DEFAULT_LIMITS).pixelData!, '1.2.840.10008.1.2.4.70');
    expect(pixels.parts.length, label).toBeGreaterThan(8);
    expect(pixels.offsets.length).toBe(flags.length ? 0 : 4);
    for (const k of [0, 1, 3]) {
      const mine = await ours(compressed, k);
      expect(meanAbsDiff(mine, (await ours(native, k)).raw), `frame ${k}`).toBe(0);
    }
    expect(meanAbsDiff(await ours(compressed, 1), (await ours(native, 0)).raw)).toBeGreaterThan(1);
  });

  it('maps PALETTE COLOR through its lookup tables', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'image_dfl.dcm')), DEFAULT_LIMITS);
    const ds = instance.dicom.dict;
    ds['00280004'] = { vr: 'CS', Value: ['PALETTE COLOR'] };
    const lut = (f: (i: number) => number) => {
      const b = Buffer.alloc(512);
      for (let i = 0; i < 256; i++) b.writeUInt16LE(f(i) * 257, i * 2);
      return { vr: 'OW', Value: [b.buffer.slice(b.byteOffset, b.byteOffset + 512)] };
    };
    for (const e of ['1101', '1102', '1103']) ds[`0028${e}`] = { vr: 'US', Value: [256, 0, 16] };
    ds['00281201'] = lut((i) => i);
    ds['00281202'] = lut((i) => 255 - i);
    ds['00281203'] = lut(() => 0);
    const path = join(dir, 'palette.dcm');
    await writeFile(path, writeInstance(instance));
    const mine = await ours(path);
    expect(mine.channels).toBe(3);
    // Stored values, read back from the file's own pixel bytes.
    const { pixelData } = readInstance(await readFile(path), DEFAULT_LIMITS);
    const values = pixelData!.subarray(pixelData!.length - mine.width * mine.height);
    for (const p of [0, 1000, 2500, mine.width * mine.height - 1]) {
      expect([mine.raw[p * 3], mine.raw[p * 3 + 1], mine.raw[p * 3 + 2]]).toEqual([values[p], 255 - values[p]!, 0]);
    }
  });

  it('applies a Modality LUT sequence as pydicom does', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'image_dfl.dcm')), DEFAULT_LIMITS);
    const ds = instance.dicom.dict;
    // A curved 16-bit mapping of the 8-bit stored values: i -> i squared.
    const data = Buffer.alloc(512);
    for (let i = 0; i < 256; i++) data.writeUInt16LE(i * i, i * 2);
    ds['00283000'] = {
      vr: 'SQ',
      Value: [{ '00283002': { vr: 'US', Value: [256, 0, 16] }, '00283004': { vr: 'LO', Value: ['SQUARE'] }, '00283006': { vr: 'OW', Value: [data.buffer.slice(data.byteOffset, data.byteOffset + 512)] } }],
    };
    const path = join(dir, 'modality-lut.dcm');
    await writeFile(path, writeInstance(instance));
    const mine = await ours(path);
    expect(meanAbsDiff(mine, await reference(path, join(dir, 'modality-lut.raw')))).toBeLessThan(0.5);
    // Not what the linear stored values alone would give.
    expect(meanAbsDiff(mine, await reference(join(PYDICOM, 'image_dfl.dcm'), join(dir, 'linear.raw')))).toBeGreaterThan(10);
  });

  it('applies a VOI LUT sequence when the header has one instead of a window', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'image_dfl.dcm')), DEFAULT_LIMITS);
    const ds = instance.dicom.dict;
    // An inverting ramp over the 8-bit range, 8 bits deep.
    const data = Buffer.alloc(512);
    for (let i = 0; i < 256; i++) data.writeUInt16LE(255 - i, i * 2);
    ds['00283010'] = {
      vr: 'SQ',
      Value: [{ '00283002': { vr: 'US', Value: [256, 0, 8] }, '00283006': { vr: 'OW', Value: [data.buffer.slice(data.byteOffset, data.byteOffset + 512)] } }],
    };
    const path = join(dir, 'voilut.dcm');
    await writeFile(path, writeInstance(instance));
    const mine = await ours(path);
    const { pixelData } = readInstance(await readFile(path), DEFAULT_LIMITS);
    const values = pixelData!.subarray(pixelData!.length - mine.width * mine.height);
    for (const p of [0, 1000, 2500]) expect(mine.raw[p * mine.channels]).toBe(255 - values[p]!);
  });

  it.each([
    ['JPGExtended.dcm', 'a 12-bit CT'],
    ['JPEG-lossy.dcm', 'a 12-bit CT'],
  ])('decodes JPEG extended %s (%s) as DCMTK does', async (name) => {
    // dcmdjpeg decompresses with DCMTK's 12-bit IJG build; Debian's GDCM lacks 12-bit JPEG.
    const native = join(dir, `native-${name}`);
    execFileSync('dcmdjpeg', [join(PYDICOM, name), native]);
    const ts = '1.2.840.10008.1.2.4.51';
    const frame = frameOf(splitPixelElement(readInstance(await readFile(join(PYDICOM, name)), DEFAULT_LIMITS).pixelData!, ts), 0, 1, 0);
    const mine = decodeJpeg(frame);
    expect([mine.width, mine.height, mine.precision]).toEqual([256, 1024, 12]);
    const theirs = readInstance(await readFile(native), DEFAULT_LIMITS).pixelData!.subarray(12);
    let worst = 0;
    for (let i = 0; i < mine.width * mine.height; i++) worst = Math.max(worst, Math.abs(mine.data.readUInt16LE(2 * i) - theirs.readUInt16LE(2 * i)));
    // Both are IEEE 1180 conformant inverse DCTs; they may round one step apart.
    expect(worst).toBeLessThanOrEqual(1);
    expect(meanAbsDiff(await ours(join(PYDICOM, name)), (await ours(native)).raw)).toBeLessThan(0.5);
  });

  it('decodes 8-bit JPEG extended colour with subsampled chroma (made by DCMTK)', async () => {
    const compressed = join(dir, 'rgb-extended.dcm');
    const native = join(dir, 'rgb-extended-native.dcm');
    execFileSync('dcmcjpeg', ['+ee', join(PYDICOM, 'SC_rgb_small_odd.dcm'), compressed]);
    execFileSync('dcmdjpeg', [compressed, native]);
    expect(extractFacts(readInstance(await readFile(compressed), DEFAULT_LIMITS).dicom).transferSyntax).toBe('1.2.840.10008.1.2.4.51');
    const mine = await ours(compressed);
    expect(mine.channels).toBe(3);
    // DCMTK interpolates the shared chroma, Loupe repeats it: close, not equal.
    expect(meanAbsDiff(mine, (await ours(native)).raw)).toBeLessThan(3);
  });

  it('says why when it has no decoder, reports a corrupt frame, and keeps the preview within its size', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'JPEG2000.dcm')), DEFAULT_LIMITS);
    const preview = await renderPreview(instance, '1.2.840.10008.1.2.4.203');
    expect(preview).toEqual({ available: false, reason: 'preview unavailable: no decoder for transfer syntax 1.2.840.10008.1.2.4.203 yet' });
    const extended = readInstance(await readFile(join(PYDICOM, 'JPGExtended.dcm')), DEFAULT_LIMITS);
    const cut = extended.pixelData!.subarray(0, extended.pixelData!.length - 40000);
    await expect(renderPreview({ ...extended, pixelData: cut }, '1.2.840.10008.1.2.4.51')).rejects.toMatchObject({ code: 'LOUPE_IMAGE_CORRUPT' });
    // A frame claiming another size than the header's is refused before anything is allocated for it.
    const taller = { ...extended, dicom: { ...extended.dicom, dict: { ...extended.dicom.dict, '00280010': { vr: 'US', Value: [4096] } } } };
    await expect(renderPreview(taller, '1.2.840.10008.1.2.4.51')).rejects.toMatchObject({ code: 'LOUPE_IMAGE_CORRUPT' });
    // Damaged bytes anywhere give a preview or a typed error, never a crash or a hang.
    for (let i = 1; i <= 40; i++) {
      const damaged = Buffer.from(extended.pixelData!);
      for (let j = 0; j < i; j++) damaged[20 + ((i * 7919 + j * 104729) % (damaged.length - 20))] = (i * 31 + j) & 0xff;
      const outcome = await renderPreview({ ...extended, pixelData: damaged }, '1.2.840.10008.1.2.4.51').catch((e: unknown) => e);
      if (outcome instanceof Error) expect(outcome).toMatchObject({ code: expect.stringMatching(/^LOUPE_IMAGE_(CORRUPT|UNSUPPORTED)$/) });
    }
    const ct = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
    const small = await renderPreview(ct, extractFacts(ct.dicom).transferSyntax!, 64);
    expect(small.available && [small.width, small.height]).toEqual([64, 64]);
  });

  it('renders baseline JPEG frames through sharp', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm')), DEFAULT_LIMITS);
    const facts = extractFacts(instance.dicom);
    const preview = await renderPreview(instance, facts.transferSyntax!);
    expect(preview.available).toBe(true);
  });
});
