// The archive reader's limits, judged from the central directory before
// anything is inflated, and the grouping of a study's images into series and
// stacks.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { DEFAULT_ARCHIVE_LIMITS, isNestedArchive, openArchive, readEntry } from '../../src/imaging/study/archive.js';
import { archiveHoldsDicom } from '../../src/imaging/study/archive-peek.js';
import { groupStudy, stackLength, stackPosition, type PlacedInstance } from '../../src/intake/study-summary.js';
import { renameEntry, studySlices, zipOf } from '../support/study-archive.js';

const codeOf = async (p: Promise<unknown>) => p.then(() => 'opened', (e: unknown) => (isLoupeError(e) ? e.code : String(e)));

/** A zip by hand: one stored entry, and `records` central directory records all pointing at it (the overlapping zip bomb's trick), `padding` bytes after it. */
function overlapping(data: Buffer, records: number, padding = 0): Buffer {
  const name = Buffer.from('IM1');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central: Buffer[] = [];
  for (let i = 0; i < records; i++) {
    const r = Buffer.alloc(46);
    r.writeUInt32LE(0x02014b50, 0);
    r.writeUInt16LE(20, 4);
    r.writeUInt16LE(20, 6);
    r.writeUInt32LE(crc, 16);
    r.writeUInt32LE(data.length, 20);
    r.writeUInt32LE(data.length, 24);
    r.writeUInt16LE(name.length, 28);
    central.push(r, name);
  }
  const body = Buffer.concat([local, name, data, Buffer.alloc(padding)]);
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(records, 8);
  end.writeUInt16LE(records, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(body.length, 16);
  return Buffer.concat([body, directory, end]);
}

describe('a study archive’s limits', () => {
  it('refuses entries that share their compressed bytes, before inflating any', async () => {
    const data = Buffer.alloc(4096, 7);
    expect(await codeOf(openArchive(overlapping(data, 1), DEFAULT_ARCHIVE_LIMITS, DEFAULT_LIMITS))).toBe('opened');
    expect(await codeOf(openArchive(overlapping(data, 3), DEFAULT_ARCHIVE_LIMITS, DEFAULT_LIMITS))).toBe('LOUPE_ARCHIVE_TOO_LARGE');
    // Padded so that together they claim less than the archive holds: still two entries over one stream.
    expect(await codeOf(openArchive(overlapping(data, 2, 64 * 1024), DEFAULT_ARCHIVE_LIMITS, DEFAULT_LIMITS))).toBe('LOUPE_ARCHIVE_TOO_LARGE');
    expect(await codeOf(openArchive(overlapping(data, 1, 64 * 1024), DEFAULT_ARCHIVE_LIMITS, DEFAULT_LIMITS))).toBe('opened');
  });

  it('refuses more entries, more unpacked bytes or a larger entry than its limits allow, and a ratio beyond any real study', async () => {
    const slices = await studySlices({ patient: { name: 'A^B', identifier: 'X1' }, series: [3] });
    const zip = await zipOf(slices);
    const open = (limits: Partial<typeof DEFAULT_ARCHIVE_LIMITS>, imaging = DEFAULT_LIMITS) => codeOf(openArchive(zip, { ...DEFAULT_ARCHIVE_LIMITS, ...limits }, imaging));
    expect(await open({})).toBe('opened');
    expect(await open({ maxEntries: 2 })).toBe('LOUPE_ARCHIVE_TOO_LARGE');
    expect(await open({ maxUnpackedBytes: slices[0]!.data.length * 2 })).toBe('LOUPE_ARCHIVE_TOO_LARGE');
    expect(await open({}, { ...DEFAULT_LIMITS, maxBytes: 1000 })).toBe('LOUPE_ARCHIVE_TOO_LARGE');
    const bomb = await zipOf([{ name: 'ZEROS', data: Buffer.alloc(8 * 1024 * 1024) }]);
    expect(await codeOf(openArchive(bomb, DEFAULT_ARCHIVE_LIMITS, DEFAULT_LIMITS))).toBe('LOUPE_ARCHIVE_TOO_LARGE');
  });

  it('refuses absolute and parent-relative names, and names none of them in its error', async () => {
    const data = Buffer.from('x');
    for (const [from, to] of [
      ['xx/PATIENTDOE', '../PATIENTDOE'],
      ['xPATIENTDOE', '/PATIENTDOE'],
    ] as const) {
      const zip = renameEntry(await zipOf([{ name: from, data }]), from, to.padEnd(from.length, '_').slice(0, from.length));
      const error = await openArchive(zip, DEFAULT_ARCHIVE_LIMITS, DEFAULT_LIMITS).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(isLoupeError(error) && error.code).toBe('LOUPE_ARCHIVE_UNSAFE_NAME');
      expect(error!.message).not.toContain('PATIENTDOE');
    }
  });

  it('holds an entry to the size it declared while inflating it', async () => {
    const zip = await zipOf([{ name: 'A', data: Buffer.alloc(5000, 1) }]);
    // The central directory now says 4000 bytes (the local header is not read for sizes): inflating finds more.
    const at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(4000, at + 24);
    const archive = await openArchive(zip, DEFAULT_ARCHIVE_LIMITS, DEFAULT_LIMITS);
    expect(await codeOf(readEntry(archive, archive.files[0]!))).not.toBe('opened');
  });

  it('knows another archive inside by its first bytes, whatever its name', async () => {
    expect(isNestedArchive(await zipOf([{ name: 'a', data: Buffer.from('a') }]))).toBe(true);
    const tar = Buffer.alloc(512);
    tar.write('ustar', 257);
    expect(isNestedArchive(tar)).toBe(true);
    expect(isNestedArchive(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe(true);
    expect(isNestedArchive(Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]))).toBe(false);
  });

  it('takes a zip for a study only when it holds DICOM, whatever the entries are called', async () => {
    const [slice] = await studySlices({ patient: { name: 'A^B', identifier: 'X1' }, series: [1] });
    expect(await archiveHoldsDicom(await zipOf([{ name: 'notes.txt', data: Buffer.from('hello') }, { name: 'scan', data: slice!.data }]))).toBe(true);
    expect(await archiveHoldsDicom(await zipOf([{ name: 'IM000001.dcm', data: Buffer.from('not dicom at all') }]))).toBe(false);
    expect(await archiveHoldsDicom(Buffer.from('PK\x03\x04 and then nothing'))).toBe(false);
  });
});

describe('a study’s series and stacks', () => {
  const at = (part: number, seriesUid: string, seriesNumber: number | undefined, instanceNumber: number | undefined, sliceLocation?: number, frames = 1): PlacedInstance => ({
    part,
    studyUid: '1.2.3',
    seriesUid,
    seriesNumber,
    instanceNumber,
    sliceLocation,
    frames,
    modality: 'CT',
    bodyPart: undefined,
  });

  it('orders series by number and each stack by instance number, then slice location, then archive order', () => {
    const study = groupStudy([at(0, 'b', 3, 2), at(1, 'a', 1, undefined, 5), at(2, 'b', 3, 1), at(3, 'a', 1, undefined, -5), at(4, 'c', undefined, 1)], 2);
    expect(study).not.toBe('several');
    if (study === 'several') return;
    expect(study.series.map((s) => [s.number, s.instances.map((i) => i.part)])).toEqual([
      [1, [3, 1]],
      [3, [2, 0]],
      [undefined, [4]],
    ]);
    expect([study.images, study.skipped]).toEqual([5, 2]);
  });

  it('says when the images belong to more than one study', () => {
    expect(groupStudy([at(0, 'a', 1, 1), { ...at(1, 'b', 2, 1), studyUid: '9.9' }], 0)).toBe('several');
  });

  it('maps a stack position to its instance and frame across multi-frame instances', () => {
    const series = { instances: [{ part: 4, frames: 1 }, { part: 7, frames: 3 }, { part: 2, frames: 1 }] };
    expect(stackLength(series)).toBe(5);
    expect([0, 1, 3, 4].map((i) => stackPosition(series, i))).toEqual([
      { part: 4, frame: 0 },
      { part: 7, frame: 0 },
      { part: 7, frame: 2 },
      { part: 2, frame: 0 },
    ]);
    expect(stackPosition(series, 5)).toBeUndefined();
    expect(stackPosition(series, -1)).toBeUndefined();
  });
});
