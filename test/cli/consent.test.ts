// `loupe consent export`: every consent version as a FHIR R4 Consent followed
// by its Provenance, one JSON per line, checked against the R4 rules that can
// be checked offline; filtered by patient and by time; no identifier in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../src/app/consent/record-consent.js';
import { reviseConsent } from '../../src/app/consent/revise-consent.js';
import { withdrawConsent } from '../../src/app/consent/withdraw-consent.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { createLoupe, openServices } from '../../src/main.js';
import { cli } from '../support/cli.js';
import { testEngines } from '../support/engines.js';
import { checkConsent, checkProvenance } from '../support/fhir-r4.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';

const silent = createLogger('silent');
const nurse = { kind: 'chat_user', id: 'U-NURSE' } as const;
/** Parsed NDJSON, read loosely by the assertions. */
type Resource = Record<string, any>;

describe.each(testEngines())('loupe consent export on %s', (engine) => {
  let inst: InstanceEnv;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    inst = await createInstanceEnv(engine);
    const services = await openServices(loadConfig(inst.env), silent);
    try {
      let now = new Date('2026-01-01T09:00:00Z');
      const deps = { ...services.storage, queue: services.queue, clock: { now: () => now } };
      const workspaceId = (await services.storage.workspaces.ensure('slack', 'T-EXPORT', 'Ward', { type: 'system', id: 'test' })).id;
      ids.workspace = workspaceId;
      const form = await services.storage.db.prisma.asset.create({ data: { workspaceId, uploaderId: 'U-NURSE', kind: 'photo', status: 'stored', sourceRef: 'F-FORM' } });
      ids.form = form.id;
      const a = { identifier: 'MRN-EXPORT-1', issuer: 'urn:oid:9.9' };
      const v1 = await recordConsent(deps, {
        workspaceId,
        patient: a,
        terms: { decision: 'permit', purposes: ['education', 'research'], parties: ['institution', 'external'], dataKinds: ['photo', 'dicom'], validFrom: new Date('2026-01-01T00:00:00Z'), validUntil: new Date('2027-01-01T00:00:00Z') },
        recorder: nurse,
        via: 'chat_slack',
        evidenceAssetId: form.id,
      });
      now = new Date('2026-01-15T09:00:00Z');
      const b1 = await recordConsent(deps, {
        workspaceId,
        patient: { identifier: 'MRN-EXPORT-2', issuer: 'urn:oid:9.9' },
        terms: { decision: 'deny', purposes: ['care'], parties: ['care_team'], dataKinds: ['dicom'], validFrom: new Date('2026-01-15T00:00:00Z') },
        recorder: { kind: 'console_subject', id: 'sub-7' },
        via: 'console',
      });
      now = new Date('2026-02-01T09:00:00Z');
      const v2 = await reviseConsent(deps, { workspaceId, consentId: v1.id, terms: { decision: 'permit', purposes: ['education'], parties: ['institution'], dataKinds: ['photo'], validFrom: new Date('2026-02-01T00:00:00Z') }, recorder: nurse, via: 'chat_teams', reason: 'patient_changed' });
      now = new Date('2026-03-01T09:00:00Z');
      const v3 = await withdrawConsent(deps, { workspaceId, consentId: v2.id, recorder: nurse, via: 'chat_slack', reason: 'patient_withdrew' });
      Object.assign(ids, { v1: v1.id, v2: v2.id, v3: v3.id, b1: b1.id, patientA: v1.patientId, patientB: b1.patientId });
    } finally {
      await services.close();
    }
  });
  afterAll(async () => inst.cleanup());

  const exported = async (...flags: string[]) => {
    const r = await cli(inst.env, 'consent', 'export', ...flags);
    expect(r.status, r.err).toBe(0);
    expect(r.out).not.toContain('MRN-EXPORT');
    const lines = r.out === '' ? [] : r.out.split('\n').map((l) => JSON.parse(l) as Resource);
    const problems = lines.flatMap((res) => (res.resourceType === 'Consent' ? checkConsent(res) : res.resourceType === 'Provenance' ? checkProvenance(res) : [`unexpected ${String(res.resourceType)}`]));
    expect(problems).toEqual([]);
    return { lines, err: r.err, consent: (id: string) => lines.find((x) => x.resourceType === 'Consent' && x.id === id)!, provenance: (id: string) => lines.find((x) => x.resourceType === 'Provenance' && x.target[0].reference === `Consent/${id}`)! };
  };

  it('writes each version as a valid R4 Consent followed by its Provenance, and records the export', async () => {
    const { lines, err, consent, provenance } = await exported();
    expect(err).toBe('exported 4 consent versions');
    expect(lines.map((l) => `${l.resourceType}/${l.resourceType === 'Consent' ? l.id : l.target[0].reference.slice(8)}`)).toEqual(
      [ids.v1, ids.b1, ids.v2, ids.v3].flatMap((id) => [`Consent/${id}`, `Provenance/${id}`]),
    );
    // Every reference to a consent points at one in the stream.
    const consentIds = new Set(lines.filter((l) => l.resourceType === 'Consent').map((l) => `Consent/${l.id}`));
    for (const p of lines.filter((l) => l.resourceType === 'Provenance')) for (const ref of [...p.target, ...(p.entity ?? []).map((e: Resource) => e.what)]) expect(consentIds).toContain(ref.reference);

    const v1 = consent(ids.v1!);
    expect(v1).toMatchObject({
      status: 'inactive',
      identifier: [{ system: 'urn:loupe:consent', value: v1.identifier[0].value }, { system: 'urn:loupe:consent:version', value: '1' }],
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${ids.patientA}` },
      performer: [{ reference: `Patient/${ids.patientA}` }],
      organization: [{ identifier: { system: 'urn:loupe:workspace', value: ids.workspace } }],
      dateTime: '2026-01-01T09:00:00.000Z',
      sourceReference: { identifier: { system: 'urn:loupe:asset', value: ids.form } },
      policyRule: { coding: [{ code: 'OPTIN' }] },
      provision: { type: 'permit', period: { start: '2026-01-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' } },
    });
    expect(v1.provision.purpose.map((c: Resource) => `${c.system}|${c.code}`)).toEqual(['http://terminology.hl7.org/CodeSystem/v3-ActReason|TRAIN', 'http://terminology.hl7.org/CodeSystem/v3-ActReason|HRESCH']);
    expect(v1.provision.class.map((c: Resource) => c.code)).toEqual(['Media', 'ImagingStudy']);
    expect(v1.provision.actor.map((a: Resource) => [a.role.coding[0].code, a.reference.type, a.reference.identifier.value])).toEqual([['IRCP', 'Organization', 'institution'], ['IRCP', 'Organization', 'external']]);
    expect(provenance(ids.v1!)).toMatchObject({ recorded: '2026-01-01T09:00:00.000Z', activity: { coding: [{ code: 'CREATE' }, { system: 'urn:loupe:consent-channel', code: 'chat_slack' }] }, agent: [{ type: { coding: [{ code: 'enterer' }] }, who: { identifier: { system: 'urn:loupe:actor:chat_user', value: 'U-NURSE' } } }] });
    expect(provenance(ids.v1!).entity).toBeUndefined();

    expect(consent(ids.v2!)).toMatchObject({ status: 'inactive', identifier: [{ value: v1.identifier[0].value }, { value: '2' }], provision: { type: 'permit', period: { start: '2026-02-01T00:00:00.000Z' } } });
    expect(consent(ids.v2!).provision.period.end).toBeUndefined();
    expect(provenance(ids.v2!)).toMatchObject({ activity: { coding: [{ code: 'UPDATE' }, { code: 'chat_teams' }] }, entity: [{ role: 'revision', what: { reference: `Consent/${ids.v1}` } }], reason: [{ coding: [{ system: 'urn:loupe:consent-change-reason', code: 'patient_changed' }] }] });

    // The withdrawal ends the consent: inactive, opting out, granting nothing.
    const v3 = consent(ids.v3!);
    expect(v3).toMatchObject({ status: 'inactive', policyRule: { coding: [{ code: 'OPTOUT' }] }, identifier: [{ value: v1.identifier[0].value }, { value: '3' }] });
    expect(v3.provision).toBeUndefined();
    expect(provenance(ids.v3!)).toMatchObject({ recorded: '2026-03-01T09:00:00.000Z', activity: { coding: [{ code: 'ABORT' }, { code: 'chat_slack' }] }, entity: [{ role: 'revision', what: { reference: `Consent/${ids.v2}` } }], reason: [{ coding: [{ code: 'patient_withdrew' }] }] });

    const b1 = consent(ids.b1!);
    expect(b1).toMatchObject({ status: 'active', patient: { reference: `Patient/${ids.patientB}` }, policyRule: { coding: [{ code: 'OPTOUT' }] }, provision: { type: 'deny', purpose: [{ code: 'TREAT' }], class: [{ code: 'ImagingStudy' }], actor: [{ reference: { type: 'CareTeam', identifier: { value: 'care_team' } } }] } });
    expect(b1.sourceReference).toBeUndefined();
    expect(provenance(ids.b1!).agent[0].who.identifier).toEqual({ system: 'urn:loupe:actor:console_subject', value: 'sub-7' });

    const services = await openServices(loadConfig(inst.env), silent);
    try {
      const events = await services.storage.db.prisma.auditEvent.findMany({ where: { action: 'consent.exported' } });
      expect(events.some((e) => e.actorId === 'cli' && e.outcome === 'success' && (e.details as Resource).versions === 4)).toBe(true);
    } finally {
      await services.close();
    }
  });

  it("filters by patient and by time, and still names a change's predecessor outside the window", async () => {
    const one = await exported('--patient', ids.patientB!);
    expect(one.lines.map((l) => l.resourceType)).toEqual(['Consent', 'Provenance']);
    expect(one.consent(ids.b1!).id).toBe(ids.b1);

    // Since February: v1 (superseded then), v2 and v3; the January deny is unchanged since.
    const since = await exported('--since', '2026-02-01');
    expect(since.lines.filter((l) => l.resourceType === 'Consent').map((l) => l.id)).toEqual([ids.v1, ids.v2, ids.v3]);
    const late = await exported('--since', '2026-02-15T00:00:00Z');
    expect(late.lines.filter((l) => l.resourceType === 'Consent').map((l) => l.id)).toEqual([ids.v2, ids.v3]);
    expect(late.provenance(ids.v2!).entity).toEqual([{ role: 'revision', what: { reference: `Consent/${ids.v1}` } }]);
    expect((await exported('--since', '2026-04-01')).lines).toEqual([]);
  });

  it('refuses a malformed flag with status 2, naming the flag and not echoing the value', async () => {
    const bad = await cli(inst.env, 'consent', 'export', '--patient', 'MRN-EXPORT-1');
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/^--patient /);
    expect(bad.err).not.toContain('MRN-EXPORT-1');
    expect(bad.out).toBe('');
    expect((await cli(inst.env, 'consent', 'export', '--since', 'last week')).status).toBe(2);
  });
});

describe.runIf(testEngines().includes('pglite'))('loupe consent export while `loupe serve` holds the embedded database', () => {
  it('streams the export from the server, with the patient filter passed through', async () => {
    const inst = await createInstanceEnv('pglite');
    const loupe = await createLoupe(loadConfig(inst.env), silent);
    try {
      await loupe.listen();
      const { storage, clock, queue } = loupe.services;
      const workspaceId = (await storage.workspaces.ensure('slack', 'T-SERVE', 'Ward', { type: 'system', id: 'test' })).id;
      const terms = { decision: 'permit', purposes: ['education'], parties: ['institution'], dataKinds: ['photo'], validFrom: new Date('2026-01-01T00:00:00Z') };
      const a = await recordConsent({ ...storage, queue, clock }, { workspaceId, patient: { identifier: 'MRN-SERVE-1', issuer: 'X' }, terms, recorder: nurse, via: 'cli' });
      await recordConsent({ ...storage, queue, clock }, { workspaceId, patient: { identifier: 'MRN-SERVE-2', issuer: 'X' }, terms, recorder: nurse, via: 'cli' });
      const r = await cli(inst.env, 'consent', 'export', '--patient', a.patientId);
      expect(r).toMatchObject({ status: 0, err: 'exported 1 consent versions' });
      const lines = r.out.split('\n').map((l) => JSON.parse(l) as Resource);
      expect(lines.map((l) => `${l.resourceType}:${l.resourceType === 'Consent' ? l.id : l.target[0].reference}`)).toEqual([`Consent:${a.id}`, `Provenance:Consent/${a.id}`]);
      expect([...checkConsent(lines[0]!), ...checkProvenance(lines[1]!)]).toEqual([]);
    } finally {
      await loupe.stop();
      await inst.cleanup();
    }
  });
});
