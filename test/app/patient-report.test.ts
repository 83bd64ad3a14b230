// The accounting of disclosures as a use case: real views through the
// viewer's use cases (allowed, refused, break-glass), then the report lists
// exactly those accesses, who/what/purpose/outcome right, nothing of another
// patient, and producing it is audited with the patient's id and the counts,
// never the identifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { producePatientReport, type PatientReportOptions } from '../../src/app/patient-report.js';
import { authorizeView } from '../../src/app/viewer/authorize-view.js';
import { requestBreakGlass } from '../../src/app/viewer/request-break-glass.js';
import { AuditAction } from '../../src/core/audit/event.js';
import type { DisclosureRow } from '../../src/core/audit/disclosure.js';
import { issueLinkToken } from '../../src/intake/link-token.js';
import { transaction } from '../../src/storage/transaction.js';
import { testEngines } from '../support/engines.js';
import { ADMIN, OTHER, SENDER, viewerFixture, type ViewerFixture } from './viewer/viewer-fixture.js';
import { asJson } from '../support/json.js';

const MRN = 'MRN-1';
const ISSUER = 'HOSP';
const REASON = 'Patient deteriorating in ED, on-call radiologist unavailable';
const OFFICER = { type: 'user' as const, id: 'officer-subject' };

async function collect(rows: AsyncGenerator<DisclosureRow>): Promise<DisclosureRow[]> {
  const all: DisclosureRow[] = [];
  for await (const r of rows) all.push(r);
  return all;
}

