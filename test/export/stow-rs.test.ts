// Exports to a real PACS: Debian's Orthanc with its DICOMweb plugin, behind
// HTTP basic authentication on loopback. What was stored is checked the way a
// PACS admin would, through Orthanc's own REST API; the failures are Orthanc's
// real answers.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { storeInstances, type PacsAuth } from '../../src/export/stow-rs.js';
import { toBaselineJpeg } from '../../src/imaging/baseline-jpeg.js';
import { buildVlPhotographic } from '../../src/imaging/dicom/vl-photographic.js';
import { freePort } from '../support/free-port.js';
import { startOrthancDicomWeb, type OrthancDicomWeb } from '../support/orthanc-dicomweb.js';
import { twoToneRaw } from '../support/photos.js';
import { CT_SMALL, CT_SMALL_SOP_INSTANCE_UID, stowRefusal } from '../support/stow.js';

/** CT_small's own header. */
const CT = { patientId: '1CT1', patientName: 'CompressedSamples^CT1', studyUid: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322' };

async function photo(patientId: string, name: string) {
  const png = await sharp(twoToneRaw(), { raw: { width: 300, height: 200, channels: 3 } }).png().toBuffer();
  return buildVlPhotographic({
    jpeg: await toBaselineJpeg(png),
    patient: { id: patientId, issuer: 'GENERAL-HOSPITAL', name },
    capturedAt: new Date('2026-11-30T10:11:12Z'),
    uidRoot: '1.2.826.0.1.3680043.10.1234',
    manufacturer: 'Loupe',
    softwareVersion: '1.4.0',
  });
}


interface Tags {
  ID: string;
  MainDicomTags: Record<string, string>;
}

describe('STOW-RS to Orthanc with DICOMweb', () => {
  let pacs: OrthancDicomWeb;
  let auth: PacsAuth;
  let ct: Buffer;
  beforeAll(async () => {
    pacs = await startOrthancDicomWeb();
    auth = { kind: 'basic', user: pacs.user, password: pacs.password };
    ct = await readFile(CT_SMALL);
  });
  afterAll(async () => {
    await pacs?.stop();
  });

  /** Orthanc's patient and study records of a stored instance, by the instance's SOP Instance UID. */
  async function recordsOf(sopInstanceUid: string) {
    const found = await pacs.get('/instances?expand');
    const instance = (found.json as (Tags & { ParentSeries: string })[]).find((i) => i.MainDicomTags.SOPInstanceUID === sopInstanceUid);
    if (!instance) return undefined;
    const series = (await pacs.get(`/series/${instance.ParentSeries}`)).json as Tags & { ParentStudy: string };
    const study = (await pacs.get(`/studies/${series.ParentStudy}`)).json as Tags & { ParentPatient: string; PatientMainDicomTags: Record<string, string> };
    const patient = (await pacs.get(`/patients/${study.ParentPatient}`)).json as Tags;
    return { patient: patient.MainDicomTags, study: study.MainDicomTags, series: series.MainDicomTags };
  }

  it('stores a VL photo and a CT in one request, filed under their patients and studies', async () => {
    const vl = await photo('MRN-4471', 'Ødegård^Åse');
    const result = await storeInstances({ url: new URL(pacs.dicomWebRoot), auth, instances: [vl.bytes, ct], timeoutMs: 20_000 });
    expect(result.httpStatus).toBe(200);
    expect(result.instances).toEqual([
      { sopInstanceUid: vl.sopInstanceUid, status: 'stored' },
      { sopInstanceUid: CT_SMALL_SOP_INSTANCE_UID, status: 'stored' },
    ]);

    const photoRecords = await recordsOf(vl.sopInstanceUid);
    expect(photoRecords?.patient).toMatchObject({ PatientID: 'MRN-4471', PatientName: 'Ødegård^Åse' });
    expect(photoRecords?.study.StudyInstanceUID).toBe(vl.studyInstanceUid);
    expect(photoRecords?.series).toMatchObject({ Modality: 'XC', SeriesInstanceUID: vl.seriesInstanceUid });
    const ctRecords = await recordsOf(CT_SMALL_SOP_INSTANCE_UID);
    expect(ctRecords?.patient).toMatchObject({ PatientID: CT.patientId, PatientName: CT.patientName });
    expect(ctRecords?.study.StudyInstanceUID).toBe(CT.studyUid);
  });

  it('is refused, not to be retried, with a wrong password; nothing is stored', async () => {
    const vl = await photo('MRN-5000', 'Doe^Jane');
    const error = await stowRefusal(storeInstances({ url: new URL(pacs.dicomWebRoot), auth: { ...auth, password: 'wrong' } as PacsAuth, instances: [vl.bytes], timeoutMs: 20_000 }));
    expect(error.code).toBe(ErrorCode.PacsAuthRefused);
    expect(error.retryable).toBe(false);
    expect(error.httpStatus).toBe(401);
    expect(await recordsOf(vl.sopInstanceUid)).toBeUndefined();
  });

  it('is refused, not to be retried, when the body is not DICOM (Orthanc answers 400)', async () => {
    const error = await stowRefusal(storeInstances({ url: new URL(pacs.dicomWebRoot), auth, instances: [Buffer.from('Doe^Jane, not a DICOM file')], timeoutMs: 20_000 }));
    expect(error.code).toBe(ErrorCode.PacsRefused);
    expect(error.retryable).toBe(false);
    expect(error.httpStatus).toBe(400);
    expect(error.message).not.toContain('Doe');
  });

  it("reports each instance of a mixed request: Orthanc stores the good one and answers 400, not PS3.18's 202", async () => {
    const vl = await photo('MRN-6000', 'Doe^John');
    const result = await storeInstances({ url: new URL(pacs.dicomWebRoot), auth, instances: [vl.bytes, Buffer.from('not DICOM')], timeoutMs: 20_000 });
    expect(result.httpStatus).toBe(400);
    expect(result.instances).toEqual([
      { sopInstanceUid: vl.sopInstanceUid, status: 'stored' },
      { sopInstanceUid: undefined, status: 'failed' },
    ]);
    expect((await recordsOf(vl.sopInstanceUid))?.patient.PatientID).toBe('MRN-6000');
  });

  it('is unavailable, to be retried, when nothing listens at the PACS address', async () => {
    const closed = new URL(`http://127.0.0.1:${await freePort()}/dicom-web`);
    const error = await stowRefusal(storeInstances({ url: closed, auth, instances: [ct], timeoutMs: 20_000 }));
    expect(error.code).toBe(ErrorCode.PacsUnavailable);
    expect(error.retryable).toBe(true);
    expect(error.httpStatus).toBeUndefined();
  });
});

describe('STOW-RS to an Orthanc that has stopped', () => {
  it('is unavailable, to be retried', async () => {
    const pacs = await startOrthancDicomWeb();
    await pacs.stop();
    const error = await stowRefusal(
      storeInstances({ url: new URL(pacs.dicomWebRoot), auth: { kind: 'basic', user: pacs.user, password: pacs.password }, instances: [await readFile(CT_SMALL)], timeoutMs: 20_000 }),
    );
    expect(error.code).toBe(ErrorCode.PacsUnavailable);
    expect(error.retryable).toBe(true);
  });
});
