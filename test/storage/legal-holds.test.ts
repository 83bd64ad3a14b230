// Legal holds as stored: placing and lifting are audited with ids only (the
// reason an admin writes stays in the hold), lifting twice is refused, a
// target of another workspace is refused, and the list shows what is in force.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { testEngines } from '../support/engines.js';
import { createTestAsset, createTestStorage, type TestStorage } from '../support/storage.js';
import { asJson } from '../support/json.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const ADMIN = { type: 'admin' as const, id: 'UADMIN' };
const REASON = 'Matter 2026-14: Smith v. St Mary';

describe.each(testEngines())('legal holds on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock: { now: () => NOW } });
  });
  afterAll(() => s?.cleanup());

  it('audits placing and lifting with ids only, never the reason', async () => {
    const { workspaceId, assetId } = await createTestAsset(s, 'THOLD1');
    const hold = await s.legalHolds.place(workspaceId, { scope: 'asset', targetId: assetId }, REASON, ADMIN);
    expect(hold).toMatchObject({ workspaceId, scope: 'asset', targetId: assetId, reason: REASON, setBy: 'UADMIN', setAt: NOW, liftedAt: null });
    const lifted = await s.legalHolds.lift(workspaceId, hold.id, 'Matter closed by the court', ADMIN);
    expect(lifted).toMatchObject({ liftedBy: 'UADMIN', liftedAt: NOW });
    const events = await s.db.prisma.auditEvent.findMany({ where: { action: { in: ['legal_hold.placed', 'legal_hold.lifted'] }, workspaceId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.action, e.assetId, e.actorId])).toEqual([
      ['legal_hold.placed', assetId, 'UADMIN'],
      ['legal_hold.lifted', assetId, 'UADMIN'],
    ]);
    for (const e of events) {
      expect(e.details).toEqual({ hold: hold.id, scope: 'asset' });
      expect(asJson(e)).not.toMatch(/Smith|Matter|court/);
    }
  });

  it('refuses a reason that names a patient identifier the workspace’s policies know, placing or lifting', async () => {
    const { workspaceId, assetId } = await createTestAsset(s, 'THOLD4');
    await s.policies.change(workspaceId, 'C0WARD', { identifierPattern: '\\b(MRN\\d{6})\\b' }, ADMIN);
    const names = (e: unknown) => isLoupeError(e, 'LOUPE_HOLD_REASON_NAMES_PATIENT');
    await expect(s.legalHolds.place(workspaceId, { scope: 'asset', targetId: assetId }, 'Claim about MRN123456', ADMIN)).rejects.toSatisfy(names);
    expect(await s.legalHolds.list([workspaceId])).toEqual([]);
    const hold = await s.legalHolds.place(workspaceId, { scope: 'asset', targetId: assetId }, 'Claim 2026-17', ADMIN);
    await expect(s.legalHolds.lift(workspaceId, hold.id, 'MRN123456 settled', ADMIN)).rejects.toSatisfy(names);
    expect((await s.legalHolds.list([workspaceId])).map((h) => h.id)).toEqual([hold.id]);
  });

  it('refuses lifting a hold twice, and adds no event for the refusal', async () => {
    const { workspaceId } = await createTestAsset(s, 'THOLD2');
    const hold = await s.legalHolds.place(workspaceId, { scope: 'channel', targetId: 'C0WARD' }, REASON, ADMIN);
    await s.legalHolds.lift(workspaceId, hold.id, 'done', ADMIN);
    const events = await s.db.prisma.auditEvent.count();
    await expect(s.legalHolds.lift(workspaceId, hold.id, 'again', ADMIN)).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_NOT_FOUND'));
    expect(await s.db.prisma.auditEvent.count()).toBe(events);
  });

  it('refuses a target of another workspace, by hold or by lift', async () => {
    const mine = await createTestAsset(s, 'THOLD3');
    const theirs = await createTestAsset(s, 'THOLD4');
    await expect(s.legalHolds.place(mine.workspaceId, { scope: 'asset', targetId: theirs.assetId }, REASON, ADMIN)).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_NOT_FOUND'));
    const patientId = await s.patients.link(theirs.workspaceId, { identifier: 'MRN-9', issuer: 'ST-MARY' }, ADMIN);
    await expect(s.legalHolds.place(mine.workspaceId, { scope: 'patient', targetId: patientId }, REASON, ADMIN)).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_NOT_FOUND'));
    const theirHold = await s.legalHolds.place(theirs.workspaceId, { scope: 'asset', targetId: theirs.assetId }, REASON, ADMIN);
    await expect(s.legalHolds.lift(mine.workspaceId, theirHold.id, 'not mine', ADMIN)).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_NOT_FOUND'));
    expect((await s.db.prisma.legalHold.findUniqueOrThrow({ where: { id: theirHold.id } })).liftedAt).toBeNull();
  });

  it('lists the holds in force of the workspaces asked for, and the lifted ones when asked', async () => {
    const a = await createTestAsset(s, 'THOLD5');
    const b = await createTestAsset(s, 'THOLD6');
    const onChannel = await s.legalHolds.place(a.workspaceId, { scope: 'channel', targetId: '*' }, REASON, ADMIN);
    const onAsset = await s.legalHolds.place(a.workspaceId, { scope: 'asset', targetId: a.assetId }, REASON, ADMIN);
    await s.legalHolds.place(b.workspaceId, { scope: 'asset', targetId: b.assetId }, REASON, ADMIN);
    await s.legalHolds.lift(a.workspaceId, onAsset.id, 'done', ADMIN);
    expect((await s.legalHolds.list([a.workspaceId])).map((h) => h.id)).toEqual([onChannel.id]);
    expect((await s.legalHolds.list([a.workspaceId], true)).map((h) => h.id)).toEqual([onChannel.id, onAsset.id]);
    expect(await s.legalHolds.list([])).toEqual([]);
  });
});
