// Real files Loupe refused (issue 9, points 6 and 7): text in several
// character sets (ISO 2022 code extensions), a nested private sequence in an
// implicit VR file, a meta group without a transfer syntax, and vendor files
// with over-long values or wrong VRs, made here with pydicom. Each is read as
// DCMTK and pydicom read it and de-identified, and the output is checked with
// dcmdump, dciodvfy and pydicom.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { DEFAULT_SANDBOX, ImagingSandbox } from '../../src/imaging/sandbox/sandbox.js';
import { prepareAsset } from '../../src/intake/prepare-asset.js';

const DATA = '/usr/lib/python3/dist-packages/pydicom/data';
const secret = Buffer.alloc(32, 3);

const python = (script: string, ...args: string[]) => execFileSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8' });

/** What pydicom reads as the patient's name, at the top level or in the first item of the first sequence. */
function pydicomName(path: string): string {
  return python(
    `import sys, pydicom
ds = pydicom.dcmread(sys.argv[1], stop_before_pixels=True)
name = ds.get('PatientName') or next(i.get('PatientName') for e in ds if e.VR == 'SQ' for i in e.value)
print(str(name))`,
    path,
  ).trim();
}

/** The output as pydicom reads it: its character set, names found anywhere, and whether it says the identity was removed. */
function pydicomCheck(path: string): { charset: unknown; names: string[]; removed: string } {
  return JSON.parse(
    python(
      `import sys, json, pydicom
ds = pydicom.dcmread(sys.argv[1])
names = []
ds.walk(lambda d, e: names.append(str(e.value)) if e.VR == 'PN' else None)
print(json.dumps({'charset': ds.get('SpecificCharacterSet'), 'names': names, 'removed': ds.get('PatientIdentityRemoved')}))`,
      path,
    ),
  ) as { charset: unknown; names: string[]; removed: string };
}

const dciodvfyErrors = (path: string) => new Set(spawnSync('dciodvfy', [path], { encoding: 'utf8' }).stderr.split('\n').filter((l) => l.startsWith('Error')));

