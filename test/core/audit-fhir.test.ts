import { describe, it, expect } from 'vitest';
import { GENESIS_HASH, hashEvent } from '../../src/core/audit/chain.js';
import { AuditAction, type SealedAuditRecord } from '../../src/core/audit/event.js';
import { toFhirAuditEvent, type FhirAuditEvent, type FhirAuditEventEntity } from '../../src/core/audit/fhir.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const SOURCE = { observer: 'loupe-test-01' };

function record(overrides: Partial<Omit<SealedAuditRecord, 'hash'>> = {}): SealedAuditRecord {
  const body: Omit<SealedAuditRecord, 'hash'> = {
    seq: 42n,
    chainSeq: 40n,
    id: '01J9Z6Q8K3M4N5P6R7S8T9V0WX',
    at: new Date('2025-03-14T09:26:53.589Z'),
    workspaceId: 'ws_7f3a',
    actorType: 'user',
    actorId: 'U024BE7LH',
    action: AuditAction.BlobRead,
    outcome: 'success',
    reason: null,
    patientId: 'pat_9c21',
    assetId: 'ast_4b18',
    consultId: 'cns_0e77',
    sourceIp: '10.12.4.31',
    requestId: 'req_5d2f9a',
    details: { kind: 'photo', bytes: 482133 },
    prevHash: 'a'.repeat(64),
    ...overrides,
  };
  return { ...body, hash: hashEvent(body) };
}

function chainEntityOf(event: FhirAuditEvent): FhirAuditEventEntity {
  const chain = event.entity.find((e) => e.what.identifier?.system === 'urn:loupe:audit-chain');
  if (!chain) throw new Error('no chain entity');
  return chain;
}

function detail(entity: FhirAuditEventEntity, type: string): string | undefined {
  return entity.detail?.find((d) => d.type === type)?.valueString;
}

