// Alerts are the audit events that ask a person to look; the scheduled walk of
// the chain adds one when it finds the chain broken, once per break.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_ACTIONS, listAlerts } from '../../src/app/alerts.js';
import { AUDIT_VERIFY_JOB, auditVerifySweepHandler, lastVerification, verifyAuditTrail } from '../../src/app/audit-verify-sweep.js';
import { AuditAction, type AuditEventInput } from '../../src/core/audit/event.js';
import { scheduleEvery } from '../../src/jobs/schedule-every.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const W1 = '11111111-1111-4111-8111-111111111111';
const W2 = '22222222-2222-4222-8222-222222222222';
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

  it('lists alert events newest first with a plain title, in scope, and nothing else', async () => {
    const notRemovable = await record({ action: AuditAction.OriginalNotRemovable, outcome: 'failure', workspaceId: W1, assetId: ASSET });
    await record({ action: AuditAction.BreakGlass, outcome: 'denied', workspaceId: W1 });
    const breakGlass = await record({ action: AuditAction.BreakGlass, outcome: 'success', workspaceId: W1, patientId: '33333333-3333-4333-8333-333333333333' });
    await record({ action: AuditAction.AssetViewed, outcome: 'success', workspaceId: W1 });
    const otherWorkspace = await record({ action: AuditAction.OriginalNotRemovable, outcome: 'failure', workspaceId: W2 });
    const jobDead = await s.audit.record({ actor: { type: 'system', id: 'job-queue' }, action: AuditAction.JobDead, outcome: 'failure', details: { jobId: 'j1', type: 'upload.ingest' } });

    const all = await listAlerts(s.audit, 'all', { limit: 50 });
    expect(all.alerts.map((a) => a.record.seq)).toEqual([jobDead.seq, otherWorkspace.seq, breakGlass.seq, notRemovable.seq]);
    expect(all.alerts.map((a) => a.title)).toEqual([
      'A background job failed and will not be retried',
      'An original could not be removed from the chat',
      'Break-glass access was used',
      'An original could not be removed from the chat',
    ]);
    expect(all.nextBefore).toBeUndefined();

    // A workspace admin sees their workspace's alerts, not the system's nor another workspace's.
    const admin = await listAlerts(s.audit, { workspaceIds: [W1] }, { limit: 50 });
    expect(admin.alerts.map((a) => a.record.seq)).toEqual([breakGlass.seq, notRemovable.seq]);

    const first = await listAlerts(s.audit, 'all', { limit: 3 });
    expect(first.alerts).toHaveLength(3);
    const rest = await listAlerts(s.audit, 'all', { before: first.nextBefore, limit: 3 });
    expect(rest.alerts.map((a) => a.record.seq)).toEqual([notRemovable.seq]);

    // Titles are the same words for every alert of a kind: nothing of the record in them.
    for (const kind of ALERT_ACTIONS) expect(kind.title).not.toMatch(/[0-9a-f]{8}-/);
  });

  it('shows a workspace admin a broken chain too (it concerns every reader), but no other system event', async () => {
    const own = await createTestStorage(engine, { clock });
    try {
      const mine = await own.audit.record({ actor: user, action: AuditAction.OriginalNotRemovable, outcome: 'failure', workspaceId: W1, assetId: ASSET });
      await own.audit.record({ actor: { type: 'system', id: 'job-queue' }, action: AuditAction.JobDead, outcome: 'failure', assetId: ASSET, details: { jobId: 'j1', type: 'upload.ingest' } });
      const broken = await own.audit.record({ actor: { type: 'system', id: 'audit-verify' }, action: AuditAction.AuditVerifyFailed, outcome: 'failure', details: { faultSeq: '7', problem: 'hash', events: 9 } });
      const admin = await listAlerts(own.audit, { workspaceIds: [W1] }, { limit: 50 });
      expect(admin.alerts.map((a) => a.record.seq)).toEqual([broken.seq, mine.seq]);
      expect((await listAlerts(own.audit, { workspaceIds: [W2] }, { limit: 50 })).alerts.map((a) => a.record.seq)).toEqual([broken.seq]);
    } finally {
      await own.cleanup();
    }
  });

  it('records a passing walk of the chain, and a broken chain as an alert', async () => {
    expect(await lastVerification(s.audit)).toBeUndefined();
    const passed = await verifyAuditTrail(s.audit);
    expect(passed).toMatchObject({ action: AuditAction.AuditVerified, outcome: 'success', details: { events: Number(passed.seq) - 1, headSeq: String(passed.seq - 1n) } });
    expect(await lastVerification(s.audit)).toEqual(passed);

    await s.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'mallory' WHERE seq = 2`);
    const failed = await verifyAuditTrail(s.audit);
    expect(failed).toMatchObject({ action: AuditAction.AuditVerifyFailed, outcome: 'failure', reason: 'altered', details: { faultSeq: '2', problem: 'altered' } });
    expect(await lastVerification(s.audit)).toEqual(failed);
    const alerts = await listAlerts(s.audit, 'all', { limit: 1 });
    expect(alerts.alerts[0]).toEqual({ title: 'The audit trail failed its integrity check', record: failed });
    // A broken trail concerns every workspace's admins too.
    expect((await listAlerts(s.audit, { workspaceIds: [W1] }, { limit: 1 })).alerts[0]?.record).toEqual(failed);
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
    /** The chain-break alerts a privacy officer sees in the console since `after`. */
    const breakAlerts = async (after: bigint) =>
      (await listAlerts(s.audit, 'all', { limit: 200 })).alerts.map((a) => a.record).filter((r) => r.action === AuditAction.AuditVerifyFailed && r.seq > after);
    /** Alters one event behind the chain's back; returns its repair. */
    const tamper = async (seq: bigint) => {
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
