// Maps one consent version to a FHIR R4 Consent (https://hl7.org/fhir/R4/consent.html)
// and the Provenance that says who recorded it, how it came to be (created,
// changed, withdrawn) and why its predecessor was superseded
// (https://hl7.org/fhir/R4/provenance.html); R4 Consent has no element for
// that history. Pure: the patient is named by Loupe's id, never an identifier.
import type { FhirCoding, FhirIdentifier } from '../audit/fhir.js';
import type { DataKind, Party, Purpose } from '../access/types.js';

/** The facts of one stored version the export reads (structurally a Consent row). */
export interface ConsentVersionFacts {
  id: string;
  patientId: string;
  chainId: string;
  version: number;
  kind: 'decision' | 'withdrawal';
  decision: 'permit' | 'deny' | null;
  purposes: readonly string[];
  parties: readonly string[];
  dataKinds: readonly string[];
  validFrom: Date;
  validUntil: Date | null;
  recordedBy: string;
  recordedByKind: string | null;
  recordedVia: string | null;
  recordedAt: Date;
  evidenceAssetId: string | null;
  supersededAt: Date | null;
}

/** The version this one replaced, and why. */
export interface Predecessor {
  id: string;
  reason: string | null;
}

export interface FhirCodeableConcept {
  coding: FhirCoding[];
}

export interface FhirRef {
  reference?: string;
  type?: string;
  identifier?: FhirIdentifier;
  display?: string;
}

export interface FhirConsent {
  resourceType: 'Consent';
  id: string;
  identifier: FhirIdentifier[];
  status: 'active' | 'inactive';
  scope: FhirCodeableConcept;
  category: FhirCodeableConcept[];
  patient: FhirRef;
  dateTime: string;
  performer: FhirRef[];
  organization: FhirRef[];
  sourceReference?: FhirRef;
  policyRule: FhirCodeableConcept;
  provision?: {
    type: 'permit' | 'deny';
    period: { start: string; end?: string };
    actor: { role: FhirCodeableConcept; reference: FhirRef }[];
    purpose: FhirCoding[];
    class: FhirCoding[];
  };
}

export interface FhirProvenance {
  resourceType: 'Provenance';
  id: string;
  target: FhirRef[];
  recorded: string;
  activity: FhirCodeableConcept;
  reason?: FhirCodeableConcept[];
  agent: { type: FhirCodeableConcept; who: FhirRef }[];
  entity?: { role: 'revision'; what: FhirRef }[];
}