describe('toFhirAuditEvent', () => {
  it('maps a blob read by a user from an IP', () => {
    const r = record();
    const event = toFhirAuditEvent(r, SOURCE);

    expect(event.resourceType).toBe('AuditEvent');
    expect(event.id).toBe(r.id);
    expect(event.recorded).toBe('2025-03-14T09:26:53.589Z');
    expect(event.type).toEqual({ system: DCM, code: '110110', display: 'Patient Record' });
    expect(event.subtype).toContainEqual({ system: 'urn:loupe:audit-action', code: 'blob.read' });
    expect(event.action).toBe('R');
    expect(event.outcome).toBe('0');
    expect(event.outcomeDesc).toBeUndefined();

    expect(event.agent).toHaveLength(1);
    const [agent] = event.agent;
    expect(agent?.requestor).toBe(true);
    expect(agent?.who).toEqual({ identifier: { system: 'urn:loupe:actor:user', value: 'U024BE7LH' } });
    expect(agent?.network).toEqual({ address: '10.12.4.31', type: '2' });
    expect(agent?.type?.coding[0]?.code).toBe('humanuser');

    expect(event.source).toEqual({
      observer: { display: 'loupe-test-01' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    });

    const patient = event.entity.find((e) => e.what.reference !== undefined);
    expect(patient).toEqual({
      what: { reference: 'Patient/pat_9c21' },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
    const systems = event.entity.map((e) => e.what.identifier?.system);
    expect(systems).toEqual(
      expect.arrayContaining(['urn:loupe:asset', 'urn:loupe:consult', 'urn:loupe:workspace', 'urn:loupe:audit-chain']),
    );
    const asset = event.entity.find((e) => e.what.identifier?.system === 'urn:loupe:asset');
    expect(asset?.what.identifier?.value).toBe('ast_4b18');
    expect(asset?.type?.code).toBe('2');
  });

  it('maps the verbs of the known actions to C/R/U/D/E', () => {
    const actionOf = (action: string) => toFhirAuditEvent(record({ action }), SOURCE).action;
    expect(actionOf(AuditAction.BlobStored)).toBe('C');
    expect(actionOf(AuditAction.PatientCreated)).toBe('C');
    expect(actionOf(AuditAction.PatientRead)).toBe('R');
    expect(actionOf(AuditAction.AssetShredded)).toBe('D');
    expect(actionOf(AuditAction.KeysRotated)).toBe('U');
    expect(actionOf(AuditAction.KeysRewrapped)).toBe('U');
    expect(actionOf(AuditAction.AuditExported)).toBe('E');
    expect(actionOf(AuditAction.ServiceStarted)).toBe('E');
    // A consent's versions are created, never edited: a change or a withdrawal updates the logical consent.
    expect(actionOf(AuditAction.ConsentRecorded)).toBe('C');
    expect(actionOf(AuditAction.ConsentRevised)).toBe('U');
    expect(actionOf(AuditAction.ConsentWithdrawn)).toBe('U');
    expect(actionOf(AuditAction.ConsentListed)).toBe('R');
    expect(actionOf(AuditAction.ConsentExported)).toBe('E');
  });

  it('gives a denied event outcome 8 and the reason', () => {
    const event = toFhirAuditEvent(
      record({ action: AuditAction.PatientRead, outcome: 'denied', reason: 'not a member of the care team' }),
      SOURCE,
    );
    expect(event.outcome).toBe('8');
    expect(event.outcomeDesc).toBe('not a member of the care team');
  });

  it('exports a patient’s own view as a patient record read by a human, the patient, named by their link', () => {
    const event = toFhirAuditEvent(record({ action: AuditAction.PatientAccessViewed, actorType: 'patient', actorId: 'link-1' }), SOURCE);
    expect(event.type).toEqual({ system: DCM, code: '110110', display: 'Patient Record' });
    expect(event.agent[0]?.type?.coding[0]?.code).toBe('humanuser');
    expect(event.agent[0]?.who).toEqual({ identifier: { system: 'urn:loupe:actor:patient', value: 'link-1' } });
    expect(toFhirAuditEvent(record({ action: AuditAction.PatientAccessIssued }), SOURCE).subtype[0]).toMatchObject({ code: '110129' });
  });

  it('gives a failure outcome 4', () => {
    expect(toFhirAuditEvent(record({ outcome: 'failure', reason: 'store unavailable' }), SOURCE).outcome).toBe('4');
  });

  it('maps an unknown action to Application Activity and keeps the action as subtype', () => {
    const event = toFhirAuditEvent(record({ action: 'consult.escalated' }), SOURCE);
    expect(event.type).toEqual({ system: DCM, code: '110100', display: 'Application Activity' });
    expect(event.subtype).toEqual([{ system: 'urn:loupe:audit-action', code: 'consult.escalated' }]);
    expect(event.action).toBe('E');
  });

  it('does not treat inherited property names as known actions', () => {
    expect(toFhirAuditEvent(record({ action: 'toString' }), SOURCE).type.code).toBe('110100');
  });

  it('omits entities, network and who when the ids are null', () => {
    const event = toFhirAuditEvent(
      record({
        action: AuditAction.ServiceStarted,
        actorType: 'system',
        actorId: null,
        workspaceId: null,
        patientId: null,
        assetId: null,
        consultId: null,
        sourceIp: null,
        requestId: null,
        details: {},
      }),
      SOURCE,
    );
    expect(event.entity).toHaveLength(1);
    expect(event.entity[0]?.what.identifier?.system).toBe('urn:loupe:audit-chain');
    expect(event.entity.some((e) => e.what.reference?.startsWith('Patient/'))).toBe(false);
    const [agent] = event.agent;
    expect(agent?.who).toBeUndefined();
    expect(agent?.network).toBeUndefined();
    expect(agent?.requestor).toBe(true);
    expect(agent?.type?.coding[0]).toEqual({ system: DCM, code: '110150', display: 'Application' });
    expect(event.subtype).toContainEqual({ system: DCM, code: '110120', display: 'Application Start' });
    expect(detail(chainEntityOf(event), 'requestId')).toBeUndefined();
  });

  it('carries the chain link, request id and details on the chain entity', () => {
    const first = record({ seq: 1n, chainSeq: 1n, prevHash: GENESIS_HASH });
    const second = record({ seq: 3n, chainSeq: 2n, prevHash: first.hash, details: { kind: 'dicom', frames: [1, 2], note: 'a"b' } });
    const chain = chainEntityOf(toFhirAuditEvent(second, SOURCE));

    // Named by its seq (as the console shows it); its place in the chain apart.
    expect(chain.what.identifier?.value).toBe('3');
    expect(detail(chain, 'seq')).toBe('3');
    expect(detail(chain, 'chainSeq')).toBe('2');
    expect(detail(chain, 'hash')).toBe(second.hash);
    expect(detail(chain, 'hash')).toMatch(/^[0-9a-f]{64}$/);
    expect(detail(chain, 'prevHash')).toBe(first.hash);
    expect(detail(chain, 'requestId')).toBe('req_5d2f9a');
    expect(detail(chain, 'details.kind')).toBe('"dicom"');
    expect(JSON.parse(detail(chain, 'details.frames') ?? 'null')).toEqual([1, 2]);
    expect(JSON.parse(detail(chain, 'details.note') ?? 'null')).toBe('a"b');
  });

  it('exports enough to re-verify the hash', () => {
    const r = record({ details: { kind: 'photo', bytes: 482133 } });
    const event = toFhirAuditEvent(r, SOURCE);
    const chain = chainEntityOf(event);
    const id = (system: string) => event.entity.find((e) => e.what.identifier?.system === system)?.what.identifier?.value;
    const details = Object.fromEntries(
      (chain.detail ?? [])
        .filter((d) => d.type.startsWith('details.'))
        .map((d) => [d.type.slice('details.'.length), JSON.parse(d.valueString) as unknown]),
    );
    const rebuilt: Omit<SealedAuditRecord, 'hash'> = {
      seq: BigInt(detail(chain, 'seq') ?? '-1'),
      chainSeq: BigInt(detail(chain, 'chainSeq') ?? '-1'),
      id: event.id,
      at: new Date(event.recorded),
      workspaceId: id('urn:loupe:workspace') ?? null,
      actorType: event.agent[0]?.who?.identifier?.system.replace('urn:loupe:actor:', '') ?? '',
      actorId: event.agent[0]?.who?.identifier?.value ?? null,
      action: event.subtype.find((c) => c.system === 'urn:loupe:audit-action')?.code ?? '',
      outcome: 'success',
      reason: event.outcomeDesc ?? null,
      patientId: event.entity.find((e) => e.what.reference)?.what.reference?.replace('Patient/', '') ?? null,
      assetId: id('urn:loupe:asset') ?? null,
      consultId: id('urn:loupe:consult') ?? null,
      sourceIp: event.agent[0]?.network?.address ?? null,
      requestId: detail(chain, 'requestId') ?? null,
      details,
      prevHash: detail(chain, 'prevHash') ?? '',
    };
    expect(hashEvent(rebuilt)).toBe(detail(chain, 'hash'));
  });

  it('serialises to one NDJSON line with every required field present', () => {
    const records = [
      record(),
      record({ action: 'job.dead', outcome: 'failure', reason: 'gave up after 5 attempts\nlast: timeout', details: { error: 'line1\nline2' } }),
      record({ actorId: null, patientId: null, assetId: null, consultId: null, workspaceId: null, sourceIp: null, requestId: null, details: null }),
    ];
    const ndjson = records.map((r) => JSON.stringify(toFhirAuditEvent(r, SOURCE))).join('\n');
    const lines = ndjson.split('\n');
    expect(lines).toHaveLength(records.length);
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      for (const key of ['resourceType', 'id', 'recorded', 'type', 'agent', 'source']) {
        expect(parsed[key], key).toBeDefined();
      }
      expect(parsed.resourceType).toBe('AuditEvent');
      expect(line).not.toContain('undefined');
    }
  });

  it('returns a fresh object each time', () => {
    const a = toFhirAuditEvent(record(), SOURCE);
    a.type.code = 'tampered';
    expect(toFhirAuditEvent(record(), SOURCE).type.code).toBe('110110');
  });
});
