// Plants a distinctive value in every attribute of PS3.15 Table E.1-1 (at the
// top level, inside nested sequences and in a private block), writes a real
// DICOM file, de-identifies it and searches the output bytes for any of them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dicomData, dictionaryVr, type DicomDataset, type DicomElement } from '../../src/imaging/dicom/dcmjs.js';
import { Deidentifier } from '../../src/imaging/dicom/deidentify.js';
import { readDicom, writeDicom } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';

const TABLE = join(import.meta.dirname, '../../src/imaging/dicom/ps3.15-table-e1-1.json');
const SHARED_TABLE = join(import.meta.dirname, '../../../shared/dicom/confidentiality_profile_attributes.json');
const UID_ROOT = '1.2.826.0.1.3680043.10.999.';
const secret = Buffer.alloc(32, 3);

interface Row {
  id: string;
  name: string;
}

const MARKED_VRS = new Set(['AE', 'CS', 'SH', 'LO', 'ST', 'LT', 'UT', 'UC', 'PN', 'UR', 'OB', 'UN', 'SQ']);
const marker = (i: number) => `QM${String(i).padStart(3, '0')}Q`;

function planted(vr: string, i: number): DicomElement | undefined {
  const m = marker(i);
  switch (vr) {
    case 'AE': case 'CS': case 'SH': case 'LO': case 'ST': case 'LT': case 'UT': case 'UC':
      return { vr, Value: [m] };
    case 'PN':
      return { vr, Value: [{ Alphabetic: `${m}^PLANTED` }] };
    case 'UR':
      return { vr, Value: [`http://${m}.example/`] };
    case 'DA':
      return { vr, Value: ['19370412'] };
    case 'TM':
      return { vr, Value: ['134711'] };
    case 'DT':
      return { vr, Value: ['19370412134711'] };
    case 'AS':
      return { vr, Value: ['077Y'] };
    case 'UI':
      return { vr, Value: [`${UID_ROOT}${i}`] };
    case 'DS':
      return { vr, Value: ['31337.25'] };
    case 'IS':
      return { vr, Value: ['31337'] };
    case 'US': case 'SS': case 'UL': case 'SL': case 'FL': case 'FD':
      return { vr, Value: [31337] };
    case 'OB': case 'UN':
      return { vr, Value: [new Uint8Array(Buffer.from(`${m}BIN!`)).buffer] };
    default:
      return undefined;
  }
}

/** One item holding a few planted identifying attributes, for sequences. */
function nestedItem(i: number): DicomDataset {
  return {
    '00100010': { vr: 'PN', Value: [{ Alphabetic: `${marker(i)}^NESTED` }] },
    '00100020': { vr: 'LO', Value: [`${marker(i)}N`] },
    '00081155': { vr: 'UI', Value: [`${UID_ROOT}${i}.1`] },
  };
}

async function plantedFile(): Promise<{ bytes: Buffer; markers: string[]; tags: Map<string, string> }> {
  const rows = JSON.parse(await readFile(TABLE, 'utf8')) as Row[];
  const dict: DicomDataset = {};
  const markers: string[] = [];
  const tags = new Map<string, string>();
  rows.forEach((row, i) => {
    if (!/^[0-9a-f]{8}$/i.test(row.id)) return;
    const tag = row.id.toUpperCase();
    const vr = dictionaryVr(tag);
    if (!vr) return;
    const el = vr === 'SQ' ? { vr, Value: [nestedItem(i)] } : planted(vr, i);
    if (!el) return;
    dict[tag] = el;
    // Dates, times, UIDs and numbers carry the shared residues checked below instead.
    if (MARKED_VRS.has(vr)) markers.push(marker(i));
    tags.set(marker(i), `${tag} ${row.name}`);
  });
  // Depth: a sequence the profile keeps, holding identifying attributes two levels down.
  dict['00089215'] = {
    vr: 'SQ',
    Value: [{ ...nestedItem(900), '00089215': { vr: 'SQ', Value: [nestedItem(901)] } }],
  };
  markers.push(marker(900), marker(901));
  // A private block: creator, a text element and a private sequence.
  dict['00090010'] = { vr: 'LO', Value: ['PLANTED PRIVATE CREATOR'] };
  dict['00091001'] = { vr: 'LO', Value: [marker(950)] };
  dict['00091002'] = { vr: 'SQ', Value: [nestedItem(951)] };
  markers.push(marker(950), marker(951), 'PLANTED PRIVATE CREATOR');
  // A block the standard knows (GEMS_PARM_01, reserved at xx = 11): one safe attribute (xx27), one not (xx01).
  dict['00430011'] = { vr: 'LO', Value: ['GEMS_PARM_01'] };
  dict['00431127'] = { vr: 'SH', Value: [marker(970)] };
  dict['00431101'] = { vr: 'LO', Value: [marker(971)] };
  // NQHeader xx02, Analyzed Series UID: safe, but a UID, so still replaced.
  dict['00990010'] = { vr: 'LO', Value: ['NQHeader'] };
  dict['00991002'] = { vr: 'UI', Value: [`${UID_ROOT}972`] };
  markers.push(marker(970), marker(971), 'GEMS_PARM_01', 'NQHeader');
  // Curve and overlay repeating groups.
  dict['50000000'] = { vr: 'LO', Value: [marker(960)] };
  dict['60004000'] = { vr: 'LT', Value: [marker(961)] };
  markers.push(marker(960), marker(961));
  dict['00080016'] = { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] };
  dict['00080060'] = { vr: 'CS', Value: ['CT'] };
  const meta: DicomDataset = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
    '00020003': { vr: 'UI', Value: [`${UID_ROOT}1`] },
    '00020010': { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] },
    '00020012': { vr: 'UI', Value: ['1.2.826.0.1.3680043.10.999'] },
  };
  const file = new dicomData.DicomDict(meta);
  file.dict = dict;
  return { bytes: writeDicom(file), markers, tags };
}

