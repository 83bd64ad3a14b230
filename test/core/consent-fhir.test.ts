// The FHIR mapping of one consent version, pure, and the offline R4 checks
// the export test relies on: they pass the mapping and catch what R4 forbids.
import { describe, expect, it } from 'vitest';
import { toFhirConsent, toFhirProvenance, type ConsentVersionFacts } from '../../src/core/consent/fhir.js';
import { checkConsent, checkProvenance } from '../support/fhir-r4.js';

const version: ConsentVersionFacts = {
  id: '0b8f4a52-27d4-4c55-9a62-1f1f3bfb0a01',
  patientId: '6c0a3a55-0d4e-4a0e-8a4b-2b8f1b6f9a10',
  chainId: '0b8f4a52-27d4-4c55-9a62-1f1f3bfb0a01',
  version: 1,
  kind: 'decision',
  decision: 'permit',
  purposes: ['care', 'education', 'research'],
  parties: ['care_team', 'institution', 'external'],
  dataKinds: ['photo', 'dicom'],
  validFrom: new Date('2026-01-01T00:00:00Z'),
  validUntil: null,
  recordedBy: 'U1',
  recordedByKind: 'chat_user',
  recordedVia: 'chat_slack',
  recordedAt: new Date('2026-01-01T08:00:00Z'),
  evidenceAssetId: null,
  supersededAt: null,
};

describe('consent versions as FHIR R4', () => {
  it('maps every purpose, party and kind to its standard code, and passes the R4 checks', () => {
    const consent = toFhirConsent(version, 'ws-1');
    expect(checkConsent(consent as never)).toEqual([]);
    expect(consent.provision?.purpose.map((c) => c.code)).toEqual(['TREAT', 'TRAIN', 'HRESCH']);
    expect(consent.provision?.actor.map((a) => a.reference.type)).toEqual(['CareTeam', 'Organization', 'Organization']);
    expect(checkProvenance(toFhirProvenance(version, null) as never)).toEqual([]);
    // A legacy row (before 0009) has no recorder kind or channel: still valid, nothing guessed.
    const legacy = toFhirProvenance({ ...version, recordedByKind: null, recordedVia: null }, null);
    expect(checkProvenance(legacy as never)).toEqual([]);
    expect(legacy.agent[0]?.who.identifier).toEqual({ system: 'urn:loupe:actor', value: 'U1' });
    expect(legacy.activity.coding).toHaveLength(1);
  });

  it('leaves out words outside the vocabulary rather than guessing a code', () => {
    const odd = toFhirConsent({ ...version, purposes: ['care', 'marketing'], parties: ['press'], dataKinds: ['video', 'photo'] }, 'ws-1');
    expect(odd.provision?.purpose.map((c) => c.code)).toEqual(['TREAT']);
    expect(odd.provision?.class.map((c) => c.code)).toEqual(['Media']);
    expect(odd.provision?.actor).toEqual([]);
  });

  it('catches what R4 forbids', () => {
    const good = toFhirConsent(version, 'ws-1') as unknown as Record<string, unknown>;
    const problems = (r: Record<string, unknown>) => checkConsent(r);
    expect(problems({ ...good, status: 'revoked' })).toEqual([expect.stringContaining('status')]);
    expect(problems({ ...good, patient: undefined })).toEqual([expect.stringContaining('ppc-2')]);
    expect(problems({ ...good, policyRule: undefined })).toEqual([expect.stringContaining('ppc-1')]);
    expect(problems({ ...good, category: [] }).join()).toContain('category');
    expect(problems({ ...good, patient: { reference: 'Patient/has space' } }).join()).toContain('reference');
    const provision = good.provision as Record<string, unknown>;
    expect(problems({ ...good, provision: { ...provision, purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'MARKT' }] } }).join()).toContain('not in the value set');
    expect(problems({ ...good, provision: { ...provision, type: 'allow' } }).join()).toContain('provision.type');
    expect(problems({ ...good, provision: { ...provision, period: { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' } } }).join()).toContain('per-1');
    expect(problems({ ...good, provision: { ...provision, actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] } }] } }).join()).toContain('Reference');
    const provenance = toFhirProvenance(version, null) as unknown as Record<string, unknown>;
    expect(checkProvenance({ ...provenance, recorded: '2026-01-01' }).join()).toContain('recorded');
    expect(checkProvenance({ ...provenance, agent: [] }).join()).toContain('agent');
    expect(checkProvenance({ ...provenance, entity: [{ role: 'replaced', what: { reference: 'Consent/x' } }] }).join()).toContain('entity[0].role');
  });
});
