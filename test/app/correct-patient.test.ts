// Correcting the patient of an image that stands on the wrong one: its sender
// or an admin moves it with a reason code; the audit trail names both patients
// and the code, never the free text (kept sealed with the image); links issued
// meanwhile stop working and the card's redraw is queued. Anyone else is
// refused, audited, and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctPatient, correctionRefusal } from '../../src/app/correct-patient.js';
import { AppJob } from '../../src/app/job-names.js';
import { readAssetText } from '../../src/app/sealed-text.js';
import { issueLinkToken } from '../../src/intake/link-token.js';
import { transaction } from '../../src/storage/transaction.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { consultWithCard, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };
const SENDER = { userId: REQUESTER, isAdmin: false };
const SYSTEM = { type: 'system' as const, id: 'test' };
const EXPLANATION = 'picked Jane Roe MRN-SECRET-77 by mistake';

describe.each(testEngines())('correctPatient on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  const deps = () => ({ ...chatDeps(s, clock).deps, patients: s.patients, dataKeys: s.dataKeys });
  /** A card whose image (and consult) stands on patient WRONG-1, with a View link handed out. */
  async function onWrongPatient() {
    const c = await consultWithCard(s, NOW);
    const wrong = await s.patients.link(c.workspaceId, { identifier: 'WRONG-1', issuer: 'ST-MARY' }, SYSTEM);
    await s.db.prisma.asset.update({ where: { id: c.assetId }, data: { patientId: wrong } });
    await s.db.prisma.consult.update({ where: { id: c.consultId }, data: { patientId: wrong } });
    await transaction(s.db, (tx) => issueLinkToken(tx, c.cardId, new Date(NOW.getTime() + 3600_000), NOW));
    return { ...c, wrong };
  }
  const correction = { identifier: 'RIGHT-2', issuer: 'ST-MARY', reason: 'wrong_patient_selected', explanation: EXPLANATION };
  const updatesFor = async (cardId: string) => (await queued(s, AppJob.UpdateCard)).filter((j) => (j.payload as { cardId: string }).cardId === cardId);
  const liveLinks = (cardId: string) => s.db.prisma.linkToken.count({ where: { cardId, revokedAt: null } });

  it('lets the sender move the image: audited with both patients and the code, the text sealed, links revoked, the card redrawn', async () => {
    const c = await onWrongPatient();
    expect(await correctionRefusal(deps(), { cardId: c.cardId, who: { ...SENDER, workspaceId: c.workspaceId } })).toBeUndefined();
    const result = await correctPatient(deps(), { cardId: c.cardId, who: { ...SENDER, workspaceId: c.workspaceId }, correction });
    expect(result.previousPatientId).toBe(c.wrong);
    expect(result.patientId).not.toBe(c.wrong);
    expect(result.consultPatient).toBe('moved');

    const asset = await s.db.prisma.asset.findUniqueOrThrow({ where: { id: c.assetId } });
    expect(asset.patientId).toBe(result.patientId);
    expect((await s.db.prisma.consult.findUniqueOrThrow({ where: { id: c.consultId } })).patientId).toBe(result.patientId);
    expect(await readAssetText(s, s.db.prisma, asset)).toBe(`Patient corrected (wrong_patient_selected): ${EXPLANATION}`);
    expect(Buffer.from(asset.messageText!).includes(Buffer.from('MRN-SECRET-77'))).toBe(false);

    const events = await s.db.prisma.auditEvent.findMany({ where: { assetId: c.assetId, action: 'patient.corrected' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'success', actorType: 'user', actorId: REQUESTER, reason: 'wrong_patient_selected', patientId: result.patientId });
    expect(events[0]!.details).toEqual({ previousPatientId: c.wrong, consultPatient: 'moved', linksRevoked: 1 });
    const trail = JSON.stringify(await s.db.prisma.auditEvent.findMany({ where: { workspaceId: c.workspaceId }, select: { action: true, actorId: true, reason: true, details: true } }));
    expect(trail).not.toContain('MRN-SECRET-77');
    expect(trail).not.toContain('Jane Roe');

    expect(await liveLinks(c.cardId)).toBe(0);
    expect(await updatesFor(c.cardId)).toHaveLength(1);
  });

  it('lets an admin correct it, audited as the admin; the same patient again is refused', async () => {
    const c = await onWrongPatient();
    const admin = { userId: 'UADMIN', isAdmin: true };
    await correctPatient(deps(), { cardId: c.cardId, who: { ...admin, workspaceId: c.workspaceId }, correction: { ...correction, reason: 'identifier_typo' } });
    expect(await s.db.prisma.auditEvent.findFirst({ where: { assetId: c.assetId, action: 'patient.corrected' }, select: { actorType: true, actorId: true, reason: true } })).toEqual({
      actorType: 'admin',
      actorId: 'UADMIN',
      reason: 'identifier_typo',
    });
    await expect(correctPatient(deps(), { cardId: c.cardId, who: { ...admin, workspaceId: c.workspaceId }, correction })).rejects.toMatchObject({ code: 'LOUPE_INVALID_INPUT' });
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: c.assetId, action: 'patient.corrected' } })).toBe(1);
  });

  it('refuses anyone else: a denied audit event, and the image, its links and its card unchanged', async () => {
    const c = await onWrongPatient();
    const other = { userId: 'UOTHER', isAdmin: false };
    expect(await correctionRefusal(deps(), { cardId: c.cardId, who: { ...other, workspaceId: c.workspaceId } })).toBe('forbidden');
    await expect(correctPatient(deps(), { cardId: c.cardId, who: { ...other, workspaceId: c.workspaceId }, correction })).rejects.toMatchObject({ code: 'LOUPE_FORBIDDEN' });
    expect((await s.db.prisma.asset.findUniqueOrThrow({ where: { id: c.assetId } })).patientId).toBe(c.wrong);
    expect((await s.db.prisma.consult.findUniqueOrThrow({ where: { id: c.consultId } })).patientId).toBe(c.wrong);
    expect(await liveLinks(c.cardId)).toBe(1);
    expect(await updatesFor(c.cardId)).toHaveLength(0);
    const events = await s.db.prisma.auditEvent.findMany({ where: { assetId: c.assetId, action: 'patient.corrected' }, select: { outcome: true, reason: true, actorId: true, patientId: true } });
    expect(events).toEqual([{ outcome: 'denied', reason: 'forbidden', actorId: 'UOTHER', patientId: c.wrong }]);
  });

  it('refuses a correction without a known reason code or a real explanation before touching anything', async () => {
    const c = await onWrongPatient();
    await expect(correctPatient(deps(), { cardId: c.cardId, who: { ...SENDER, workspaceId: c.workspaceId }, correction: { ...correction, reason: 'because' } })).rejects.toMatchObject({ code: 'LOUPE_INVALID_INPUT' });
    await expect(correctPatient(deps(), { cardId: c.cardId, who: { ...SENDER, workspaceId: c.workspaceId }, correction: { ...correction, explanation: '  x ' } })).rejects.toMatchObject({ code: 'LOUPE_INVALID_INPUT' });
    expect((await s.db.prisma.asset.findUniqueOrThrow({ where: { id: c.assetId } })).patientId).toBe(c.wrong);
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: c.assetId, action: 'patient.corrected' } })).toBe(0);
  });
});
