// The scheduled walk of the chain records a broken chain once per break, as an
// audit event the breach rules turn into an alert (test/app/breach-alerts.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_VERIFY_JOB, auditVerifySweepHandler, lastVerification, verifyAuditTrail } from '../../src/app/audit-verify-sweep.js';
import { AuditAction, type AuditEventInput } from '../../src/core/audit/event.js';
import { scheduleEvery } from '../../src/jobs/schedule-every.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const W1 = '11111111-1111-4111-8111-111111111111';
const ASSET = '44444444-4444-4444-8444-444444444444';
const user = { type: 'user', id: 'U1' } as const;

describe.each(testEngines())('alerts on %s', (engine) => {
  let s: TestStorage;
  let now = new Date('2026-03-01T10:00:00Z');
  const clock = { now: () => now };
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  const record = (input: Omit<AuditEventInput, 'actor'>) => s.audit.record({ actor: user, ...input });

  it('records a passing walk of the chain, and a broken chain as an alert', async () => {
    expect(await lastVerification(s.audit)).toBeUndefined();
    await record({ action: AuditAction.AssetViewed, outcome: 'success', workspaceId: W1, assetId: ASSET });
    await record({ action: AuditAction.OriginalNotRemovable, outcome: 'failure', workspaceId: W1, assetId: ASSET });
    const passed = await verifyAuditTrail(s.audit);
    expect(passed).toMatchObject({ action: AuditAction.AuditVerified, outcome: 'success', details: { events: Number(passed.seq) - 1, headSeq: String(passed.seq - 1n) } });
    expect(await lastVerification(s.audit)).toEqual(passed);

    await s.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'mallory' WHERE seq = 2`);
    const failed = await verifyAuditTrail(s.audit);
    expect(failed).toMatchObject({ action: AuditAction.AuditVerifyFailed, outcome: 'failure', reason: 'altered', details: { faultSeq: '2', problem: 'altered' } });
    expect(await lastVerification(s.audit)).toEqual(failed);
    expect(failed).toMatchObject({ workspaceId: null, patientId: null });
    await s.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'U1' WHERE seq = 2`);
  });

  it('runs as a scheduled job that queues its next run, once per period', async () => {
    const queue = new JobQueue({ db: s.db, clock, audit: s.audit });
    const period = 6 * 3600_000;
    await scheduleEvery(queue, now, { type: AUDIT_VERIFY_JOB, periodMs: period });
    await scheduleEvery(queue, now, { type: AUDIT_VERIFY_JOB, periodMs: period });
    const jobs = () => s.db.prisma.job.findMany({ where: { type: AUDIT_VERIFY_JOB }, orderBy: { runAt: 'asc' } });
    expect((await jobs()).map((j) => j.runAt.toISOString())).toEqual(['2026-03-01T12:00:00.000Z']);

    now = new Date('2026-03-01T12:00:01Z');
    const handler = auditVerifySweepHandler({ audit: s.audit, queue, clock }, period);
    await handler(undefined, { jobId: 'j-verify', attempt: 1, signal: new AbortController().signal });
    expect(await lastVerification(s.audit)).toMatchObject({ action: AuditAction.AuditVerified, at: now });
    expect((await jobs()).map((j) => j.runAt.toISOString())).toEqual(['2026-03-01T12:00:00.000Z', '2026-03-01T18:00:00.000Z']);
  });

  describe('a broken chain found by the scheduled check', () => {
    const period = 6 * 3600_000;
    const PATIENT = '33333333-3333-4333-8333-333333333333';
    /** One scheduled run, six hours after the last. */
    const scheduledCheck = async () => {
      now = new Date(now.getTime() + period);
      const queue = new JobQueue({ db: s.db, clock, audit: s.audit });
      await auditVerifySweepHandler({ audit: s.audit, queue, clock }, period)(undefined, { jobId: 'j-verify', attempt: 1, signal: new AbortController().signal });
    };
    /** The chain-break events since `after`, newest first: each becomes one alert. */
    const breakAlerts = async (after: bigint) =>
      (await s.audit.pageOfKinds([{ action: AuditAction.AuditVerifyFailed }], 'all', { limit: 200 })).events.filter((r) => r.seq > after);
    /** Alters one event behind the chain's back; returns its repair. */
    const tamper = async (seq: bigint) => {
      // Sealed first: an event altered before the sealer links it is, by design, not detectable.
      await s.audit.seal();
      const { actorId } = await s.db.prisma.auditEvent.findUniqueOrThrow({ where: { seq }, select: { actorId: true } });
      await s.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'mallory' WHERE seq = ${seq}`);
      return () => s.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = ${actorId === null ? 'NULL' : `'${actorId}'`} WHERE seq = ${seq}`);
    };

    it('alerts once for a break found at three runs in a row, naming no patient', async () => {
      const viewed = await record({ action: AuditAction.AssetViewed, outcome: 'success', workspaceId: W1, patientId: PATIENT, assetId: ASSET });
      const repair = await tamper(viewed.seq);
      for (let run = 0; run < 3; run++) await scheduledCheck();

      const alerts = await breakAlerts(viewed.seq);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ reason: 'altered', details: { faultSeq: String(viewed.seq), problem: 'altered' } });
      // The console's header still shows the break, as found by its first check.
      expect(await lastVerification(s.audit)).toEqual(alerts[0]);
      // Ids of nobody: the system's check, no workspace, patient or asset, nothing of the altered event but its seq.
      expect(alerts[0]).toMatchObject({ actorType: 'system', workspaceId: null, patientId: null, assetId: null, consultId: null });
      expect(Object.keys(alerts[0]!.details as object).sort()).toEqual(['events', 'faultSeq', 'problem']);
      const text = JSON.stringify(alerts[0], (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      for (const secret of [PATIENT, ASSET, W1, viewed.id, 'mallory']) expect(text).not.toContain(secret);
      await repair();
    });

    it('alerts again when the break moves, and when a repaired chain breaks again', async () => {
      const first = await record({ action: AuditAction.AssetViewed, outcome: 'success', workspaceId: W1, patientId: PATIENT, assetId: ASSET });
      const second = await record({ action: AuditAction.AssetViewed, outcome: 'success', workspaceId: W1, patientId: PATIENT, assetId: ASSET });
      const repairSecond = await tamper(second.seq);
      await scheduledCheck();
      await scheduledCheck();
      // An earlier event altered too: the first bad event is now another one.
      const repairFirst = await tamper(first.seq);
      await scheduledCheck();
      await scheduledCheck();
      expect((await breakAlerts(first.seq)).map((r) => (r.details as { faultSeq: string }).faultSeq)).toEqual([String(first.seq), String(second.seq)]);

      // Repaired, the check passes; broken again in the same place, it alerts again.
      await repairFirst();
      await repairSecond();
      await scheduledCheck();
      expect(await lastVerification(s.audit)).toMatchObject({ action: AuditAction.AuditVerified });
      const passed = (await lastVerification(s.audit))!.seq;
      const repairAgain = await tamper(second.seq);
      await scheduledCheck();
      await scheduledCheck();
      expect((await breakAlerts(passed)).map((r) => (r.details as { faultSeq: string }).faultSeq)).toEqual([String(second.seq)]);
      await repairAgain();
    });
  });
});
