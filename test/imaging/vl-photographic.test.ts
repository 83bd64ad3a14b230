// A clinical photo as the DICOM VL Photographic Image a PACS receives, checked
// with the tools a PACS admin would use: dciodvfy (the IOD's rules), dcmdump
// (what the header says) and dcmdjpeg (the pixels decode, and are the photo's).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isLoupeError } from '../../src/core/errors.js';
import { toBaselineJpeg } from '../../src/imaging/baseline-jpeg.js';
import { readInstance } from '../../src/imaging/dicom/parse.js';
import { text } from '../../src/imaging/dicom/values.js';
import { buildVlPhotographic, type VlPhotographicOptions } from '../../src/imaging/dicom/vl-photographic.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { PLANTED, makePhotoFixtures, twoToneRaw } from '../support/photos.js';

const base = (jpeg: Buffer): VlPhotographicOptions => ({
  jpeg,
  patient: { id: 'MRN-4471', issuer: 'GENERAL-HOSPITAL', name: 'Doe^Jane', birthDate: '19800102', sex: 'F' },
  study: { accessionNumber: 'ACC-9', description: 'Wound review' },
  capturedAt: new Date('2026-11-30T10:11:12Z'),
  seriesDescription: 'Clinical photo',
  institutionName: 'General Hospital',
  uidRoot: '1.2.826.0.1.3680043.10.1234',
  manufacturer: 'Loupe',
  softwareVersion: '1.4.0',
});

/** dciodvfy's whole report (it writes to stderr) and its Error lines. */
function dciodvfy(path: string): { report: string; errors: string[] } {
  const run = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  const report = `${run.stdout}${run.stderr}`;
  return { report, errors: report.split('\n').filter((l) => l.startsWith('Error')) };
}
// +U8 shows text as UTF-8 whatever the file's character set, and then says ISO_IR 192 itself: only asked for where that is wanted.
const dump = (path: string, utf8 = false) => execFileSync('dcmdump', utf8 ? ['+U8', path] : [path], { encoding: 'utf8' });
/** The value dcmdump shows for a tag, "=Keyword" or "[text]" or a number. */
const shown = (dumped: string, tag: string) => new RegExp(`^\\(${tag}\\) \\w\\w (\\S.*?)\\s+#`, 'm').exec(dumped)?.[1];