function found(bytes: Buffer, markers: string[]): string[] {
  return markers.filter((m) => bytes.includes(Buffer.from(m)));
}

function numbersEqual(ds: DicomDataset, value: number): string[] {
  const hits: string[] = [];
  for (const [tag, el] of Object.entries(ds)) {
    if (el.vr === 'SQ') for (const item of (el.Value ?? []) as DicomDataset[]) hits.push(...numbersEqual(item, value));
    else if ((el.Value ?? []).some((v) => v === value)) hits.push(tag);
  }
  return hits;
}

describe('de-identification against every attribute of Table E.1-1', () => {
  it('uses the whole table shipped in shared/ (when it is there)', async () => {
    const shipped = JSON.parse(await readFile(TABLE, 'utf8')) as Row[];
    expect(shipped.length).toBe(621);
    const shared = await readFile(SHARED_TABLE, 'utf8').catch(() => undefined);
    if (shared !== undefined) expect(JSON.parse(shared)).toEqual(shipped);
  });

  it('leaves none of the planted values anywhere in the output', async () => {
    const { bytes, markers, tags } = await plantedFile();
    // Every one of the 617 attributes with a fixed tag is planted; 384 carry a text marker.
    expect(tags.size).toBe(617);
    expect(markers.length).toBeGreaterThan(380);
    expect(found(bytes, markers)).toEqual(markers);
    expect(bytes.includes(Buffer.from(UID_ROOT))).toBe(true);

    const dicom = readDicom(bytes, DEFAULT_LIMITS);
    new Deidentifier().deidentify(dicom, { secret });
    const out = writeDicom(dicom);
    expect(found(out, markers)).toEqual([]);
    for (const residue of [UID_ROOT, '19370412', '134711', '31337', 'PLANTED', 'BIN!', '077Y']) {
      expect(out.includes(Buffer.from(residue)), residue).toBe(false);
    }
    expect(numbersEqual(readDicom(out, DEFAULT_LIMITS).dict, 31337)).toEqual([]);
  });

  it('keeps exactly what a chosen option retains, and nothing else', async () => {
    const { bytes, markers, tags } = await plantedFile();
    const dicom = readDicom(bytes, DEFAULT_LIMITS);
    new Deidentifier().deidentify(dicom, { secret, options: { retainDeviceIdentity: true } });
    const kept = found(writeDicom(dicom), markers).map((m) => tags.get(m));
    expect(kept).toContain('00181000 Device Serial Number');
    // Everything that survived is device identity under the option.
    const rows = JSON.parse(await readFile(TABLE, 'utf8')) as (Row & { rtnDevIdOpt?: string })[];
    const device = new Set(rows.filter((r) => r.rtnDevIdOpt).map((r) => `${r.id.toUpperCase()} ${r.name}`));
    expect(kept.filter((k) => !device.has(k!))).toEqual([]);
  });

  it('keeps only the private attributes Table E.3.10-1 lists as safe with Retain Safe Private, and their creators', async () => {
    const { bytes, markers } = await plantedFile();
    const dicom = readDicom(bytes, DEFAULT_LIMITS);
    new Deidentifier().deidentify(dicom, { secret, options: { retainSafePrivate: true } });
    const out = writeDicom(dicom);
    expect(found(out, markers).sort()).toEqual([marker(970), 'GEMS_PARM_01', 'NQHeader'].sort());
    const after = readDicom(out, DEFAULT_LIMITS).dict;
    expect(Object.keys(after).filter((t) => parseInt(t.slice(0, 4), 16) % 2 === 1).sort()).toEqual(['00430011', '00431127', '00990010', '00991002']);
    expect(String(after['00991002']?.Value?.[0])).toMatch(/^2\.25\./);
    const codes = (after['00120064']?.Value ?? []) as DicomDataset[];
    expect(codes.map((c) => c['00080100']?.Value?.[0])).toContain('113111');
  });
});
