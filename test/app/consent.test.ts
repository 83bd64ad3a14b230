// Recording, changing, withdrawing and listing a patient's consent, on both
// database engines: versions are added, never edited; each change commits with
// its audit event; the identifier typed is found through the sealed patient
// record and appears in no row, event or error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listConsents } from '../../src/app/consent/list-consents.js';
import { recordConsent } from '../../src/app/consent/record-consent.js';
import { reviseConsent } from '../../src/app/consent/revise-consent.js';
import { withdrawConsent } from '../../src/app/consent/withdraw-consent.js';
import type { ConsentDeps } from '../../src/app/consent/consent-deps.js';
import { consentFor } from '../../src/core/access/consent.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { isLoupeError, type ErrorCode } from '../../src/core/errors.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const MRN = 'MRN-CONSENT-4471';
const ISSUER = 'urn:oid:1.2.3.4';
const patient = { identifier: MRN, issuer: ISSUER };
const nurse = { kind: 'chat_user', id: 'U-NURSE' } as const;
const officer = { kind: 'console_subject', id: 'sub-privacy-1' } as const;
const terms = { decision: 'permit', purposes: ['education'], parties: ['institution'], dataKinds: ['photo'], validFrom: new Date('2026-01-01T00:00:00Z') };

describe.each(testEngines())('consent use cases on %s', (engine) => {
  let s: TestStorage;
  let deps: ConsentDeps;
  let now: Date;
  let workspaceId: string;
  beforeEach(async () => {
    now = new Date('2026-06-01T09:00:00Z');
    s = await createTestStorage(engine, { clock: { now: () => now } });
    deps = { ...s, clock: { now: () => now }, queue: new JobQueue({ db: s.db, clock: { now: () => now }, audit: s.audit }) };
    workspaceId = (await s.workspaces.ensure('slack', 'T-CONSENT', 'Ward', { type: 'system', id: 'test' })).id;
  });
  afterEach(async () => s.cleanup());

  const rejects = async (p: Promise<unknown>, code: ErrorCode) => {
    const error = await p.then(() => undefined, (e: unknown) => e);
    expect(isLoupeError(error, code), String(error)).toBe(true);
    expect((error as Error).message).not.toContain(MRN);
    return error as Error;
  };
  const everything = async () => JSON.stringify({ consents: await s.db.prisma.consent.findMany(), audit: await s.db.prisma.auditEvent.findMany() }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

  it('records, changes and withdraws as versions of one consent, each with its audit event, and access follows at once', async () => {
    const v1 = await recordConsent(deps, { workspaceId, patient, terms, recorder: nurse, via: 'chat_slack' });
    expect(v1).toMatchObject({ version: 1, kind: 'decision', decision: 'permit', purposes: ['education'], parties: ['institution'], dataKinds: ['photo'], recordedBy: 'U-NURSE', recordedByKind: 'chat_user', recordedVia: 'chat_slack', recordedAt: now, supersededAt: null });
    const patientId = await s.patients.find(workspaceId, ISSUER, MRN);
    expect(v1.patientId).toBe(patientId);
    const ask = { purpose: 'education', party: 'institution', kind: 'photo', rule: 'care_implied' } as const;
    expect(consentFor(await s.consents.ofPatient(s.db.prisma, v1.patientId), ask, now)).toEqual({ ok: true, basis: 'permit', consentId: v1.id });

    now = new Date('2026-06-02T09:00:00Z');
    const v2 = await reviseConsent(deps, { workspaceId, consentId: v1.id, terms: { ...terms, dataKinds: ['dicom', 'photo'], purposes: ['research', 'education'] }, recorder: officer, via: 'console', reason: 'patient_changed' });
    expect(v2).toMatchObject({ chainId: v1.chainId, version: 2, purposes: ['education', 'research'], dataKinds: ['photo', 'dicom'], recordedByKind: 'console_subject', recordedVia: 'console', supersededAt: null });
    expect(await s.db.prisma.consent.findUniqueOrThrow({ where: { id: v1.id } })).toMatchObject({ ...v1, supersededAt: now, supersededBy: 'sub-privacy-1', supersededByKind: 'console_subject', supersededReason: 'patient_changed' });
    expect(consentFor(await s.consents.ofPatient(s.db.prisma, v1.patientId), { ...ask, purpose: 'research', kind: 'dicom' }, now)).toEqual({ ok: true, basis: 'permit', consentId: v2.id });

    now = new Date('2026-06-03T09:00:00Z');
    const v3 = await withdrawConsent(deps, { workspaceId, consentId: v2.id, recorder: nurse, via: 'chat_teams', reason: 'patient_withdrew' });
    expect(v3).toMatchObject({ chainId: v1.chainId, version: 3, kind: 'withdrawal', decision: null, purposes: [], parties: [], dataKinds: [], validFrom: now, validUntil: null, supersededAt: null });
    expect(await s.db.prisma.consent.findUniqueOrThrow({ where: { id: v2.id } })).toMatchObject({ supersededAt: now, supersededBy: 'U-NURSE', supersededReason: 'patient_withdrew' });
    expect(consentFor(await s.consents.ofPatient(s.db.prisma, v1.patientId), ask, now)).toEqual({ ok: false, reason: 'consent_missing' });

    // A stale form (v1, v2) or the withdrawal itself cannot be changed again.
    await rejects(reviseConsent(deps, { workspaceId, consentId: v1.id, terms, recorder: nurse, via: 'chat_slack', reason: 'patient_changed' }), 'LOUPE_CONSENT_SUPERSEDED');
    await rejects(withdrawConsent(deps, { workspaceId, consentId: v2.id, recorder: nurse, via: 'chat_slack', reason: 'patient_withdrew' }), 'LOUPE_CONSENT_SUPERSEDED');
    await rejects(withdrawConsent(deps, { workspaceId, consentId: v3.id, recorder: nurse, via: 'chat_slack', reason: 'patient_withdrew' }), 'LOUPE_CONSENT_SUPERSEDED');

    const events = await s.db.prisma.auditEvent.findMany({ where: { action: { startsWith: 'consent.' } }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.action, e.actorType, e.actorId, e.reason, e.patientId, e.workspaceId])).toEqual([
      ['consent.recorded', 'user', 'U-NURSE', null, v1.patientId, workspaceId],
      ['consent.revised', 'user', 'sub-privacy-1', 'patient_changed', v1.patientId, workspaceId],
      ['consent.withdrawn', 'user', 'U-NURSE', 'patient_withdrew', v1.patientId, workspaceId],
    ]);
    expect(events[1]?.details).toMatchObject({ consentId: v2.id, chainId: v1.chainId, version: 2, supersedes: v1.id });
    expect(events[2]?.details).toMatchObject({ consentId: v3.id, kind: 'withdrawal', supersedes: v2.id });
    expect(await everything()).not.toContain(MRN);
  });

  it('lets only one of two changes to the same version win', async () => {
    const v1 = await recordConsent(deps, { workspaceId, patient, terms, recorder: nurse, via: 'cli' });
    const results = await Promise.allSettled([
      reviseConsent(deps, { workspaceId, consentId: v1.id, terms: { ...terms, decision: 'deny' }, recorder: nurse, via: 'chat_slack', reason: 'patient_changed' }),
      withdrawConsent(deps, { workspaceId, consentId: v1.id, recorder: officer, via: 'console', reason: 'patient_withdrew' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected');
    expect(isLoupeError(failed?.reason, 'LOUPE_CONSENT_SUPERSEDED')).toBe(true);
    expect((await s.db.prisma.consent.findMany({ where: { chainId: v1.chainId } })).map((v) => v.version).sort()).toEqual([1, 2]);
    expect(await s.db.prisma.auditEvent.count({ where: { action: { in: ['consent.revised', 'consent.withdrawn'] } } })).toBe(1);
  });

  it('refuses bad terms, recorders, channels, reasons and evidence with a stable code, naming the field and writing nothing', async () => {
    const bad = async (over: Record<string, unknown>, field: string) => {
      const error = await rejects(recordConsent(deps, { workspaceId, patient, terms, recorder: nurse, via: 'console', ...over } as never), 'LOUPE_CONSENT_INVALID');
      expect(error.message).toContain(field);
    };
    await bad({ terms: { ...terms, decision: 'maybe' } }, 'decision');
    await bad({ terms: { ...terms, purposes: [] } }, 'purposes');
    await bad({ terms: { ...terms, purposes: ['marketing'] } }, 'purposes');
    await bad({ terms: { ...terms, purposes: ['care', 'care'] } }, 'purposes');
    await bad({ terms: { ...terms, parties: [MRN] } }, 'parties');
    await bad({ terms: { ...terms, dataKinds: ['video'] } }, 'data kinds');
    await bad({ terms: { ...terms, validFrom: 'yesterday' } }, 'valid from');
    await bad({ terms: { ...terms, validUntil: terms.validFrom } }, 'valid until');
    await bad({ recorder: { kind: 'robot', id: 'x' } }, 'recorder kind');
    await bad({ recorder: { kind: 'chat_user', id: `${MRN} name` } }, 'recorder id');
    await bad({ via: 'email' }, 'recorded via');
    await rejects(recordConsent(deps, { workspaceId, patient: { identifier: '', issuer: ISSUER }, terms, recorder: nurse, via: 'console' }), 'LOUPE_INVALID_INPUT');

    // Evidence must be a stored photo of the same workspace.
    const other = await s.workspaces.ensure('slack', 'T-OTHER', 'Elsewhere', { type: 'system', id: 'test' });
    const foreign = await s.db.prisma.asset.create({ data: { workspaceId: other.id, uploaderId: 'U9', kind: 'photo', status: 'stored', sourceRef: 'F-FORM' } });
    await rejects(recordConsent(deps, { workspaceId, patient, terms, recorder: nurse, via: 'console', evidenceAssetId: foreign.id }), 'LOUPE_CONSENT_EVIDENCE_INVALID');
    for (const [kind, status] of [['photo', 'shredded'], ['photo', 'failed'], ['dicom_instance', 'stored']] as const) {
      const unfit = await s.db.prisma.asset.create({ data: { workspaceId, uploaderId: 'U9', kind, status, sourceRef: `F-${kind}-${status}` } });
      await rejects(recordConsent(deps, { workspaceId, patient, terms, recorder: nurse, via: 'console', evidenceAssetId: unfit.id }), 'LOUPE_CONSENT_EVIDENCE_INVALID');
    }
    await rejects(recordConsent(deps, { workspaceId, patient, terms, recorder: nurse, via: 'console', evidenceAssetId: 'form-7' }), 'LOUPE_CONSENT_EVIDENCE_INVALID');
    expect(await s.db.prisma.consent.count()).toBe(0);
    expect(await s.db.prisma.patient.count()).toBe(0);
    // Nor another patient's photo.
    const someoneElse = await s.patients.link(workspaceId, { identifier: 'MRN-SOMEONE-ELSE', issuer: ISSUER }, { type: 'system', id: 'test' });
    const theirs = await s.db.prisma.asset.create({ data: { workspaceId, patientId: someoneElse, uploaderId: 'U9', kind: 'photo', status: 'stored', sourceRef: 'F-THEIRS' } });
    await rejects(recordConsent(deps, { workspaceId, patient, terms, recorder: nurse, via: 'console', evidenceAssetId: theirs.id }), 'LOUPE_CONSENT_EVIDENCE_INVALID');

    const form = await s.db.prisma.asset.create({ data: { workspaceId, uploaderId: 'U1', kind: 'photo', status: 'stored', sourceRef: 'F-SIGNED' } });
    const v1 = await recordConsent(deps, { workspaceId, patient, terms, recorder: nurse, via: 'console', evidenceAssetId: form.id });
    expect(v1.evidenceAssetId).toBe(form.id);
    // Reasons come from a fixed list, and a change's reason is not a withdrawal's.
    await rejects(reviseConsent(deps, { workspaceId, consentId: v1.id, terms, recorder: nurse, via: 'console', reason: 'patient_withdrew' }), 'LOUPE_CONSENT_INVALID');
    await rejects(withdrawConsent(deps, { workspaceId, consentId: v1.id, recorder: nurse, via: 'console', reason: 'the patient said so' }), 'LOUPE_CONSENT_INVALID');
    // Another workspace cannot reach this consent, and a changed evidence must still be this workspace's.
    await rejects(withdrawConsent(deps, { workspaceId: other.id, consentId: v1.id, recorder: nurse, via: 'console', reason: 'patient_withdrew' }), 'LOUPE_NOT_FOUND');
    await rejects(reviseConsent(deps, { workspaceId, consentId: v1.id, terms, recorder: nurse, via: 'console', reason: 'recorded_in_error', evidenceAssetId: foreign.id }), 'LOUPE_CONSENT_EVIDENCE_INVALID');
    expect(await s.db.prisma.consent.findUniqueOrThrow({ where: { id: v1.id } })).toMatchObject({ supersededAt: null });
    expect(await s.db.prisma.consent.count()).toBe(1);
  });

  it("lists a patient's versions chain by chain, audited, and creates nothing for an unknown patient", async () => {
    expect(await listConsents(deps, { workspaceId, patient, reader: officer })).toEqual({ patientId: null, versions: [] });
    expect(await s.db.prisma.patient.count()).toBe(0);

    const a1 = await recordConsent(deps, { workspaceId, patient, terms, recorder: nurse, via: 'chat_slack' });
    now = new Date('2026-06-01T10:00:00Z');
    const b1 = await recordConsent(deps, { workspaceId, patient, terms: { ...terms, decision: 'deny', purposes: ['research'] }, recorder: nurse, via: 'chat_slack' });
    now = new Date('2026-06-01T11:00:00Z');
    const a2 = await withdrawConsent(deps, { workspaceId, consentId: a1.id, recorder: nurse, via: 'chat_slack', reason: 'recorded_in_error' });
    const listed = await listConsents(deps, { workspaceId, patient, reader: officer });
    expect(listed.patientId).toBe(a1.patientId);
    expect(listed.versions.map((v) => v.id)).toEqual([a1.id, a2.id, b1.id]);
    const event = await s.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'consent.listed' } });
    expect(event).toMatchObject({ actorId: 'sub-privacy-1', patientId: a1.patientId, details: { versions: 3 } });
    expect(await everything()).not.toContain(MRN);
  });
});
