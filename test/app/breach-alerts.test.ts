// Breach monitoring through its scheduled job, on both engines: each rule
// raises at its threshold and not one below it, raising is idempotent (two
// runs, two at once), the chat notice names nobody, state changes are audited
// without the note, and /metrics counts open alerts by rule.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAlert, listAlerts, openAlertCounts } from '../../src/app/alerts.js';
import { consoleAccess } from '../../src/app/console/console-access.js';
import type { ConsoleCaller } from '../../src/app/console/console-caller.js';
import { alertSweepHandler, evaluateAlerts } from '../../src/app/evaluate-alerts.js';
import { ChatPlatforms } from '../../src/app/ports/chat-platforms.js';
import { viewerDirectory } from '../../src/app/ports/viewer-directory.js';
import { sweepAuditTrail } from '../../src/app/audit-verify-sweep.js';
import type { AlertThresholds } from '../../src/core/alerts/rules.js';
import { AuditAction, type AuditEventInput } from '../../src/core/audit/event.js';
import { createLogger } from '../../src/logging.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { createMetrics } from '../../src/web/metrics.js';
import { CHANNEL, consultWithCard, type ConsultFixture } from './fixtures.js';
import { testEngines } from '../support/engines.js';
import { RecordingChat } from '../support/recording-chat.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const T: AlertThresholds = { windowMs: 60 * 60_000, distinctPatients: 4, refusedViews: 3, failedSignIns: 5 };
const ADMIN = 'U0ADMIN001';
const VIEWER = 'U0VIEWER01';
const PUBLIC_URL = new URL('https://loupe.hospital.example/');
const job = { jobId: 'j-alerts', attempt: 1, signal: new AbortController().signal };

