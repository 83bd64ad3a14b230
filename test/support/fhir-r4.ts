// Offline checks of FHIR R4 Consent and Provenance resources: the
// cardinalities, invariants and code systems of the R4 definitions
// (https://hl7.org/fhir/R4/consent.html, https://hl7.org/fhir/R4/provenance.html)
// and the value sets Loupe's export names. Returns the problems found.
type Json = Record<string, unknown>;

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const DATE_TIME = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const INSTANT = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const URI = /^\S+$/;

/** Code systems and the codes each value set named by the export allows. */
export const R4_CODES = {
  consentState: ['draft', 'proposed', 'active', 'rejected', 'inactive', 'entered-in-error'],
  consentScope: { system: 'http://terminology.hl7.org/CodeSystem/consentscope', codes: ['adr', 'research', 'patient-privacy', 'treatment'] },
  consentCategoryLoinc: { system: 'http://loinc.org', codes: ['59284-0', '57016-8', '57017-6', '64292-6'] },
  consentPolicy: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', codes: ['OPTIN', 'OPTINR', 'OPTOUT', 'OPTOUTE'] },
  provisionType: ['deny', 'permit'],
  purposeOfUse: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', codes: ['TREAT', 'TRAIN', 'HRESCH'] },
  contentClass: { system: 'http://hl7.org/fhir/resource-types', codes: ['Media', 'ImagingStudy', 'DocumentReference', 'Observation'] },
  participationType: { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', codes: ['IRCP', 'PRCP', 'AUT', 'CST'] },
  historyActivity: { system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', codes: ['CREATE', 'UPDATE', 'DELETE', 'ABORT', 'HOLD', 'RELEASE', 'SUSPEND', 'RESUME', 'CANCEL', 'NULLIFY', 'ACTIVATE', 'REACTIVATE', 'COMPLETE', 'OBSOLETE'] },
  participantType: { system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', codes: ['enterer', 'performer', 'author', 'verifier', 'legal', 'attester', 'informant', 'custodian', 'assembler', 'composer'] },
  entityRole: ['derivation', 'revision', 'quotation', 'source', 'removal'],
  referenceTypes: ['Patient', 'Consent', 'CareTeam', 'Organization', 'Practitioner', 'PractitionerRole', 'RelatedPerson', 'Group', 'Device', 'DocumentReference', 'Contract', 'QuestionnaireResponse'],
} as const;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  readonly problems: string[] = [];
  constructor(private readonly what: string) {}
  fail(path: string, problem: string) {
    this.problems.push(`${this.what} ${path}: ${problem}`);
  }
  /** FHIR has no empty strings, arrays or objects, and no nulls. */
  noEmpty(value: unknown, path: string) {
    if (value === null || value === '') this.fail(path, 'empty value');
    else if (Array.isArray(value)) {
      if (value.length === 0) this.fail(path, 'empty array');
      value.forEach((v, i) => this.noEmpty(v, `${path}[${i}]`));
    } else if (isObject(value)) {
      if (Object.keys(value).length === 0) this.fail(path, 'empty object');
      for (const [k, v] of Object.entries(value)) this.noEmpty(v, `${path}.${k}`);
    }
  }
  array(value: unknown, path: string, min: number, max = Infinity): unknown[] {
    if (value === undefined) {
      if (min > 0) this.fail(path, `required (${min}..)`);
      return [];
    }
    if (!Array.isArray(value)) {
      this.fail(path, 'must be an array');
      return [];
    }
    if (value.length < min || value.length > max) this.fail(path, `cardinality ${min}..${max === Infinity ? '*' : max}, got ${value.length}`);
    return value;
  }
  coding(value: unknown, path: string, allowed?: { system: string; codes: readonly string[] }) {
    if (!isObject(value)) return this.fail(path, 'must be a Coding');
    if (typeof value.system !== 'string' || !URI.test(value.system)) this.fail(path, 'system must be a uri');
    if (typeof value.code !== 'string' || !/^[^\s]+( [^\s]+)*$/.test(value.code)) this.fail(path, 'code must be a code');
    if (allowed && (value.system !== allowed.system || !allowed.codes.includes(String(value.code)))) this.fail(path, `${String(value.system)}|${String(value.code)} is not in the value set`);
  }
  /** A CodeableConcept with at least one coding from the value set (others, from other systems, may accompany it). */
  concept(value: unknown, path: string, allowed?: { system: string; codes: readonly string[] }) {
    if (!isObject(value)) return this.fail(path, 'must be a CodeableConcept');
    const codings = this.array(value.coding, `${path}.coding`, 1);
    codings.forEach((c, i) => this.coding(c, `${path}.coding[${i}]`));
    if (allowed && !codings.some((c) => isObject(c) && c.system === allowed.system && allowed.codes.includes(String(c.code)))) this.fail(path, `no coding from ${allowed.system}`);
  }
  reference(value: unknown, path: string, types: readonly string[] = R4_CODES.referenceTypes) {
    if (!isObject(value)) return this.fail(path, 'must be a Reference');
    if (value.reference === undefined && value.identifier === undefined && value.display === undefined) this.fail(path, 'a Reference needs a reference, an identifier or a display');
    if (value.reference !== undefined) {
      const m = typeof value.reference === 'string' ? /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(value.reference) : null;
      if (!m || !types.includes(m[1]!)) this.fail(path, 'reference must be Type/id of an allowed type');
    }
    if (value.type !== undefined && (typeof value.type !== 'string' || !types.includes(value.type))) this.fail(path, 'type must be an allowed resource type');
    if (value.identifier !== undefined) {
      const id = value.identifier;
      if (!isObject(id) || typeof id.system !== 'string' || !URI.test(id.system) || typeof id.value !== 'string') this.fail(path, 'identifier needs a system and a value');
    }
  }
  matches(value: unknown, path: string, pattern: RegExp, required = true) {
    if (value === undefined) {
      if (required) this.fail(path, 'required');
      return;
    }
    if (typeof value !== 'string' || !pattern.test(value)) this.fail(path, 'malformed');
  }
}

export function checkConsent(r: Json): string[] {
  const c = new Checker(`Consent/${String(r.id)}`);
  c.noEmpty(r, '');
  if (r.resourceType !== 'Consent') c.fail('resourceType', 'must be Consent');
  c.matches(r.id, 'id', ID);
  if (!R4_CODES.consentState.includes(r.status as never)) c.fail('status', 'not a consent-state-codes value');
  c.concept(r.scope, 'scope', R4_CODES.consentScope);
  c.array(r.category, 'category', 1).forEach((cat, i) => c.concept(cat, `category[${i}]`, R4_CODES.consentCategoryLoinc));
  c.matches(r.dateTime, 'dateTime', DATE_TIME, false);
  // ppc-1: a policy or a policy rule.
  if (r.policy === undefined && r.policyRule === undefined) c.fail('', 'ppc-1: either a policy or a policyRule');
  if (r.policyRule !== undefined) c.concept(r.policyRule, 'policyRule', R4_CODES.consentPolicy);
  // ppc-2: a privacy consent names its patient.
  const scopeCodes = isObject(r.scope) && Array.isArray(r.scope.coding) ? r.scope.coding.map((x) => (isObject(x) ? x.code : undefined)) : [];
  if (scopeCodes.includes('patient-privacy') && r.patient === undefined) c.fail('patient', 'ppc-2: a privacy consent needs a patient');
  if (r.patient !== undefined) c.reference(r.patient, 'patient', ['Patient']);
  c.array(r.performer, 'performer', 0).forEach((p, i) => c.reference(p, `performer[${i}]`, ['Organization', 'Patient', 'Practitioner', 'RelatedPerson', 'PractitionerRole']));
  c.array(r.organization, 'organization', 0).forEach((o, i) => c.reference(o, `organization[${i}]`, ['Organization']));
  if (r.sourceReference !== undefined) c.reference(r.sourceReference, 'sourceReference', ['Consent', 'DocumentReference', 'Contract', 'QuestionnaireResponse']);
  c.array(r.identifier, 'identifier', 0).forEach((id, i) => {
    if (!isObject(id) || typeof id.system !== 'string' || typeof id.value !== 'string') c.fail(`identifier[${i}]`, 'needs a system and a value');
  });
  const p = r.provision;
  if (p !== undefined) {
    if (!isObject(p)) c.fail('provision', 'must be an object');
    else {
      if (p.type !== undefined && !R4_CODES.provisionType.includes(p.type as never)) c.fail('provision.type', 'must be deny or permit');
      if (p.period !== undefined) {
        const period = p.period as Json;
        c.matches(period.start, 'provision.period.start', DATE_TIME, false);
        c.matches(period.end, 'provision.period.end', DATE_TIME, false);
        // per-1: start <= end.
        if (typeof period.start === 'string' && typeof period.end === 'string' && Date.parse(period.start) > Date.parse(period.end)) c.fail('provision.period', 'per-1: start after end');
      }
      c.array(p.actor, 'provision.actor', 0).forEach((a, i) => {
        const actor = a as Json;
        c.concept(actor.role, `provision.actor[${i}].role`, R4_CODES.participationType);
        c.reference(actor.reference, `provision.actor[${i}].reference`, ['Device', 'Group', 'CareTeam', 'Organization', 'Patient', 'Practitioner', 'RelatedPerson', 'PractitionerRole']);
      });
      c.array(p.purpose, 'provision.purpose', 0).forEach((x, i) => c.coding(x, `provision.purpose[${i}]`, R4_CODES.purposeOfUse));
      c.array(p.class, 'provision.class', 0).forEach((x, i) => c.coding(x, `provision.class[${i}]`, R4_CODES.contentClass));
    }
  }
  return c.problems;
}

export function checkProvenance(r: Json): string[] {
  const c = new Checker(`Provenance/${String(r.id)}`);
  c.noEmpty(r, '');
  if (r.resourceType !== 'Provenance') c.fail('resourceType', 'must be Provenance');
  c.matches(r.id, 'id', ID);
  c.array(r.target, 'target', 1).forEach((t, i) => c.reference(t, `target[${i}]`));
  c.matches(r.recorded, 'recorded', INSTANT);
  if (r.activity !== undefined) c.concept(r.activity, 'activity', R4_CODES.historyActivity);
  c.array(r.reason, 'reason', 0).forEach((x, i) => c.concept(x, `reason[${i}]`));
  c.array(r.agent, 'agent', 1).forEach((a, i) => {
    const agent = a as Json;
    if (agent.type !== undefined) c.concept(agent.type, `agent[${i}].type`, R4_CODES.participantType);
    c.reference(agent.who, `agent[${i}].who`, ['Practitioner', 'PractitionerRole', 'RelatedPerson', 'Patient', 'Device', 'Organization']);
  });
  c.array(r.entity, 'entity', 0).forEach((e, i) => {
    const entity = e as Json;
    if (!R4_CODES.entityRole.includes(entity.role as never)) c.fail(`entity[${i}].role`, 'not a provenance-entity-role value');
    c.reference(entity.what, `entity[${i}].what`);
  });
  return c.problems;
}