describe.each(testEngines())('the accounting of disclosures on %s', (engine) => {
  let f: ViewerFixture;
  let otherAssetId: string;
  const report = (o: Partial<PatientReportOptions> = {}) =>
    producePatientReport({ db: f.storage.db, audit: f.storage.audit, patients: f.storage.patients, clock: f.clock, workspaceIds: [f.workspaceId], identifier: MRN, issuer: ISSUER, actor: OFFICER, via: 'cli', ...o });

  /** A signed-in session for this chat user, with the name the identity provider gives. */
  async function signIn(chatUserId: string, displayName: string): Promise<string> {
    const issuer = 'https://idp.example';
    const subject = `sub-${chatUserId}`;
    const identityLinkId = await f.storage.viewer.identityLinks.link({ workspaceId: f.workspaceId, chatUserId, issuer, subject, method: 'email', verifiedAt: f.clock.now() });
    return (await f.sessions.create({ issuer, subject, displayName, email: `${subject}@hospital.example`, acr: undefined, amr: ['pwd'], identityLinkId })).token;
  }

  beforeAll(async () => {
    f = await viewerFixture(engine);
    const { prisma } = f.storage.db;
    // Another patient of the same workspace, whose image the requester also sees: never in this patient's report.
    const other = await f.storage.patients.link(f.workspaceId, { identifier: 'MRN-2', issuer: ISSUER }, { type: 'system', id: 'test' });
    const expiresAt = new Date(f.clock.now().getTime() + 48 * 3600_000);
    const consult = await prisma.consult.create({ data: { workspaceId: f.workspaceId, channelId: 'C0OTHER001', threadId: '2.0001', requesterId: SENDER, patientId: other } });
    await prisma.consultParticipant.create({ data: { consultId: consult.id, userId: SENDER, role: 'requester' } });
    await prisma.grant.create({ data: { consultId: consult.id, userId: SENDER, source: 'participant', hop: 0, expiresAt } });
    const asset = await prisma.asset.create({ data: { workspaceId: f.workspaceId, consultId: consult.id, patientId: other, uploaderId: SENDER, kind: 'dicom_instance', metadata: { modality: 'CT' }, status: 'stored', sourceRef: 'F0002' } });
    otherAssetId = asset.id;
    const card = await prisma.card.create({ data: { workspaceId: f.workspaceId, assetId: asset.id, consultId: consult.id, channelId: 'C0OTHER001', threadId: '2.0001', state: 'active', expiresAt } });
    const otherToken = await transaction(f.storage.db, (tx) => issueLinkToken(tx, card.id, expiresAt, f.clock.now()));

    const amara = await signIn(SENDER, 'Dr Amara Okafor');
    const li = await signIn(OTHER, 'Dr Li Wei');
    const view = (sessionToken: string, token = f.token) => authorizeView({ ...f.ctx, sessionToken, token, request: 'page' });
    await view(amara);
    f.clock.advance(60_000);
    await view(li);
    f.clock.advance(60_000);
    await f.storage.policies.change(f.workspaceId, '*', { breakGlass: true }, ADMIN);
    expect(await requestBreakGlass({ ...f.ctx, sessionToken: li, token: f.token, reason: REASON, breakGlassMinutes: 30 })).toMatchObject({ outcome: 'opened' });
    f.clock.advance(60_000);
    await view(li);
    await view(amara, otherToken);
    f.clock.advance(60_000);
  });
  afterAll(() => f?.storage.cleanup());

  it('lists exactly the accesses made, oldest first, with who, what, purpose and outcome, nothing of another patient', async () => {
    const r = await report();
    const patientId = (await f.storage.db.prisma.asset.findUniqueOrThrow({ where: { id: f.assetId } })).patientId;
    expect(r.patients).toEqual([{ workspaceId: f.workspaceId, patientId }]);
    expect(r.counts).toEqual({ total: 5, allowed: 3, refused: 2 });
    const rows = await collect(r.rows());
    const photo = { id: f.assetId, kind: 'photo', modality: null };
    expect(rows.map((x) => ({ who: x.who, what: x.what, purpose: x.purpose, outcome: x.outcome }))).toEqual([
      { who: { id: SENDER, name: 'Dr Amara Okafor', role: 'requester' }, what: photo, purpose: 'care', outcome: 'allowed' },
      { who: { id: OTHER, name: 'Dr Li Wei', role: 'none' }, what: photo, purpose: 'care', outcome: 'refused' },
      // Asking for break-glass first tries the view, and is refused.
      { who: { id: OTHER, name: 'Dr Li Wei', role: 'none' }, what: photo, purpose: 'care', outcome: 'refused' },
      { who: { id: OTHER, name: 'Dr Li Wei', role: 'break-glass' }, what: photo, purpose: 'emergency', outcome: 'allowed' },
      { who: { id: OTHER, name: 'Dr Li Wei', role: 'break-glass' }, what: photo, purpose: 'emergency', outcome: 'allowed' },
    ]);
    const times = rows.map((x) => x.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(asJson(rows)).not.toContain(otherAssetId);
    expect(asJson(rows)).not.toContain('deteriorating');
  });

  it('is audited with the patient id, the period and the counts, never the identifier; and then lists itself', async () => {
    const before = await f.storage.db.prisma.auditEvent.count({ where: { action: AuditAction.PatientReportProduced } });
    f.clock.advance(60_000);
    const r = await report({ actor: OFFICER, via: 'console' });
    const events = await f.storage.db.prisma.auditEvent.findMany({ where: { action: AuditAction.PatientReportProduced }, orderBy: { seq: 'asc' } });
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({
      actorId: OFFICER.id,
      outcome: 'success',
      workspaceId: f.workspaceId,
      patientId: r.patients[0]!.patientId,
      details: { via: 'console', found: 1, accesses: r.counts.total, allowed: r.counts.allowed, refused: r.counts.refused, since: r.since.toISOString(), until: r.until.toISOString() },
    });
    const trail = asJson(await f.storage.db.prisma.auditEvent.findMany());
    expect(trail).not.toContain(MRN);
    // The earlier report is itself an access to the accounting, by a privacy officer, for oversight.
    const rows = await collect(r.rows());
    expect(rows.at(-1)).toMatchObject({ who: { id: OFFICER.id, role: 'privacy officer' }, what: null, purpose: 'oversight', outcome: 'allowed' });
  });

  it('defaults to six years back, and keeps to the period given', async () => {
    const r = await report({ since: new Date('2026-11-30T09:02:00Z') });
    expect(r.until).toEqual(f.clock.now());
    expect((await collect(r.rows())).map((x) => x.who.role)).toEqual(['none', 'break-glass', 'break-glass', 'privacy officer']);
    const sixYears = await report();
    expect(sixYears.since.toISOString()).toBe('2020-11-30T09:05:00.000Z');
    expect(sixYears.counts.total).toBe(6);
  });

  it('finds nobody for an identifier Loupe does not know, and records that it looked', async () => {
    const r = await report({ identifier: 'MRN-UNKNOWN' });
    expect(r.patients).toEqual([]);
    expect(await collect(r.rows())).toEqual([]);
    const last = await f.storage.db.prisma.auditEvent.findFirstOrThrow({ where: { action: AuditAction.PatientReportProduced }, orderBy: { seq: 'desc' } });
    expect(last).toMatchObject({ patientId: null, details: { found: 0, accesses: 0 } });
  });
});