describe.each(testEngines())('breach monitoring on %s', (engine) => {
  let s: TestStorage;
  let now = new Date('2026-03-01T10:00:00Z');
  const clock = { now: () => now };
  let chat: RecordingChat;
  let f: ConsultFixture;
  let patients: string[];
  let deps: Parameters<typeof alertSweepHandler>[0];

  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
    f = await consultWithCard(s, now);
    chat = new RecordingChat({ admins: [ADMIN], members: { [CHANNEL]: [ADMIN, VIEWER] } });
    const platforms = new ChatPlatforms(s.db);
    platforms.register('slack', { gateway: chat.gateway, directory: chat.directory });
    patients = [];
    // Loupe's patient ids, as the viewer records them.
    patients = Array.from({ length: 6 }, () => randomUUID());
    deps = { db: s.db, audit: s.audit, clock, thresholds: T, queue: new JobQueue({ db: s.db, clock, audit: s.audit }), directory: viewerDirectory(platforms), publicUrl: PUBLIC_URL, logger: createLogger('silent') };
  });
  afterAll(() => s?.cleanup());

  const record = (input: Partial<AuditEventInput>) =>
    s.audit.record({ actor: { type: 'user', id: VIEWER }, action: AuditAction.AssetViewed, outcome: 'success', workspaceId: f.workspaceId, consultId: f.consultId, assetId: f.assetId, ...input });
  const tick = (minutes = 1) => (now = new Date(now.getTime() + minutes * 60_000));
  const run = () => alertSweepHandler(deps, 60_000)(undefined, job);
  const alertsOf = async (rule: string) => s.db.prisma.alert.findMany({ where: { rule }, orderBy: { raisedAt: 'asc' } });

  it('raises one alert when a user views the threshold of distinct patients, none one below, and tells the channel admins without PHI', async () => {
    for (const p of patients.slice(0, 3)) {
      await record({ patientId: p });
      tick();
    }
    await run();
    expect(await alertsOf('distinct_patients')).toEqual([]);
    await record({ patientId: patients[3]! });
    await run();
    await run();
    const [alert, ...more] = await alertsOf('distinct_patients');
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ subject: VIEWER, workspaceId: f.workspaceId, count: 4, state: 'open' });

    // Raised in the trail too, for the SIEM export: ids and counts only.
    const raised = await s.db.prisma.auditEvent.findMany({ where: { action: AuditAction.AlertRaised } });
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ actorType: 'system', workspaceId: f.workspaceId, patientId: null, assetId: null });
    expect(raised[0]!.details).toMatchObject({ alertId: alert!.id, rule: 'distinct_patients', count: 4 });

    const notices = chat.notices.filter((n) => n.notice.kind === 'breach_alert');
    expect(notices).toEqual([{ to: { admins: CHANNEL }, notice: { kind: 'breach_alert', rule: 'distinct_patients', count: 4, alertUrl: `https://loupe.hospital.example/admin/alerts/${alert!.id}` } }]);
    const said = JSON.stringify(notices) + chat.messages.map((m) => m.body).join();
    for (const secret of [...patients, f.assetId, f.consultId, VIEWER]) expect(said).not.toContain(secret);
    expect(chat.messages.filter((m) => m.body.includes('breach_alert')).map((m) => m.to)).toEqual([ADMIN]);

    // More views while the window runs: no new alert.
    await record({ patientId: patients[4]! });
    await record({ patientId: patients[5]! });
    await run();
    expect(await alertsOf('distinct_patients')).toHaveLength(1);
  });

  it('raises for refused views and failed sign-ins at their thresholds, not one below', async () => {
    tick(120);
    for (let i = 0; i < T.refusedViews - 1; i++) await record({ outcome: 'denied', actor: { type: 'user', id: 'U0REFUSED1' } });
    for (let i = 0; i < T.failedSignIns - 1; i++) await record({ action: AuditAction.ViewerSignInRefused, outcome: 'denied', actor: { type: 'user', id: null }, workspaceId: null, consultId: null, assetId: null });
    await run();
    expect(await alertsOf('refused_views')).toEqual([]);
    expect(await alertsOf('failed_sign_ins')).toEqual([]);
    await record({ outcome: 'denied', actor: { type: 'user', id: 'U0REFUSED1' } });
    await record({ action: AuditAction.ViewerSignInRefused, outcome: 'denied', actor: { type: 'user', id: null }, workspaceId: null, consultId: null, assetId: null });
    await run();
    expect(await alertsOf('refused_views')).toMatchObject([{ subject: 'U0REFUSED1', count: T.refusedViews }]);
    expect(await alertsOf('failed_sign_ins')).toMatchObject([{ subject: 'sign-in', workspaceId: null, count: T.failedSignIns }]);
    // No channel: the workspace's admins are told in their direct messages with Loupe, without naming anyone.
    const wide = chat.notices.filter((n) => 'workspaceAdmins' in n.to).map((n) => n.notice);
    expect(wide).toEqual([expect.objectContaining({ kind: 'breach_alert', rule: 'failed_sign_ins', count: T.failedSignIns })]);
    expect(chat.messages.filter((m) => m.channelId === `D-${ADMIN}`).map((m) => m.to)).toEqual([ADMIN]);
  });

  it('raises one alert per break-glass granted, upload not removable and failed chain check', async () => {
    await record({ action: AuditAction.BreakGlass, outcome: 'denied' });
    await run();
    expect(await alertsOf('break_glass')).toEqual([]);
    await record({ action: AuditAction.BreakGlass, outcome: 'success' });
    await record({ action: AuditAction.OriginalNotRemovable, outcome: 'failure' });
    const seq = (await record({ patientId: patients[0]! })).seq;
    // Sealed first: an event altered before the sealer links it is, by design, not detectable.
    await s.audit.seal();
    await s.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'mallory' WHERE seq = ${seq}`);
    await sweepAuditTrail(s.audit);
    await run();
    expect(await alertsOf('break_glass')).toMatchObject([{ subject: VIEWER, count: 1 }]);
    expect(await alertsOf('original_not_removable')).toMatchObject([{ subject: f.assetId, count: 1 }]);
    expect(await alertsOf('chain_verify_failed')).toMatchObject([{ subject: 'audit-chain', workspaceId: null }]);
    await s.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = '${VIEWER}' WHERE seq = ${seq}`);
  });

  it('raises once when two instances evaluate at the same time', async () => {
    tick(180);
    for (const p of patients.slice(0, 4)) await record({ patientId: p, actor: { type: 'user', id: 'U0TWICE01' } });
    const [a, b] = await Promise.all([evaluateAlerts(deps), evaluateAlerts(deps)]);
    expect([...a!, ...b!].filter((r) => r.rule === 'distinct_patients')).toHaveLength(1);
    expect((await alertsOf('distinct_patients')).filter((r) => r.subject === 'U0TWICE01')).toHaveLength(1);
  });

  it('acknowledges with a note and closes, each audited without the note; /metrics counts open alerts by rule', async () => {
    const metrics = createMetrics(async () => ({}), () => openAlertCounts(s.db));
    const scrape = async () => metrics.registry.metrics();
    expect(await scrape()).toContain('loupe_alerts_open{rule="distinct_patients"} 2');

    await s.viewer.identityLinks.link({ workspaceId: f.workspaceId, chatUserId: ADMIN, issuer: 'https://idp.example', subject: 'admin-sub', method: 'email', verifiedAt: now });
    const access = await consoleAccess(
      { links: s.viewer.identityLinks, directory: deps.directory as never, rules: { privacyOfficerGroups: ['privacy'], requireMfa: false }, mfaAcr: [] },
      { issuer: 'https://idp.example', subject: 'admin-sub', groups: [], acr: undefined, amr: [] },
    );
    const caller: ConsoleCaller = { storage: s, access, actor: { type: 'admin', id: 'admin-sub' }, requestId: 'req-ack', clock, queue: deps.queue };
    const [alert] = (await listAlerts(caller, { workspaceIds: [f.workspaceId] }, { state: 'open', page: 0, limit: 50 })).alerts.filter((a) => a.rule === 'distinct_patients');
    const NOTE = 'Checked with the ward manager: covering two wards tonight.';
    expect(await changeAlert(caller, { alertId: alert!.id, change: 'acknowledge', note: ' ' })).toEqual({ ok: false, problem: 'note' });
    expect(await changeAlert(caller, { alertId: alert!.id, change: 'acknowledge', note: NOTE })).toEqual({ ok: true });
    expect(await changeAlert(caller, { alertId: alert!.id, change: 'acknowledge', note: NOTE })).toEqual({ ok: false, problem: 'state' });
    expect(await scrape()).toContain('loupe_alerts_open{rule="distinct_patients"} 1');
    expect(await changeAlert(caller, { alertId: alert!.id, change: 'close', note: '' })).toEqual({ ok: true });
    const stored = await s.db.prisma.alert.findUniqueOrThrow({ where: { id: alert!.id } });
    expect(stored).toMatchObject({ state: 'closed', acknowledgedBy: 'admin-sub', closedBy: 'admin-sub', note: NOTE });

    const events = await s.db.prisma.auditEvent.findMany({ where: { action: { in: [AuditAction.AlertAcknowledged, AuditAction.AlertClosed] } }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.action, e.actorId, e.workspaceId, (e.details as { alertId: string }).alertId])).toEqual([
      [AuditAction.AlertAcknowledged, 'admin-sub', f.workspaceId, alert!.id],
      [AuditAction.AlertClosed, 'admin-sub', f.workspaceId, alert!.id],
    ]);
    expect(JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('ward manager');

    // Alerts for every workspace (the audit chain) are a privacy officer's to handle, not a workspace admin's.
    const [chain] = await alertsOf('chain_verify_failed');
    await expect(changeAlert(caller, { alertId: chain!.id, change: 'close', note: '' })).rejects.toMatchObject({ code: 'LOUPE_FORBIDDEN' });
  });
});
