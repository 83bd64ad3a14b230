// Whole studies shared as a zip: a CD export (DICOMDIR by DCMTK, a README, a
// viewer's autorun) or a zipped series becomes one study asset with one card
// saying what it is (modality, series and image counts), its images grouped
// and stacked whatever the zip's order, each kept as it came and
// de-identified, encrypted, and the zip taken out of the chat. Archives that
// would be dangerous to unpack, or that mix patients or studies, are refused
// with their reason told to the uploader, no card posted, the zip out of the
// chat and its encrypted original kept. A zip of anything else is left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import type { Loupe } from '../../src/main.js';
import type { SlackStandIn } from '../../src/demo/slack/index.js';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import type { StudySummary } from '../../src/intake/study-summary.js';
import { SLACK_ADMIN, startSlackLoupe, until, type SlackLoupe } from '../support/slack.js';
import { cdExport, markEncrypted, renameEntry, studySlices, zipOf } from '../support/study-archive.js';

const RADIOLOGY = 'C0RADIOL01';
const CLINICIAN = 'U0CLIN0001';
const PATIENT = { name: 'STUDYPATIENT^ZELDA', identifier: 'MRN-STUDY-01' };
const OTHER = { name: 'OTHERPATIENT^YURI', identifier: 'MRN-STUDY-02' };

