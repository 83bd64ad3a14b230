import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { Deidentifier, replacementUid } from '../../src/imaging/dicom/deidentify.js';
import { extractFacts } from '../../src/imaging/dicom/extract.js';
import { readDicom, readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { text } from '../../src/imaging/dicom/values.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const secret = Buffer.alloc(32, 7);
const deidentifier = new Deidentifier();
const load = async (name: string) => readDicom(await readFile(join(PYDICOM, name)), DEFAULT_LIMITS);

describe('reading DICOM', () => {
  it('extracts what Loupe needs from a real CT', async () => {
    const facts = extractFacts(await load('CT_small.dcm'));
    expect(facts).toMatchObject({
      patient: { name: 'CompressedSamples^CT1', identifier: '1CT1', sex: 'O' },
      modality: 'CT',
      frames: 1,
      rows: 128,
      columns: 128,
      transferSyntax: '1.2.840.10008.1.2.1',
      burnedInAnnotation: undefined,
      burnedInSuspected: false,
    });
    expect(facts.studyInstanceUid).toMatch(/^1\.3\.6\.1\.4\.1\.5962/);
  });

  it.each([
    ['MR_small_implicit.dcm', 'MR', 1],
    ['MR_small_bigendian.dcm', 'MR', 1],
    ['MR_small_RLE.dcm', 'MR', 1],
    ['JPEG2000.dcm', 'NM', 1],
    ['image_dfl.dcm', 'OT', 1],
    ['rtdose_expb.dcm', 'RTDOSE', 15],
    ['SC_rgb_rle_2frame.dcm', 'OT', 2],
  ])('reads %s (%s, %i frames)', async (name, modality, frames) => {
    const facts = extractFacts(await load(name));
    expect(facts.modality).toBe(modality);
    expect(facts.frames).toBe(frames);
  });

  it('flags images whose burned-in annotation is YES, or unknown on a modality that usually has it', async () => {
    // Other Modality, no Burned In Annotation: unknown is not NO.
    expect(extractFacts(await load('SC_rgb_rle.dcm'))).toMatchObject({ burnedInAnnotation: undefined, burnedInSuspected: true });
    const ct = await load('CT_small.dcm');
    ct.dict['00280301'] = { vr: 'CS', Value: ['YES'] };
    expect(extractFacts(ct).burnedInSuspected).toBe(true);
    const sc = await load('SC_rgb_rle.dcm');
    sc.dict['00280301'] = { vr: 'CS', Value: ['NO'] };
    expect(extractFacts(sc).burnedInSuspected).toBe(false);
    const report = new Deidentifier().deidentify(await load('SC_rgb_rle.dcm'), { secret });
    expect(report.warnings).toEqual(['burned-in text is present or likely: preview withheld']);
  });

  it('lets a card preview a DICOM image plain only when its header says no burned-in text and it is no kind that usually has text or is a photograph', async () => {
    const withFlags = async (name: string, set: Record<string, string>) => {
      const d = await load(name);
      for (const [tag, value] of Object.entries(set)) d.dict[tag] = { vr: 'CS', Value: [value] };
      return extractFacts(d).cardPreviewSafe;
    };
    // A CT saying No: the one kind that may.
    expect(await withFlags('CT_small.dcm', { '00280301': 'NO' })).toBe(true);
    // Unknown is not No; Yes is Yes.
    expect(await withFlags('CT_small.dcm', {})).toBe(false);
    expect(await withFlags('CT_small.dcm', { '00280301': 'YES' })).toBe(false);
    // Saying No is not enough for ultrasound, a screen capture, or a photograph of the patient (capture tools write No by default).
    expect(await withFlags('CT_small.dcm', { '00280301': 'NO', '00080060': 'US' })).toBe(false);
    expect(await withFlags('CT_small.dcm', { '00280301': 'NO', '00080060': 'XC' })).toBe(false);
    expect(await withFlags('SC_rgb_rle.dcm', { '00280301': 'NO' })).toBe(false);
    // A header that says its pixels show recognisable features.
    expect(await withFlags('CT_small.dcm', { '00280301': 'NO', '00280302': 'YES' })).toBe(false);
  });

  it('reads a dataset whose preamble, or whole file meta, was cut off', async () => {
    const bytes = await readFile(join(PYDICOM, 'CT_small.dcm'));
    expect(extractFacts(readDicom(bytes.subarray(128), DEFAULT_LIMITS)).modality).toBe('CT');
    const metaLength = bytes.readUInt32LE(140);
    const dataset = bytes.subarray(144 + metaLength);
    expect(extractFacts(readDicom(dataset, DEFAULT_LIMITS)).patient.identifier).toBe('1CT1');
  });

  it('reads a sequence sent as UN (items in implicit VR) as the sequence it is, and de-identifies inside it', async () => {
    // rtdose_rle.dcm carries Referenced RT Plan Sequence as UN in an explicit VR file.
    const dicom = await load('rtdose_rle.dcm');
    const plan = dicom.dict['300C0002'];
    expect(plan?.vr).toBe('SQ');
    const item = (plan?.Value ?? [])[0] as Record<string, { Value: string[] }>;
    const original = item['00081155']?.Value[0];
    expect(original).toBe('1.2.123.456.78.9.0123.4567.89012345678901');
    deidentifier.deidentify(dicom, { secret });
    const after = ((dicom.dict['300C0002']?.Value ?? [])[0] as Record<string, { Value: string[] }>)['00081155']?.Value[0];
    expect(after).toBe(replacementUid(secret, original!));
  });

  it('reads files with an undefined-length UN sequence, or a meta group without its length', async () => {
    const un = await load('UN_sequence.dcm');
    expect(un.dict['4453100C']?.vr).toBe('SQ');
    expect(text((await load('no_meta_group_length.dcm')).dict, '00080012')).toBe('20111130');
  });

  it('reports a truncated file as corrupt', async () => {
    const bytes = await readFile(join(PYDICOM, 'CT_small.dcm'));
    expect(() => readDicom(bytes.subarray(0, 700), DEFAULT_LIMITS)).toThrow(expect.objectContaining({ code: 'LOUPE_IMAGE_CORRUPT' }));
    try {
      readDicom(Buffer.from('not dicom at all, just words'), DEFAULT_LIMITS);
      expect.unreachable();
    } catch (error) {
      expect(isLoupeError(error, 'LOUPE_IMAGE_CORRUPT')).toBe(true);
    }
  });
});

describe('de-identifying DICOM', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-dicom-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('removes the patient, replaces UIDs consistently and records what it did', async () => {
    const dicom = await load('CT_small.dcm');
    const before = extractFacts(dicom);
    const report = deidentifier.deidentify(dicom, { secret });
    const after = extractFacts(dicom);
    expect(after.patient.name).toBeUndefined();
    expect(after.patient.birthDate).toBeUndefined();
    expect(after.patient.identifier).not.toBe('1CT1');
    expect(after.studyInstanceUid).toBe(replacementUid(secret, before.studyInstanceUid!));
    expect(after.studyInstanceUid).toMatch(/^2\.25\.\d{1,39}$/);
    expect(text(dicom.meta, '00020003')).toBe(after.sopInstanceUid);
    expect(text(dicom.dict, '00120062')).toBe('YES');
    expect(text(dicom.dict, '00280303')).toBe('REMOVED');
    const codes = (dicom.dict['00120064']?.Value ?? []) as Record<string, { Value: string[] }>[];
    expect(codes.map((c) => c['00080100']?.Value[0])).toEqual(['113100']);
    expect(report.privateRemoved).toBeGreaterThan(0);
    expect(Object.keys(dicom.dict).filter((t) => parseInt(t.slice(0, 4), 16) % 2 === 1)).toEqual([]);
    // Another workspace's secret gives other UIDs; the same secret the same ones.
    expect(replacementUid(Buffer.alloc(32, 8), before.studyInstanceUid!)).not.toBe(after.studyInstanceUid);
    const again = await load('CT_small.dcm');
    deidentifier.deidentify(again, { secret });
    expect(extractFacts(again).studyInstanceUid).toBe(after.studyInstanceUid);
  });

  it('shifts dates by the same number of days for one patient when asked to keep them modified', async () => {
    const a = await load('CT_small.dcm');
    const dateBefore = text(a.dict, '00080020')!;
    const report = deidentifier.deidentify(a, { secret, options: { retainLongitudinalModifiedDates: true } });
    const shifted = text(a.dict, '00080020')!;
    const days = (Date.parse(`${shifted.slice(0, 4)}-${shifted.slice(4, 6)}-${shifted.slice(6)}`) - Date.parse(`${dateBefore.slice(0, 4)}-${dateBefore.slice(4, 6)}-${dateBefore.slice(6)}`)) / 86_400_000;
    expect(days).toBe(report.dateShiftDays);
    expect(days).toBeLessThan(0);
    expect(text(a.dict, '00280303')).toBe('MODIFIED');
    const codes = (a.dict['00120064']?.Value ?? []) as Record<string, { Value: string[] }>[];
    expect(codes.map((c) => c['00080100']?.Value[0])).toEqual(['113100', '113107']);
    const b = await load('CT_small.dcm');
    expect(deidentifier.deidentify(b, { secret, options: { retainLongitudinalModifiedDates: true } }).dateShiftDays).toBe(days);
  });

  it('keeps descriptions with Clean Descriptors, with the patient cut out of them', async () => {
    const dicom = await load('CT_small.dcm');
    dicom.dict['00081030'] = { vr: 'LO', Value: ['Follow-up for CompressedSamples, id 1CT1, wound left knee'] };
    deidentifier.deidentify(dicom, { secret, options: { cleanDescriptors: true } });
    const kept = text(dicom.dict, '00081030')!;
    expect(kept).toContain('wound left knee');
    expect(kept).not.toMatch(/CompressedSamples|1CT1/);
    const codes = (dicom.dict['00120064']?.Value ?? []) as Record<string, { Value: string[] }>[];
    expect(codes.map((c) => c['00080100']?.Value[0])).toEqual(['113100', '113105']);
    // Without the option the description goes entirely.
    const plain = await load('CT_small.dcm');
    plain.dict['00081030'] = { vr: 'LO', Value: ['Follow-up for CompressedSamples'] };
    deidentifier.deidentify(plain, { secret });
    expect(text(plain.dict, '00081030')).toBeUndefined();
  });

  it('keeps UIDs with Retain UIDs, and institution with Retain Institution Identity', async () => {
    const dicom = await load('CT_small.dcm');
    const before = extractFacts(dicom);
    const institution = text(dicom.dict, '00080080');
    deidentifier.deidentify(dicom, { secret, options: { retainUids: true, retainInstitutionIdentity: true } });
    expect(extractFacts(dicom).studyInstanceUid).toBe(before.studyInstanceUid);
    expect(text(dicom.dict, '00080080')).toBe(institution);
  });

  it('passes pixel data through byte-identical, whatever the transfer syntax, and writes valid files (dcmdump reads them, dciodvfy finds no new error)', async () => {
    const names = ['rtdose_rle.dcm', 'CT_small.dcm', 'MR_small_bigendian.dcm', 'MR_small_RLE.dcm', 'JPEG2000.dcm', 'JPEG-lossy.dcm', 'image_dfl.dcm', 'rtdose_expb.dcm', 'SC_rgb_rle_2frame.dcm', 'MR_small_jpeg_ls_lossless.dcm'];
    const outputs: string[] = [];
    for (const name of names) {
      const instance = readInstance(await readFile(join(PYDICOM, name)), DEFAULT_LIMITS);
      deidentifier.deidentify(instance.dicom, { secret });
      const out = join(dir, name);
      await writeFile(out, writeInstance(instance));
      outputs.push(out);
      const dump = spawnSync('dcmdump', ['+E', out], { encoding: 'utf8' });
      expect(dump.status, `${name}: ${dump.stderr}`).toBe(0);
      expect(dump.stdout).toContain('PatientIdentityRemoved');
    }
    // dciodvfy (dicom3tools) validates against the IOD: de-identifying adds no error.
    const errors = (path: string) =>
      new Set(spawnSync('dciodvfy', [path], { encoding: 'utf8' }).stderr.split('\n').filter((l) => l.startsWith('Error')));
    for (const [i, name] of names.entries()) {
      // dciodvfy cannot read a deflated input to compare with.
      if (name === 'image_dfl.dcm') continue;
      const added = [...errors(outputs[i]!)].filter((e) => !errors(join(PYDICOM, name)).has(e));
      expect(added, name).toEqual([]);
    }
    const frames = (paths: string[]) => execFileSync('/usr/bin/python3', ['test/fixtures/pixel-frames.py', ...paths], { encoding: 'utf8' }).trim().split('\n');
    expect(frames(outputs)).toEqual(frames(names.map((n) => join(PYDICOM, n))));
  });
});
