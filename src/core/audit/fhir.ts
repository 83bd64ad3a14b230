// Maps one audit record to a FHIR R4 AuditEvent (https://hl7.org/fhir/R4/auditevent.html)
// so the trail can leave Loupe as NDJSON for a SIEM or a privacy officer in a
// shape they already know. Pure: no I/O, and nothing beyond the record's own
// fields goes in, so the export carries no more PHI than the record (none).
// Every field of the record survives the mapping, so a consumer can rebuild the
// canonical event and re-verify the hash chain.
import { AuditAction, type AuditActionName, type AuditOutcome, type AuditRecord } from './event.js';

export interface FhirCoding {
  system: string;
  code: string;
  display?: string;
}

export interface FhirIdentifier {
  system: string;
  value: string;
}

export interface FhirReference {
  reference?: string;
  identifier?: FhirIdentifier;
  display?: string;
}

export interface FhirAuditEventAgent {
  type?: { coding: FhirCoding[] };
  who?: FhirReference;
  requestor: boolean;
  network?: { address: string; type: '1' | '2' | '3' | '4' | '5' };
}

export interface FhirAuditEventEntityDetail {
  type: string;
  valueString: string;
}

export interface FhirAuditEventEntity {
  what: FhirReference;
  type?: FhirCoding;
  role?: FhirCoding;
  detail?: FhirAuditEventEntityDetail[];
}

/** The subset of the R4 AuditEvent resource that Loupe fills. */
export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  type: FhirCoding;
  subtype: FhirCoding[];
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome: '0' | '4' | '8' | '12';
  outcomeDesc?: string;
  agent: FhirAuditEventAgent[];
  source: { observer: FhirReference; type: FhirCoding[] };
  entity: FhirAuditEventEntity[];
}

// DICOM PS3.16 CID 400 "Audit Event ID" and CID 402 "Audit Active Participant
// Role ID": https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_400.html
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const DcmEvent = {
  ApplicationActivity: { system: DCM, code: '110100', display: 'Application Activity' },
  AuditLogUsed: { system: DCM, code: '110101', display: 'Audit Log Used' },
  Export: { system: DCM, code: '110106', display: 'Export' },
  Import: { system: DCM, code: '110107', display: 'Import' },
  PatientRecord: { system: DCM, code: '110110', display: 'Patient Record' },
  ProcedureRecord: { system: DCM, code: '110111', display: 'Procedure Record' },
  Query: { system: DCM, code: '110112', display: 'Query' },
  SecurityAlert: { system: DCM, code: '110113', display: 'Security Alert' },
  UserAuthentication: { system: DCM, code: '110114', display: 'User Authentication' },
} as const satisfies Record<string, FhirCoding>;

// DICOM CID 401 "Audit Event Type Code": a standard subtype next to Loupe's
// own, so generic SIEM rules can match without knowing Loupe's actions.
const DcmEventType = {
  ApplicationStart: { system: DCM, code: '110120', display: 'Application Start' },
  ApplicationStop: { system: DCM, code: '110121', display: 'Application Stop' },
  SecurityConfiguration: { system: DCM, code: '110129', display: 'Security Configuration' },
} as const satisfies Record<string, FhirCoding>;

const DcmRoleApplication: FhirCoding = { system: DCM, code: '110150', display: 'Application' };

// http://terminology.hl7.org/CodeSystem/extra-security-role-type
const HumanUser: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type',
  code: 'humanuser',
  display: 'human user',
};

/** Loupe's action strings are stable (see event.ts), so they are a code system of their own. */
const LOUPE_ACTION_SYSTEM = 'urn:loupe:audit-action';
const LOUPE_CHAIN_SYSTEM = 'urn:loupe:audit-chain';

// http://terminology.hl7.org/CodeSystem/audit-entity-type
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const EntityPerson: FhirCoding = { system: ENTITY_TYPE, code: '1', display: 'Person' };
const EntitySystemObject: FhirCoding = { system: ENTITY_TYPE, code: '2', display: 'System Object' };
// http://terminology.hl7.org/CodeSystem/object-role
const RolePatient: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/object-role',
  code: '1',
  display: 'Patient',
};