// http://terminology.hl7.org/CodeSystem/consentscope
export const SCOPE_PRIVACY: FhirCoding = { system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy', display: 'Privacy Consent' };
// LOINC 59284-0, the consent category the R4 examples use for privacy consents.
export const CATEGORY_PATIENT_CONSENT: FhirCoding = { system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' };
// http://terminology.hl7.org/CodeSystem/v3-ActCode, the R4 consent-policy value set: a permit opts in, a deny or withdrawal opts out.
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
// http://terminology.hl7.org/CodeSystem/v3-ActReason, the PurposeOfUse value set.
export const PURPOSE_OF_USE: Record<Purpose, FhirCoding> = {
  care: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' },
  education: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TRAIN', display: 'training' },
  research: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HRESCH', display: 'healthcare research' },
};
// The consent-content-class value set takes FHIR resource types: photos are Media, DICOM an ImagingStudy.
export const CONTENT_CLASS: Record<DataKind, FhirCoding> = {
  photo: { system: 'http://hl7.org/fhir/resource-types', code: 'Media' },
  dicom: { system: 'http://hl7.org/fhir/resource-types', code: 'ImagingStudy' },
};
// Each party receives the images: v3 ParticipationType IRCP, "information recipient".
const RECIPIENT: FhirCoding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' };
export const PARTY_SYSTEM = 'urn:loupe:party';
const PARTY_ACTOR: Record<Party, FhirRef> = {
  care_team: { type: 'CareTeam', identifier: { system: PARTY_SYSTEM, value: 'care_team' }, display: "the consult's care team" },
  institution: { type: 'Organization', identifier: { system: PARTY_SYSTEM, value: 'institution' }, display: 'others of the same institution' },
  external: { type: 'Organization', identifier: { system: PARTY_SYSTEM, value: 'external' }, display: 'people of other organisations' },
};
// http://terminology.hl7.org/CodeSystem/v3-DataOperation, in the provenance-history-record-activity value set.
const DATA_OPERATION = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';
const ENTERER: FhirCoding = { system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'enterer', display: 'Enterer' };
export const CHAIN_SYSTEM = 'urn:loupe:consent';
export const CHANGE_REASON_SYSTEM = 'urn:loupe:consent-change-reason';

function known<T extends string>(map: Record<T, FhirCoding>, values: readonly string[]): FhirCoding[] {
  // A value outside the vocabulary (a hand-edited row) is left out rather than guessed.
  return values.filter((v): v is T => Object.hasOwn(map, v)).map((v) => ({ ...map[v] }));
}

/** In force as far as the record goes: the chain's current version, and a decision rather than a withdrawal. */
export function fhirStatus(v: Pick<ConsentVersionFacts, 'kind' | 'supersededAt'>): 'active' | 'inactive' {
  return v.supersededAt === null && v.kind === 'decision' ? 'active' : 'inactive';
}

export function toFhirConsent(v: ConsentVersionFacts, workspaceId: string): FhirConsent {
  const patient = { reference: `Patient/${v.patientId}` };
  const consent: FhirConsent = {
    resourceType: 'Consent',
    id: v.id,
    // Every version of one logical consent shares this identifier; the version is in the chain's order.
    identifier: [{ system: CHAIN_SYSTEM, value: v.chainId }, { system: `${CHAIN_SYSTEM}:version`, value: String(v.version) }],
    status: fhirStatus(v),
    scope: { coding: [{ ...SCOPE_PRIVACY }] },
    category: [{ coding: [{ ...CATEGORY_PATIENT_CONSENT }] }],
    patient,
    dateTime: v.recordedAt.toISOString(),
    // The patient is the one agreeing; the workspace's organisation keeps the record.
    performer: [{ ...patient }],
    organization: [{ identifier: { system: 'urn:loupe:workspace', value: workspaceId } }],
    policyRule: { coding: [{ system: ACT_CODE, code: v.decision === 'permit' ? 'OPTIN' : 'OPTOUT' }] },
  };
  if (v.evidenceAssetId) consent.sourceReference = { type: 'DocumentReference', identifier: { system: 'urn:loupe:asset', value: v.evidenceAssetId } };
  // A withdrawal grants and refuses nothing: it has no provision.
  if (v.kind === 'decision' && v.decision !== null) {
    consent.provision = {
      type: v.decision,
      period: { start: v.validFrom.toISOString(), ...(v.validUntil ? { end: v.validUntil.toISOString() } : {}) },
      actor: v.parties.filter((p): p is Party => Object.hasOwn(PARTY_ACTOR, p)).map((p) => ({ role: { coding: [{ ...RECIPIENT }] }, reference: structuredClone(PARTY_ACTOR[p]) })),
      purpose: known(PURPOSE_OF_USE, v.purposes),
      class: known(CONTENT_CLASS, v.dataKinds),
    };
  }
  return consent;
}

/** Who recorded the version, and, for a change or withdrawal, the version it superseded and why. */
export function toFhirProvenance(v: ConsentVersionFacts, predecessor: Predecessor | null): FhirProvenance {
  const code = v.kind === 'withdrawal' ? 'ABORT' : predecessor ? 'UPDATE' : 'CREATE';
  const provenance: FhirProvenance = {
    resourceType: 'Provenance',
    id: `${v.id}-provenance`,
    target: [{ reference: `Consent/${v.id}` }],
    recorded: v.recordedAt.toISOString(),
    activity: { coding: [{ system: DATA_OPERATION, code }, ...(v.recordedVia ? [{ system: 'urn:loupe:consent-channel', code: v.recordedVia }] : [])] },
    agent: [{ type: { coding: [{ ...ENTERER }] }, who: { identifier: { system: v.recordedByKind ? `urn:loupe:actor:${v.recordedByKind}` : 'urn:loupe:actor', value: v.recordedBy } } }],
  };
  if (predecessor) {
    provenance.entity = [{ role: 'revision', what: { reference: `Consent/${predecessor.id}` } }];
    if (predecessor.reason) provenance.reason = [{ coding: [{ system: CHANGE_REASON_SYSTEM, code: predecessor.reason }] }];
  }
  return provenance;
}
