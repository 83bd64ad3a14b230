// How an audit event reads in the accounting of disclosures: the role from the
// standing the view went by (or the person's place in the consult when
// refused), break-glass as an emergency without its reason, privacy officers'
// searches and reports as oversight, and six years back by default.
import { describe, expect, it } from 'vitest';
import { DISCLOSURE_ACTIONS, defaultReportSince, disclosureJson, disclosureRow, type DisclosureFacts } from '../../src/core/audit/disclosure.js';
import { AuditAction, type AuditRecord } from '../../src/core/audit/event.js';

const AT = new Date('2026-11-30T09:00:00Z');
const ASSET = { id: '7d1c2f0e-0000-4000-8000-000000000001', kind: 'dicom_series', modality: 'MR' };
const FACTS: DisclosureFacts = { name: 'Dr Li Wei', participantRole: null, asset: ASSET };

function event(e: Partial<AuditRecord>): AuditRecord {
  return {
    seq: 7n, chainSeq: 7n, id: 'e', at: AT, workspaceId: 'w', actorType: 'user', actorId: 'U0CLIN0002', action: AuditAction.AssetViewed, outcome: 'success', reason: null,
    patientId: 'p', assetId: ASSET.id, consultId: 'c', sourceIp: null, requestId: null, details: { purpose: 'care' }, prevHash: '', hash: '', ...e,
  };
}

const read = (e: Partial<AuditRecord>, facts: Partial<DisclosureFacts> = {}) => {
  const r = disclosureRow(event(e), { ...FACTS, ...facts });
  return [r.who.role, r.purpose, r.outcome];
};

describe('an access as the accounting of disclosures reads it', () => {
  it('takes the role from the standing an allowed view went by', () => {
    expect(read({ reason: 'allowed via requester' })).toEqual(['requester', 'care', 'allowed']);
    expect(read({ reason: 'allowed via specialist' })).toEqual(['specialist', 'care', 'allowed']);
    expect(read({ reason: 'allowed via channel_member' })).toEqual(['member', 'care', 'allowed']);
    expect(read({ reason: 'allowed via participant' }, { participantRole: 'member' })).toEqual(['member', 'care', 'allowed']);
    expect(read({ reason: 'allowed via break_glass' })).toEqual(['break-glass', 'emergency', 'allowed']);
  });

  it('gives a refused view the person’s place in the consult, or none; an admin’s as admin', () => {
    expect(read({ outcome: 'denied', reason: 'card_expired' }, { participantRole: 'specialist' })).toEqual(['specialist', 'care', 'refused']);
    expect(read({ outcome: 'denied', reason: 'allowed via requester' })).toEqual(['none', 'care', 'refused']);
    expect(read({ actorType: 'admin', reason: null })).toEqual(['admin', 'care', 'allowed']);
  });

  it('reads break-glass as an emergency, and a stated purpose only when it is a known one', () => {
    expect(read({ action: AuditAction.BreakGlass, outcome: 'denied', reason: 'reason_too_short', details: {} })).toEqual(['break-glass', 'emergency', 'refused']);
    expect(read({ details: { purpose: 'research' } })).toEqual(['none', 'research', 'allowed']);
    expect(read({ details: { purpose: 'Patient deteriorating' } })).toEqual(['none', 'care', 'allowed']);
    // A teaching copy opened by someone signed in at the hospital, outside the consult.
    expect(read({ action: AuditAction.TeachingShareViewed, details: { purpose: 'education' } })).toEqual(['none', 'education', 'allowed']);
  });

  it('reads privacy officers’ searches and reports as oversight of the list of images', () => {
    const r = disclosureRow(event({ action: AuditAction.PatientSearched, assetId: null, actorId: 'hosp-0005' }), { ...FACTS, asset: null });
    expect([r.who.role, r.purpose, r.what]).toEqual(['privacy officer', 'oversight', null]);
    expect(read({ action: AuditAction.PatientReportProduced, actorType: 'admin' })).toEqual(['admin', 'oversight', 'allowed']);
  });

  it('reads the patient’s own access through their link, their own report included, as theirs', () => {
    expect(read({ action: AuditAction.PatientAccessViewed, actorType: 'patient', actorId: 'link-1', details: { what: 'original' } })).toEqual(['patient', 'own access', 'allowed']);
    expect(read({ action: AuditAction.PatientReportProduced, actorType: 'patient', actorId: 'link-1' })).toEqual(['patient', 'own access', 'allowed']);
  });

  it('lists views, break-glass, searches, reports, the patient’s own views and teaching shares, and nothing that only stores or moves data', () => {
    expect(DISCLOSURE_ACTIONS).toEqual([
      AuditAction.AssetViewed,
      AuditAction.BreakGlass,
      AuditAction.PatientSearched,
      AuditAction.PatientReportProduced,
      AuditAction.PatientAccessViewed,
      AuditAction.TeachingShareCreated,
      AuditAction.TeachingShareViewed,
    ]);
    expect(DISCLOSURE_ACTIONS).not.toContain(AuditAction.BlobRead);
  });

  it('goes six years back by default, and writes ids, words and times only', () => {
    expect(defaultReportSince(new Date('2026-02-28T12:00:00Z')).toISOString()).toBe('2020-02-28T12:00:00.000Z');
    expect(disclosureJson(disclosureRow(event({ reason: 'allowed via specialist' }), FACTS))).toEqual({
      at: AT.toISOString(), seq: '7', workspace: 'w', who: { id: 'U0CLIN0002', name: 'Dr Li Wei', role: 'specialist' },
      what: { asset: ASSET.id, kind: 'dicom_series', modality: 'MR' }, purpose: 'care', outcome: 'allowed',
    });
  });
});