// http://hl7.org/fhir/R4/valueset-audit-event-source-type.html
const SOURCE_APPLICATION_SERVER: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  code: '4',
  display: 'Application Server',
};

interface ActionMapping {
  type: FhirCoding;
  subtype?: FhirCoding;
}

// A Record over every action name: adding an action to event.ts fails the
// build here until someone decides how it is exported.
const ACTION_MAP: Record<AuditActionName, ActionMapping> = {
  [AuditAction.BlobStored]: { type: DcmEvent.Import },
  [AuditAction.BlobRead]: { type: DcmEvent.PatientRecord },
  [AuditAction.AssetShredded]: { type: DcmEvent.PatientRecord },
  [AuditAction.PatientCreated]: { type: DcmEvent.PatientRecord },
  [AuditAction.PatientRead]: { type: DcmEvent.PatientRecord },
  [AuditAction.AssetTextRead]: { type: DcmEvent.PatientRecord },
  [AuditAction.WorkspaceCreated]: { type: DcmEvent.ApplicationActivity },
  [AuditAction.KeysRotated]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
  [AuditAction.KeysRewrapped]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
  [AuditAction.AuditExported]: { type: DcmEvent.Export },
  [AuditAction.AuditVerified]: { type: DcmEvent.AuditLogUsed },
  [AuditAction.AuditVerifyFailed]: { type: DcmEvent.SecurityAlert },
  [AuditAction.ServiceStarted]: { type: DcmEvent.ApplicationActivity, subtype: DcmEventType.ApplicationStart },
  [AuditAction.ServiceStopped]: { type: DcmEvent.ApplicationActivity, subtype: DcmEventType.ApplicationStop },
  [AuditAction.DebrisSwept]: { type: DcmEvent.ApplicationActivity },
  [AuditAction.JobDead]: { type: DcmEvent.ApplicationActivity },
  [AuditAction.PolicyChanged]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
  [AuditAction.LegalHoldPlaced]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
  [AuditAction.LegalHoldLifted]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
  [AuditAction.PatientSearched]: { type: DcmEvent.Query },
  [AuditAction.PatientReportProduced]: { type: DcmEvent.AuditLogUsed },
  [AuditAction.ConsoleRefused]: { type: DcmEvent.SecurityAlert },
  [AuditAction.CardDeleted]: { type: DcmEvent.ApplicationActivity },
  [AuditAction.AssetReceived]: { type: DcmEvent.Import },
  [AuditAction.AssetStored]: { type: DcmEvent.Import },
  [AuditAction.AssetFailed]: { type: DcmEvent.Import },
  [AuditAction.AssetRevoked]: { type: DcmEvent.PatientRecord },
  [AuditAction.PacsExportRequested]: { type: DcmEvent.ApplicationActivity },
  // The image, with its patient, leaving Loupe for the hospital's PACS.
  [AuditAction.PacsExported]: { type: DcmEvent.Export },
  [AuditAction.OriginalRemoved]: { type: DcmEvent.PatientRecord },
  [AuditAction.OriginalRemovalRequested]: { type: DcmEvent.PatientRecord },
  [AuditAction.OriginalNotRemovable]: { type: DcmEvent.SecurityAlert },
  [AuditAction.CardPosted]: { type: DcmEvent.ApplicationActivity },
  // A preview is pixels of the image leaving Loupe for the chat platform.
  [AuditAction.CardPreviewPosted]: { type: DcmEvent.Export },
  [AuditAction.CardPreviewRemoved]: { type: DcmEvent.ApplicationActivity },
  [AuditAction.CardExpired]: { type: DcmEvent.ApplicationActivity },
  [AuditAction.PatientLinked]: { type: DcmEvent.PatientRecord },
  [AuditAction.PatientCorrected]: { type: DcmEvent.PatientRecord },
  [AuditAction.ParticipantInvited]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
  [AuditAction.AssetViewed]: { type: DcmEvent.PatientRecord },
  [AuditAction.ViewerSignedIn]: { type: DcmEvent.UserAuthentication },
  [AuditAction.ViewerSignInRefused]: { type: DcmEvent.UserAuthentication },
  [AuditAction.ViewerSignedOut]: { type: DcmEvent.UserAuthentication },
  [AuditAction.BreakGlass]: { type: DcmEvent.SecurityAlert },
  [AuditAction.OriginalSecured]: { type: DcmEvent.Import },
  [AuditAction.ParticipantAdded]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
  [AuditAction.ConsentRecorded]: { type: DcmEvent.PatientRecord },
  [AuditAction.ConsentRevised]: { type: DcmEvent.PatientRecord },
  [AuditAction.ConsentWithdrawn]: { type: DcmEvent.PatientRecord },
  [AuditAction.ConsentListed]: { type: DcmEvent.Query },
  [AuditAction.ConsentExported]: { type: DcmEvent.Export },
  [AuditAction.AlertRaised]: { type: DcmEvent.SecurityAlert },
  [AuditAction.AlertAcknowledged]: { type: DcmEvent.SecurityAlert },
  [AuditAction.AlertClosed]: { type: DcmEvent.SecurityAlert },
  [AuditAction.PatientAccessIssued]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
  [AuditAction.PatientAccessRevoked]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
  [AuditAction.PatientAccessCodeRefused]: { type: DcmEvent.UserAuthentication },
  [AuditAction.PatientAccessEnded]: { type: DcmEvent.UserAuthentication },
  [AuditAction.PatientAccessOpened]: { type: DcmEvent.UserAuthentication },
  [AuditAction.PatientAccessViewed]: { type: DcmEvent.PatientRecord },
  [AuditAction.PatientAccessRefused]: { type: DcmEvent.SecurityAlert },
  // A teaching copy leaves the care record de-identified: an export; opening it reads that copy.
  [AuditAction.TeachingShareCreated]: { type: DcmEvent.Export },
  [AuditAction.TeachingShareViewed]: { type: DcmEvent.PatientRecord },
  [AuditAction.TeachingShareRevoked]: { type: DcmEvent.SecurityAlert, subtype: DcmEventType.SecurityConfiguration },
};

