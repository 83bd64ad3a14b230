// Patients' own access as use cases, on both engines: a privacy officer who
// ticked "identity verified" issues a link (a workspace admin cannot; no tick,
// no link); the code is single-use and five wrong codes lock the link; the
// session sees its own patient's stored images only (the bytes as stored,
// another patient's image is not there), and stops at once when the link is
// revoked or expires; the patient's own views are in their accounting of
// disclosures as theirs.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAccess } from '../../src/app/console/console-access.js';
import type { ConsoleCaller } from '../../src/app/console/console-caller.js';
import { issuePatientAccess, revokePatientAccess, findPatientForAccess, type IssuedLink } from '../../src/app/console/patient-access.js';
import { endPatientSession, enterPatientCode, openPatientLink, patientAssets, patientReport, patientRequest, readPatientBlob, type PatientAccessDeps } from '../../src/app/patient-access/patient-session.js';
import { producePatientReport } from '../../src/app/patient-report.js';
import { AuditAction } from '../../src/core/audit/event.js';
import type { DisclosureRow } from '../../src/core/audit/disclosure.js';
import { ErrorCode } from '../../src/core/errors.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { TestClock } from './viewer/viewer-fixture.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { asJson } from '../support/json.js';

const MRN = 'MRN-PA-4411';
const OTHER_MRN = 'MRN-PA-4412';
const ISSUER = 'HOSP';
const SYSTEM = { type: 'system' as const, id: 'test' };