describe('a clinical photo as a VL Photographic Image', () => {
  let dir: string;
  let phone: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-vlp-'));
    // A phone photo: EXIF orientation 6 (stored 300×200, shown 200×300), GPS and owner metadata planted.
    phone = await readFile((await makePhotoFixtures(dir)).jpeg);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is a valid IOD for dciodvfy, with the header a PACS files it by and the photo upright and without its metadata', async () => {
    const jpeg = await toBaselineJpeg(phone);
    const file = buildVlPhotographic(base(jpeg));
    const path = join(dir, 'photo.dcm');
    await writeFile(path, file.bytes);

    const { report, errors } = dciodvfy(path);
    expect(report).toContain('VLPhotographicImage');
    expect(errors, report).toEqual([]);

    const d = dump(path);
    expect(shown(d, '0002,0010')).toBe('=JPEGBaseline');
    expect(shown(d, '0008,0016')).toBe('=VLPhotographicImageStorage');
    expect(shown(d, '0008,0018')).toBe(`[${file.sopInstanceUid}]`);
    expect(shown(d, '0020,000d')).toBe(`[${file.studyInstanceUid}]`);
    expect(shown(d, '0020,000e')).toBe(`[${file.seriesInstanceUid}]`);
    expect(shown(d, '0008,0060')).toBe('[XC]');
    expect(shown(d, '0010,0020')).toBe('[MRN-4471]');
    expect(shown(d, '0010,0021')).toBe('[GENERAL-HOSPITAL]');
    expect(shown(d, '0010,0010')).toBe('[Doe^Jane]');
    expect(shown(d, '0008,0070')).toBe('[Loupe]');
    expect(shown(d, '0028,0004')).toBe('[YBR_FULL_422]');
    // Upright: the phone's 300×200 pixels turned by its orientation.
    expect(shown(d, '0028,0010')).toBe('300');
    expect(shown(d, '0028,0011')).toBe('200');
    // An ASCII-only header keeps the default repertoire.
    expect(d).not.toContain('SpecificCharacterSet');
    for (const uid of [file.studyInstanceUid, file.seriesInstanceUid, file.sopInstanceUid]) {
      expect(uid.startsWith('1.2.826.0.1.3680043.10.1234.')).toBe(true);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
    // Nothing the phone wrote (GPS, owner, serial number) reached the PACS file.
    for (const planted of PLANTED) expect(file.bytes.includes(Buffer.from(planted))).toBe(false);
  });

  it('decodes with DCMTK to the pixels sharp decodes from the same JPEG', async () => {
    const jpeg = await toBaselineJpeg(phone);
    const path = join(dir, 'decode.dcm');
    const raw = join(dir, 'decoded.dcm');
    await writeFile(path, buildVlPhotographic(base(jpeg)).bytes);
    execFileSync('dcmdjpeg', [path, raw]);
    expect(shown(dump(raw), '0028,0004')).toBe('[RGB]');
    const decoded = readInstance(await readFile(raw), DEFAULT_LIMITS);
    // Native OW Pixel Data: a 12-byte element header, then interleaved RGB.
    const dcmtk = decoded.pixelData!.subarray(12, 12 + 200 * 300 * 3);
    const reference = await sharp(jpeg).raw().toBuffer();
    expect(dcmtk.length).toBe(reference.length);
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(dcmtk[i]! - reference[i]!));
    // Two JPEG decoders may differ by rounding (T.81's decoder tolerance); here libjpeg and libjpeg-turbo agree exactly.
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('refuses a progressive JPEG given as it is, and takes it once made baseline', async () => {
    const progressive = await sharp(twoToneRaw(), { raw: { width: 300, height: 200, channels: 3 } }).jpeg({ progressive: true }).toBuffer();
    let refused: unknown;
    try {
      buildVlPhotographic(base(progressive));
    } catch (error) {
      refused = error;
    }
    expect(isLoupeError(refused, ErrorCode.JpegNotBaseline)).toBe(true);
    expect(buildVlPhotographic(base(await toBaselineJpeg(progressive))).bytes.length).toBeGreaterThan(1000);
    // Not a JPEG at all.
    const png = await sharp(twoToneRaw(), { raw: { width: 300, height: 200, channels: 3 } }).png().toBuffer();
    expect(() => buildVlPhotographic(base(png))).toThrow(expect.objectContaining({ code: ErrorCode.ImageUnsupported }));
    // Unsubsampled colour: the IOD has no photometric interpretation for it (dciodvfy refuses YBR_FULL).
    const full = await sharp(twoToneRaw(), { raw: { width: 300, height: 200, channels: 3 } }).jpeg({ chromaSubsampling: '4:4:4' }).toBuffer();
    expect(() => buildVlPhotographic(base(full))).toThrow(expect.objectContaining({ code: ErrorCode.ImageUnsupported }));
  });

  it('never carries a photo’s metadata: a phone JPEG given as it is (baseline, but with EXIF, XMP and a comment) is refused', () => {
    expect(() => buildVlPhotographic(base(phone))).toThrow(expect.objectContaining({ code: ErrorCode.ImageUnsupported }));
  });

  it('counts a name’s length in bytes as encoded: 64 accented letters are 128 bytes of UTF-8, over PN’s 64', async () => {
    const jpeg = await toBaselineJpeg(phone);
    expect(() => buildVlPhotographic({ ...base(jpeg), patient: { id: 'MRN-1', name: 'é'.repeat(64) } })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(buildVlPhotographic({ ...base(jpeg), patient: { id: 'MRN-1', name: 'é'.repeat(32) } }).bytes.length).toBeGreaterThan(1000);
  });

  it('carries a greyscale JPEG as MONOCHROME2', async () => {
    const grey = await sharp(twoToneRaw(), { raw: { width: 300, height: 200, channels: 3 } }).toColourspace('b-w').jpeg().toBuffer();
    const path = join(dir, 'grey.dcm');
    await writeFile(path, buildVlPhotographic(base(grey)).bytes);
    const d = dump(path);
    expect(shown(d, '0028,0002')).toBe('1');
    expect(shown(d, '0028,0004')).toBe('[MONOCHROME2]');
    expect(dciodvfy(path).errors).toEqual([]);
    execFileSync('dcmdjpeg', [path, join(dir, 'grey-decoded.dcm')]);
  });

  it('writes a non-ASCII name as UTF-8 (ISO_IR 192), read back the same by DCMTK and by Loupe', async () => {
    const jpeg = await toBaselineJpeg(phone);
    const file = buildVlPhotographic({ ...base(jpeg), patient: { id: 'MRN-77', name: 'Ødegård^Åse' }, institutionName: 'Universitetssykehus' });
    const path = join(dir, 'utf8.dcm');
    await writeFile(path, file.bytes);
    expect(shown(dump(path), '0008,0005')).toBe('[ISO_IR 192]');
    const d = dump(path, true);
    expect(shown(d, '0010,0010')).toBe('[Ødegård^Åse]');
    expect(text(readInstance(file.bytes, DEFAULT_LIMITS).dicom.dict, '00100010')).toBe('Ødegård^Åse');
    expect(dciodvfy(path).errors).toEqual([]);
  });

  it('files the photo into a given study, keeps UIDs a retry passes back, and derives new ones under 2.25 without a root', async () => {
    const jpeg = await toBaselineJpeg(phone);
    const studyUid = '1.2.840.113619.2.55.3.604688119.969.1268071029.320';
    const first = buildVlPhotographic({ ...base(jpeg), study: { instanceUid: studyUid } });
    expect(first.studyInstanceUid).toBe(studyUid);
    const retry = buildVlPhotographic({ ...base(jpeg), study: { instanceUid: studyUid }, seriesInstanceUid: first.seriesInstanceUid, sopInstanceUid: first.sopInstanceUid });
    expect(retry.bytes.equals(first.bytes)).toBe(true);
    const { uidRoot: _none, ...rootless } = base(jpeg);
    const anonymousRoot = buildVlPhotographic(rootless);
    expect(anonymousRoot.sopInstanceUid).toMatch(/^2\.25\.[1-9]\d*$/);
    expect(() => buildVlPhotographic({ ...base(jpeg), uidRoot: '1.2.03' })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    // A value DICOM cannot hold is refused without being quoted.
    expect(() => buildVlPhotographic({ ...base(jpeg), patient: { id: 'MRN\\SECRET' } })).toThrow(expect.not.objectContaining({ message: expect.stringContaining('SECRET') }));
  });
});