// Actions written by newer code or plugins must still export, not throw.
const DEFAULT_MAPPING: ActionMapping = { type: DcmEvent.ApplicationActivity };

// http://hl7.org/fhir/R4/valueset-audit-event-action.html, keyed on the verb
// after the last dot so new actions with a known verb classify themselves.
const VERB_TO_ACTION: Record<string, FhirAuditEvent['action']> = {
  stored: 'C',
  created: 'C',
  read: 'R',
  shredded: 'D',
  rotated: 'U',
  rewrapped: 'U',
  corrected: 'U',
  recorded: 'C',
  revised: 'U',
  withdrawn: 'U',
  listed: 'R',
};

// http://hl7.org/fhir/R4/valueset-audit-event-outcome.html
const OUTCOME: Record<AuditOutcome, FhirAuditEvent['outcome']> = {
  success: '0',
  failure: '4',
  denied: '8',
};

const HUMAN_ACTORS = new Set(['user', 'admin', 'patient']);
const APPLICATION_ACTORS = new Set(['system', 'service']);

function mappingFor(action: string): ActionMapping {
  return Object.hasOwn(ACTION_MAP, action) ? ACTION_MAP[action as AuditActionName] : DEFAULT_MAPPING;
}

function fhirAction(action: string): FhirAuditEvent['action'] {
  const verb = action.slice(action.lastIndexOf('.') + 1);
  return (Object.hasOwn(VERB_TO_ACTION, verb) ? VERB_TO_ACTION[verb] : undefined) ?? 'E';
}

// FHIR forbids empty strings, so an empty value is treated like an absent one.
function present(value: string | null): value is string {
  return value !== null && value !== '';
}