async function read(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe.each(testEngines())('patients’ own access on %s', (engine) => {
  let s: TestStorage;
  let clock: TestClock;
  let workspaceId: string;
  let patientId: string;
  let photo: { id: string; bytes: Buffer };
  let dicom: { id: string; bytes: Buffer };
  let shreddedId: string;
  let otherPhotoId: string;
  const deps = (): PatientAccessDeps => ({ storage: s, clock });

  /** A console caller decided by the real rules: a privacy officer, or a workspace admin of this workspace. */
  async function caller(who: 'officer' | 'admin'): Promise<ConsoleCaller> {
    const access = await consoleAccess(
      {
        links: { linksOf: async () => (who === 'admin' ? [{ workspaceId, chatUserId: 'U0ADMIN001' }] : []) },
        directory: { isAdmin: async () => who === 'admin', channelsAdministered: async () => [] },
        rules: { privacyOfficerGroups: ['privacy'], requireMfa: true },
        mfaAcr: ['mfa'],
      },
      { issuer: 'https://idp.example', subject: `sub-${who}`, groups: who === 'officer' ? ['privacy'] : [], acr: 'mfa', amr: [] },
    );
    return { storage: s, queue: new JobQueue({ db: s.db, clock, audit: s.audit }), access, actor: { type: 'user', id: `sub-${who}` }, requestId: 'req-test', clock };
  }

  async function storedAsset(patient: string, kind: 'photo' | 'dicom_instance', blobKind: 'derivative' | 'original', bytes: Buffer): Promise<string> {
    const a = await s.db.prisma.asset.create({ data: { workspaceId, patientId: patient, uploaderId: 'U0CLIN0001', kind, status: 'stored', sourceRef: `F${randomBytes(6).toString('hex')}`, metadata: kind === 'photo' ? {} : { modality: 'CT' } } });
    await s.blobs.put({ assetId: a.id, kind: blobKind, mediaType: kind === 'photo' ? 'image/jpeg' : 'application/dicom', body: Readable.from([bytes]), actor: SYSTEM });
    return a.id;
  }

  const issue = async (o: Partial<Parameters<typeof issuePatientAccess>[1]> = {}): Promise<IssuedLink> =>
    issuePatientAccess(await caller('officer'), { identifier: MRN, issuer: ISSUER, identityVerified: true, days: 7, issuerName: 'Noor Haddad', ...o });
  const wrongCode = (code: string) => String((Number(code) + 1) % 1e8).padStart(8, '0');

  beforeAll(async () => {
    clock = new TestClock(Date.parse('2026-11-30T09:00:00Z'));
    s = await createTestStorage(engine, { clock });
    workspaceId = (await s.workspaces.ensure('slack', 'T0PATIENT', 'Test Hospital', SYSTEM)).id;
    patientId = await s.patients.link(workspaceId, { identifier: MRN, issuer: ISSUER }, SYSTEM);
    const other = await s.patients.link(workspaceId, { identifier: OTHER_MRN, issuer: ISSUER }, SYSTEM);
    photo = { bytes: randomBytes(5000), id: '' };
    photo.id = await storedAsset(patientId, 'photo', 'derivative', photo.bytes);
    dicom = { bytes: randomBytes(9000), id: '' };
    dicom.id = await storedAsset(patientId, 'dicom_instance', 'original', dicom.bytes);
    shreddedId = (await s.db.prisma.asset.create({ data: { workspaceId, patientId, uploaderId: 'U0CLIN0001', kind: 'photo', status: 'shredded', shreddedAt: clock.now(), sourceRef: 'F-SHRED' } })).id;
    otherPhotoId = await storedAsset(other, 'photo', 'derivative', randomBytes(100));
  });
  afterAll(() => s?.cleanup());

  it('issues only to a privacy officer who ticked that the identity is verified, keeping neither the token nor the code', async () => {
    await expect(issuePatientAccess(await caller('admin'), { identifier: MRN, issuer: ISSUER, identityVerified: true, days: 7, issuerName: 'Jordan' })).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(await s.db.prisma.auditEvent.count({ where: { action: AuditAction.ConsoleRefused, details: { path: ['action'], equals: 'issue_patient_access' } } })).toBe(1);
    await expect(issue({ identityVerified: false })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(issue({ days: 31 })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(issue({ identifier: 'MRN-NOBODY' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(await s.db.prisma.patientAccessLink.count()).toBe(0);

    const issued = await issue();
    expect(issued.code).toMatch(/^\d{8}$/);
    expect(issued.expiresAt).toEqual(new Date(clock.now().getTime() + 7 * 86_400_000));
    const rows = JSON.stringify(await s.db.prisma.patientAccessLink.findMany());
    expect(rows).not.toContain(issued.token);
    expect(rows).not.toContain(issued.code);
    const event = await s.db.prisma.auditEvent.findFirstOrThrow({ where: { action: AuditAction.PatientAccessIssued } });
    expect(event).toMatchObject({ actorId: 'sub-officer', patientId, workspaceId, details: { linkId: issued.linkId, identityVerified: true } });
    const trail = asJson(await s.db.prisma.auditEvent.findMany());
    for (const secret of [MRN, issued.token, issued.code]) expect(trail).not.toContain(secret);
    const [found] = await findPatientForAccess(await caller('officer'), { identifier: MRN, issuer: ISSUER });
    expect(found!.links.map((l) => [l.id, l.state, l.issuedBy])).toEqual([[issued.linkId, 'active', 'Noor Haddad']]);
  });

  it('locks a link after five wrong codes, audited; the right code then opens nothing', async () => {
    const issued = await issue();
    for (let i = 1; i <= 4; i++) expect(await enterPatientCode(deps(), { token: issued.token, code: wrongCode(issued.code) })).toEqual({ outcome: 'wrong', triesLeft: 5 - i });
    expect(await enterPatientCode(deps(), { token: issued.token, code: 'not a code' })).toEqual({ outcome: 'refused', reason: 'locked' });
    expect(await enterPatientCode(deps(), { token: issued.token, code: issued.code })).toEqual({ outcome: 'refused', reason: 'locked' });
    expect(await openPatientLink(deps(), issued.token)).toEqual({ outcome: 'refused', reason: 'locked' });
    const refused = await s.db.prisma.auditEvent.findMany({ where: { action: AuditAction.PatientAccessCodeRefused, actorId: issued.linkId }, orderBy: { seq: 'asc' } });
    expect(refused.map((e) => (e.details as { failures: number; locked: boolean }).locked)).toEqual([false, false, false, false, true]);
    expect(refused.every((e) => e.actorType === 'patient' && e.patientId === patientId)).toBe(true);
    expect(await s.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientAccessOpened, actorId: issued.linkId } })).toBe(0);
  });

  it('takes the code once: it opens one session, and a second use is refused', async () => {
    const issued = await issue();
    expect(await openPatientLink(deps(), issued.token)).toEqual({ outcome: 'ask_code' });
    const opened = await enterPatientCode(deps(), { token: issued.token, code: ` ${issued.code.slice(0, 4)} ${issued.code.slice(4)} ` });
    expect(opened).toMatchObject({ outcome: 'opened', endsAt: new Date(clock.now().getTime() + 3600_000) });
    expect(await enterPatientCode(deps(), { token: issued.token, code: issued.code })).toEqual({ outcome: 'refused', reason: 'code_used' });
    expect(await openPatientLink(deps(), issued.token)).toEqual({ outcome: 'refused', reason: 'code_used' });
    expect(await openPatientLink(deps(), 'x'.repeat(43))).toEqual({ outcome: 'unknown' });

    // Signing out ends the session at once, audited once.
    if (opened.outcome !== 'opened') throw new Error(opened.outcome);
    await endPatientSession(deps(), opened.sessionToken);
    await endPatientSession(deps(), opened.sessionToken);
    expect(await patientRequest(deps(), { sessionToken: opened.sessionToken, ask: { what: 'list' } })).toEqual({ outcome: 'refused', reason: 'session_ended' });
    expect(await s.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientAccessEnded, actorId: issued.linkId, actorType: 'patient', patientId } })).toBe(1);
  });

  it('shows the session its own patient’s stored images only, bytes as stored; another patient’s image is not found', async () => {
    const issued = await issue();
    const opened = await enterPatientCode(deps(), { token: issued.token, code: issued.code });
    if (opened.outcome !== 'opened') throw new Error('not opened');
    const list = await patientRequest(deps(), { sessionToken: opened.sessionToken, ask: { what: 'list' } });
    if (list.outcome !== 'allowed') throw new Error('refused');
    expect(list.session).toMatchObject({ linkId: issued.linkId, patientId, workspaceId });
    expect((await patientAssets(deps(), list.session)).map((a) => [a.id, a.kind, a.modality])).toEqual([
      [photo.id, 'photo', null],
      [dicom.id, 'dicom_instance', 'CT'],
    ]);
    const photoAsk = await patientRequest(deps(), { sessionToken: opened.sessionToken, ask: { what: 'photo', assetId: photo.id } });
    expect(photoAsk.outcome).toBe('allowed');
    expect(await read((await readPatientBlob(deps(), list.session, photo.id, 'photo'))!.body)).toEqual(photo.bytes);
    expect((await patientRequest(deps(), { sessionToken: opened.sessionToken, ask: { what: 'original', assetId: dicom.id } })).outcome).toBe('allowed');
    expect(await read((await readPatientBlob(deps(), list.session, dicom.id, 'original'))!.body)).toEqual(dicom.bytes);

    for (const assetId of [otherPhotoId, shreddedId, 'not-an-id']) {
      expect(await patientRequest(deps(), { sessionToken: opened.sessionToken, ask: { what: 'photo', assetId } })).toEqual({ outcome: 'not_found' });
    }
    // A DICOM's original is not a photo, and a photo has no original to download here.
    expect(await patientRequest(deps(), { sessionToken: opened.sessionToken, ask: { what: 'original', assetId: photo.id } })).toEqual({ outcome: 'not_found' });
    expect(await patientRequest(deps(), { sessionToken: 'y'.repeat(43), ask: { what: 'list' } })).toEqual({ outcome: 'no_session' });

    const viewed = await s.db.prisma.auditEvent.findMany({ where: { action: AuditAction.PatientAccessViewed, actorId: issued.linkId }, orderBy: { seq: 'asc' } });
    expect(viewed.map((e) => [e.assetId, (e.details as { what: string }).what])).toEqual([
      [null, 'list'],
      [photo.id, 'photo'],
      [dicom.id, 'original'],
    ]);
    expect(await s.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientAccessRefused, actorId: issued.linkId, reason: 'not_found' } })).toBe(4);
    expect(await s.db.prisma.auditEvent.count({ where: { action: AuditAction.BlobRead, actorType: 'patient', actorId: issued.linkId } })).toBe(2);

    // The patient's own views are in their accounting of disclosures, as theirs; in the other patient's, nothing of theirs.
    clock.advance(1000);
    const report = await patientReport(deps(), list.session);
    const rows: DisclosureRow[] = [];
    for await (const r of report.rows()) rows.push(r);
    const own = rows.filter((r) => r.who.id === issued.linkId);
    expect(own.map((r) => [r.who.role, r.who.name, r.purpose, r.what?.id ?? null])).toEqual([
      ['patient', 'The patient', 'own access', null],
      ['patient', 'The patient', 'own access', photo.id],
      ['patient', 'The patient', 'own access', dicom.id],
    ]);
    const officer = await caller('officer');
    const theirs = await producePatientReport({ db: s.db, audit: s.audit, patients: s.patients, clock, workspaceIds: [workspaceId], identifier: OTHER_MRN, issuer: ISSUER, actor: officer.actor, via: 'cli' });
    for await (const r of theirs.rows()) expect(r.who.id).not.toBe(issued.linkId);
  });

  it('stops an open session at once when its link is revoked, expires, or is left idle', async () => {
    const open = async () => {
      const issued = await issue({ days: 1 });
      const opened = await enterPatientCode(deps(), { token: issued.token, code: issued.code });
      if (opened.outcome !== 'opened') throw new Error('not opened');
      expect((await patientRequest(deps(), { sessionToken: opened.sessionToken, ask: { what: 'list' } })).outcome).toBe('allowed');
      return { ...issued, session: opened.sessionToken };
    };
    const revoked = await open();
    // Only someone who may issue may revoke.
    await expect(revokePatientAccess(await caller('admin'), revoked.linkId)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await revokePatientAccess(await caller('officer'), revoked.linkId);
    expect(await patientRequest(deps(), { sessionToken: revoked.session, ask: { what: 'photo', assetId: photo.id } })).toEqual({ outcome: 'refused', reason: 'revoked' });
    expect(await openPatientLink(deps(), revoked.token)).toEqual({ outcome: 'refused', reason: 'revoked' });
    expect(await s.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientAccessRevoked, details: { path: ['linkId'], equals: revoked.linkId } } })).toBe(1);

    const idle = await open();
    clock.advance(15 * 60_000);
    expect(await patientRequest(deps(), { sessionToken: idle.session, ask: { what: 'list' } })).toEqual({ outcome: 'refused', reason: 'session_idle' });

    const expiring = await open();
    // Used every ten minutes, the session lasts its hour, then ends.
    for (let i = 0; i < 5; i++) {
      clock.advance(10 * 60_000);
      expect((await patientRequest(deps(), { sessionToken: expiring.session, ask: { what: 'list' } })).outcome).toBe('allowed');
    }
    clock.advance(10 * 60_000);
    expect(await patientRequest(deps(), { sessionToken: expiring.session, ask: { what: 'list' } })).toEqual({ outcome: 'refused', reason: 'session_ended' });
    clock.advance(24 * 3600_000);
    expect(await openPatientLink(deps(), expiring.token)).toEqual({ outcome: 'refused', reason: 'expired' });
    expect(await patientRequest(deps(), { sessionToken: expiring.session, ask: { what: 'list' } })).toEqual({ outcome: 'refused', reason: 'expired' });
    const [found] = await findPatientForAccess(await caller('officer'), { identifier: MRN, issuer: ISSUER });
    expect(found!.links.find((l) => l.id === revoked.linkId)?.state).toBe('revoked');
    expect(found!.links.find((l) => l.id === expiring.linkId)).toMatchObject({ state: 'expired', uses: 6 });
  });

  it('refuses an expired link’s code before it is checked', async () => {
    const issued = await issue({ days: 1 });
    clock.advance(86_400_000);
    expect(await enterPatientCode(deps(), { token: issued.token, code: issued.code })).toEqual({ outcome: 'refused', reason: 'expired' });
    expect(await s.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientAccessRefused, actorId: issued.linkId, reason: 'expired' } })).toBe(1);
  });

  it('never hands a whole study’s zip to its patient: what Loupe skipped in it may name anyone', async () => {
    const study = await s.db.prisma.asset.create({ data: { workspaceId, patientId, uploaderId: 'U0CLIN0001', kind: 'dicom_study', status: 'stored', sourceRef: `F${randomBytes(6).toString('hex')}`, metadata: { modality: 'CT' } } });
    await s.blobs.put({ assetId: study.id, kind: 'original', mediaType: 'application/zip', body: Readable.from([randomBytes(700)]), actor: SYSTEM });
    const issued = await issue();
    const opened = await enterPatientCode(deps(), { token: issued.token, code: issued.code });
    if (opened.outcome !== 'opened') throw new Error('not opened');
    const list = await patientRequest(deps(), { sessionToken: opened.sessionToken, ask: { what: 'list' } });
    if (list.outcome !== 'allowed') throw new Error('refused');
    expect((await patientAssets(deps(), list.session)).map((a) => a.id)).toContain(study.id);
    expect(await readPatientBlob(deps(), list.session, study.id, 'original')).toBeUndefined();
    expect(await readPatientBlob(deps(), list.session, dicom.id, 'original')).toBeDefined();
  });
});