describe('real DICOM files once refused', () => {
  const sandbox = new ImagingSandbox(DEFAULT_SANDBOX);
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-real-'));
  });
  afterAll(async () => {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function prepareFile(path: string) {
    const prepared = await prepareAsset(await readFile(path), { limits: DEFAULT_LIMITS, secret, sandbox });
    if (prepared.outcome !== 'prepared') throw new Error(`${path} was not prepared`);
    const out = join(dir, path.replaceAll('/', '_'));
    await writeFile(out, prepared.blobs.find((b) => b.kind === 'derivative')!.data);
    return { prepared, out };
  }

  const iso2022 = ['charset_files/chrH31.dcm', 'charset_files/chrH32.dcm', 'charset_files/chrI2.dcm', 'charset_files/chrJapMulti.dcm', 'charset_files/chrJapMultiExplicitIR6.dcm', 'charset_files/chrKoreanMulti.dcm', 'charset_files/chrSQEncoding1.dcm', 'test_files/J2K_pixelrep_mismatch.dcm'];

  it.each(iso2022)('reads %s (ISO 2022 code extensions) with the names pydicom reads, and de-identifies it into valid UTF-8 DICOM', async (name) => {
    const path = join(DATA, name);
    const { prepared, out } = await prepareFile(path);
    const original = pydicomName(path);
    // The Japanese and Korean names are read as pydicom reads them (the alphabetic group links the patient)...
    if (!name.includes('SQEncoding')) expect(prepared.patient?.name).toBe(original.split('=')[0]);
    // ...and gone from the cleaned copy, which pydicom and dcmdump read as UTF-8.
    const check = pydicomCheck(out);
    expect(check.charset).toBe('ISO_IR 192');
    expect(check.removed).toBe('YES');
    for (const part of original.split(/[=^]/).filter((p) => p.length > 1)) {
      expect(check.names.join(' ')).not.toContain(part);
      expect((await readFile(out)).includes(Buffer.from(part))).toBe(false);
    }
    expect(spawnSync('dcmdump', ['+E', out]).status).toBe(0);
  });

  it('reads and de-identifies a nested private sequence in an implicit VR file, and a meta group without a transfer syntax', async () => {
    for (const name of ['nested_priv_SQ.dcm', 'meta_missing_tsyntax.dcm']) {
      const { out } = await prepareFile(join(DATA, 'test_files', name));
      const dump = spawnSync('dcmdump', ['+E', out], { encoding: 'utf8' });
      expect(dump.status, dump.stderr).toBe(0);
      // Private attributes are removed, nested ones with them.
      expect(dump.stdout).not.toContain('(0001,0001)');
      expect(dump.stdout).toContain('PatientIdentityRemoved');
    }
  });

  it('reads leniently a vendor file with over-long DS values and one with wrong VRs, as pydicom writes them', async () => {
    const overlong = join(dir, 'overlong-ds.dcm');
    const wrongVr = join(dir, 'wrong-vr.dcm');
    python(
      `import sys, pydicom
from pydicom import config
config.settings.writing_validation_mode = config.WARN
src = sys.argv[1]
ds = pydicom.dcmread(src)
ds.SliceThickness = '0.12345678901234567'
ds.ImagePositionPatient = ['-158.135803222656', '-179.035797119141', '-75.699996948242']
ds.save_as(sys.argv[2], write_like_original=False)
ds = pydicom.dcmread(src)
del ds[0x00180050]
ds.add_new(0x00180050, 'LO', '5.000000')
ds.add_new(0x00200013, 'US', 7)
ds.add_new(0x00100010, 'LO', 'OVERLONG^VENDOR')
ds.add_new(0x00280030, 'FD', [0.5, 0.5])
ds.save_as(sys.argv[3], write_like_original=False)`,
      join(DATA, 'test_files', 'CT_small.dcm'),
      overlong,
      wrongVr,
    );
    for (const path of [overlong, wrongVr]) {
      const { prepared, out } = await prepareFile(path);
      expect(prepared.facts.modality).toBe('CT');
      const dump = spawnSync('dcmdump', ['+E', out], { encoding: 'utf8' });
      expect(dump.status, dump.stderr).toBe(0);
      expect(dump.stdout).not.toContain('OVERLONG');
      expect(pydicomCheck(out).removed).toBe('YES');
      const added = [...dciodvfyErrors(out)].filter((e) => !dciodvfyErrors(path).has(e));
      expect(added, path).toEqual([]);
    }
    // The over-long value is kept as written, as DCMTK and pydicom keep it.
    expect(spawnSync('dcmdump', ['+P', '0018,0050', join(dir, overlong.replaceAll('/', '_'))], { encoding: 'utf8' }).stdout).toContain('0.12345678901234567');
  });

  it('reads a dataset in implicit VR under a meta group declaring explicit VR JPEG, and writes it as the syntax it declares', async () => {
    const path = join(DATA, 'test_files', 'SC_rgb_jpeg.dcm');
    // dcmdump cannot read the original; it reads Loupe's copy, whose JPEG frames pydicom decodes to the same pixels.
    expect(spawnSync('dcmdump', [path]).status).not.toBe(0);
    const { out } = await prepareFile(path);
    const dump = spawnSync('dcmdump', ['+E', out], { encoding: 'utf8' });
    expect(dump.status, dump.stderr).toBe(0);
    expect(dump.stdout).toContain('=JPEGBaseline');
    const same = python(
      `import sys, pydicom
a = pydicom.dcmread(sys.argv[1]); b = pydicom.dcmread(sys.argv[2])
print(a.PixelData == b.PixelData and (a.pixel_array == b.pixel_array).all())`,
      path,
      out,
    );
    expect(same.trim()).toBe('True');
  });
});