function agentFor(record: AuditRecord): FhirAuditEventAgent {
  const agent: FhirAuditEventAgent = { requestor: true };
  // An unrecognised actor type gets no role rather than a guessed one.
  if (HUMAN_ACTORS.has(record.actorType)) agent.type = { coding: [{ ...HumanUser }] };
  else if (APPLICATION_ACTORS.has(record.actorType)) agent.type = { coding: [{ ...DcmRoleApplication }] };
  if (present(record.actorId)) {
    agent.who = { identifier: { system: `urn:loupe:actor:${record.actorType}`, value: record.actorId } };
  }
  // '2' = IP Address (http://hl7.org/fhir/network-type), for v4 and v6 alike.
  if (present(record.sourceIp)) agent.network = { address: record.sourceIp, type: '2' };
  return agent;
}

function identified(system: string, value: string, type: FhirCoding): FhirAuditEventEntity {
  return { what: { identifier: { system, value } }, type: { ...type } };
}

function detailsOf(details: unknown): FhirAuditEventEntityDetail[] {
  if (details === null || details === undefined) return [];
  // A non-object payload still has to reach the consumer to re-verify the hash.
  if (typeof details !== 'object' || Array.isArray(details)) {
    const json = JSON.stringify(details);
    return json === undefined ? [] : [{ type: 'details', valueString: json }];
  }
  const out: FhirAuditEventEntityDetail[] = [];
  for (const [key, value] of Object.entries(details)) {
    const json = JSON.stringify(value);
    // Canonical JSON drops undefined members too, so skipping keeps the hash reproducible.
    if (json === undefined) continue;
    // Prefixed so a details key can never shadow seq/hash/prevHash on the same entity.
    out.push({ type: `details.${key}`, valueString: json });
  }
  return out;
}

function chainEntity(record: AuditRecord): FhirAuditEventEntity {
  const detail: FhirAuditEventEntityDetail[] = [
    // seq is a bigint; a string keeps it exact past 2^53 for JSON consumers.
    { type: 'seq', valueString: record.seq.toString() },
  ];
  // Chain fields exist once the event is sealed; an export seals first, so only events committed meanwhile lack them.
  if (record.chainSeq !== null) detail.push({ type: 'chainSeq', valueString: record.chainSeq.toString() });
  if (record.hash !== null) detail.push({ type: 'hash', valueString: record.hash });
  if (record.prevHash !== null) detail.push({ type: 'prevHash', valueString: record.prevHash });
  detail.push(
    // The agent carries the actor type only when there is an actor id.
    { type: 'actorType', valueString: record.actorType },
  );
  if (present(record.requestId)) detail.push({ type: 'requestId', valueString: record.requestId });
  detail.push(...detailsOf(record.details));
  return { ...identified(LOUPE_CHAIN_SYSTEM, record.seq.toString(), EntitySystemObject), detail };
}

// Shared codings are copied into each event so a caller mutating one export
// cannot change the next.
export function toFhirAuditEvent(record: AuditRecord, source: { observer: string }): FhirAuditEvent {
  const mapping = mappingFor(record.action);
  const subtype: FhirCoding[] = [];
  if (mapping.subtype) subtype.push({ ...mapping.subtype });
  subtype.push({ system: LOUPE_ACTION_SYSTEM, code: record.action });

  const entity: FhirAuditEventEntity[] = [];
  if (present(record.patientId)) {
    entity.push({ what: { reference: `Patient/${record.patientId}` }, type: { ...EntityPerson }, role: { ...RolePatient } });
  }
  if (present(record.assetId)) entity.push(identified('urn:loupe:asset', record.assetId, EntitySystemObject));
  if (present(record.consultId)) entity.push(identified('urn:loupe:consult', record.consultId, EntitySystemObject));
  if (present(record.workspaceId)) {
    entity.push(identified('urn:loupe:workspace', record.workspaceId, EntitySystemObject));
  }
  entity.push(chainEntity(record));

  const event: FhirAuditEvent = {
    resourceType: 'AuditEvent',
    id: record.id,
    type: { ...mapping.type },
    subtype,
    action: fhirAction(record.action),
    recorded: record.at.toISOString(),
    outcome: OUTCOME[record.outcome],
    agent: [agentFor(record)],
    source: { observer: { display: source.observer }, type: [{ ...SOURCE_APPLICATION_SERVER }] },
    entity,
  };
  if (present(record.reason)) event.outcomeDesc = record.reason;
  return event;
}