describe('a whole study shared as a zip', () => {
  let env: SlackLoupe;
  let loupe: Loupe;
  let slack: SlackStandIn;

  beforeAll(async () => {
    env = await startSlackLoupe('pglite', { giveAdminToken: true });
    ({ loupe, slack } = env);
    await loupe.services.storage.policies.change(env.workspaceId, RADIOLOGY, { interception: true }, { type: 'admin', id: SLACK_ADMIN });
  });
  afterAll(() => env?.close());

  const assetOf = (fileId: string) =>
    loupe.services.storage.db.prisma.asset.findFirstOrThrow({ where: { workspaceId: env.workspaceId, sourceRef: fileId }, include: { blobs: true } });

  async function upload(bytes: Buffer, name = 'study.zip') {
    return slack.uploadFile({ user: CLINICIAN, channel: RADIOLOGY, name, bytes, mimetype: 'application/zip' });
  }

  async function read(blobId: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await loupe.services.storage.blobs.open(blobId, { type: 'system', id: 'test' })) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  it('makes a CD export one study with one card, its series in order and each stacked by instance, the zip out of the chat', async () => {
    const up = await upload(await cdExport({ patient: PATIENT, series: [3, 2] }));
    const card = await until('the card', () => slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts), 120_000);
    const said = String(card.params.text) + JSON.stringify(card.params.blocks);
    expect(said).toContain('DICOM study · CT · 2 series · 5 images');
    expect(said).not.toContain('ZELDA');
    expect(said).not.toContain(PATIENT.identifier);
    // One card for the whole archive.
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts)).toHaveLength(1);
    await until('the zip taken out of the chat', () => slack.file(up.fileId)?.deleted);

    const asset = await until('the study stored', async () => {
      const a = await assetOf(up.fileId);
      return a.status === 'stored' ? a : undefined;
    });
    expect(asset.kind).toBe('dicom_study');
    expect(asset.patientId).not.toBeNull();
    const study = (asset.metadata as { study: StudySummary }).study;
    // DICOMDIR, README and the autorun are not images.
    expect(study.images).toBe(5);
    expect(study.skipped).toBe(3);
    expect(study.series.map((s) => [s.number, s.modality, s.instances.length])).toEqual([
      [1, 'CT', 3],
      [2, 'CT', 2],
    ]);
    // Each series' stack is in Instance Number order, whatever the zip's order: read back from the stored instances.
    for (const series of study.series) {
      const numbers: number[] = [];
      for (const { part } of series.instances) {
        const blob = asset.blobs.find((b) => b.kind === 'instance' && b.part === part)!;
        numbers.push(Number(readInstance(await read(blob.id), DEFAULT_LIMITS).dicom.dict['00200013']!.Value![0]));
      }
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    }
    // Each image also kept de-identified: the patient gone from every derivative; a thumbnail per series.
    const derivatives = asset.blobs.filter((b) => b.kind === 'derivative');
    expect(derivatives).toHaveLength(5);
    for (const blob of derivatives) {
      const bytes = await read(blob.id);
      expect(bytes.includes('ZELDA')).toBe(false);
      expect(bytes.includes(PATIENT.identifier)).toBe(false);
    }
    expect(asset.blobs.filter((b) => b.kind === 'preview').map((b) => b.part).sort()).toEqual([0, 1]);
    expect(asset.blobs.find((b) => b.kind === 'original')?.mediaType).toBe('application/zip');
  }, 180_000);

  it('takes a plain zipped series too', async () => {
    const slices = await studySlices({ patient: PATIENT, series: [4], modality: 'MR' });
    // One slice twice (a careless export): shown once.
    const entries = slices.map(({ name, data }) => ({ name: `series/${name.split('/').pop()}.dcm`, data }));
    const up = await upload(await zipOf([...entries, { name: 'series/copy-of-first.dcm', data: entries[0]!.data }]));
    const card = await until('the card', () => slack.calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts), 120_000);
    expect(String(card.params.text) + JSON.stringify(card.params.blocks)).toContain('DICOM study · MR · 1 series · 4 images');
  }, 180_000);

  const refusals: [string, () => Promise<Buffer>, string, string][] = [
    [
      'a name reaching outside the archive',
      async () => renameEntry(await zipOf((await studySlices({ patient: PATIENT, series: [2] })).map((s, i) => ({ name: i === 1 ? 'xx/xx/xx/IM2' : s.name, data: s.data }))), 'xx/xx/xx/', '../../../'),
      'LOUPE_ARCHIVE_UNSAFE_NAME',
      'named outside the archive',
    ],
    [
      'a zip bomb (an entry claiming a thousandfold)',
      async () => zipOf([...(await studySlices({ patient: PATIENT, series: [1] })), { name: 'DICOM/PAD', data: Buffer.alloc(64 * 1024 * 1024) }]),
      'LOUPE_ARCHIVE_TOO_LARGE',
      'unpacks to more than Loupe accepts',
    ],
    [
      'an archive inside the archive',
      async () => {
        const slices = await studySlices({ patient: PATIENT, series: [2] });
        return zipOf([slices[0]!, { name: 'MORE/INNER', data: await zipOf([slices[1]!]) }]);
      },
      'LOUPE_ARCHIVE_NESTED',
      'holds another archive',
    ],
    [
      'an entry protected by a password',
      async () => {
        const slices = await studySlices({ patient: PATIENT, series: [2] });
        return markEncrypted(await zipOf([slices[0]!, { name: 'LOCKED/IM2', data: slices[1]!.data }]), 'LOCKED/IM2');
      },
      'LOUPE_ARCHIVE_ENCRYPTED',
      'password-protected',
    ],
    ['images of two patients', async () => zipOf(await studySlices({ patient: PATIENT, series: [2, 2], otherPatient: OTHER })), 'LOUPE_ARCHIVE_MIXED_PATIENTS', 'more than one patient'],
    ['two studies', async () => zipOf(await studySlices({ patient: PATIENT, series: [1, 1], studyPerSeries: true })), 'LOUPE_ARCHIVE_SEVERAL_STUDIES', 'more than one study'],
    [
      'a report of another patient beside the images (the zip keeps it)',
      async () => {
        const slices = await studySlices({ patient: PATIENT, series: [2] });
        const [other] = await studySlices({ patient: OTHER, series: [1] });
        const report = readInstance(other!.data, DEFAULT_LIMITS);
        report.pixelData = undefined;
        return zipOf([...slices, { name: 'DICOM/SR000001', data: writeInstance(report) }]);
      },
      'LOUPE_ARCHIVE_MIXED_PATIENTS',
      'more than one patient',
    ],
    [
      'an image without a Patient ID beside images with one',
      async () => {
        const slices = await studySlices({ patient: PATIENT, series: [3] });
        const unnamed = readInstance(slices[2]!.data, DEFAULT_LIMITS);
        delete unnamed.dicom.dict['00100020'];
        return zipOf([slices[0]!, slices[1]!, { name: 'DICOM/IM9', data: writeInstance(unnamed) }]);
      },
      'LOUPE_ARCHIVE_MIXED_PATIENTS',
      'more than one patient',
    ],
  ];

  it.each(refusals)('refuses %s: the uploader told why, no card, the zip out of the chat, its encrypted original kept', async (_what, make, code, words) => {
    const up = await upload(await make());
    const note = await until('the uploader told', () => slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.params.thread_ts === up.ts), 120_000);
    expect(note.params.user).toBe(CLINICIAN);
    expect(String(note.params.text)).toContain(words);
    expect(String(note.params.text)).not.toContain('ZELDA');
    expect(slack.calls.some((c) => c.method === 'chat.postMessage' && c.params.thread_ts === up.ts)).toBe(false);
    await until('the zip taken out of the chat', () => slack.file(up.fileId)?.deleted);
    const asset = await assetOf(up.fileId);
    expect([asset.status, asset.errorCode]).toEqual(['failed', code]);
    expect(asset.blobs.map((b) => b.kind)).toContain('original');
    expect(asset.blobs.some((b) => b.kind === 'derivative')).toBe(false);
  }, 180_000);

  it('leaves a zip of anything else in the chat, untouched and unannounced', async () => {
    const up = await upload(await zipOf([{ name: 'minutes.txt', data: Buffer.from('Minutes of the M&M meeting.\n') }, { name: 'rota.csv', data: deflateRawSync(Buffer.from('a,b\n')) }]), 'notes.zip');
    const asset = await until('the upload judged', async () => {
      const a = await assetOf(up.fileId).catch(() => undefined);
      return a && a.status !== 'received' ? a : undefined;
    });
    expect([asset.status, asset.errorCode]).toEqual(['failed', 'LOUPE_NOT_AN_IMAGE']);
    expect(asset.blobs).toEqual([]);
    expect(slack.file(up.fileId)?.deleted).toBeFalsy();
  }, 120_000);
});
