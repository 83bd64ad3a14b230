// Alerts are the audit events that ask a person to look; the scheduled walk of
// the chain adds one when it finds the chain broken.
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
    // The system's check is not a workspace's: a workspace admin's alerts do not list it.
    expect((await listAlerts(s.audit, { workspaceIds: [W1] }, { limit: 1 })).alerts[0]?.record.action).not.toBe(AuditAction.AuditVerifyFailed);
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
});
