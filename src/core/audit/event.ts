// What an audit event says: who did what to which patient, asset or consult,
// when, from where, with what outcome and why. No PHI: patients, assets and
// consults are named by Loupe's internal ids only.

/** `patient`: a patient using their own access link, named by the link's id. */
export type ActorType = 'user' | 'admin' | 'system' | 'service' | 'patient';
export type AuditOutcome = 'success' | 'failure' | 'denied';

/** Actions are stable strings: audit consumers (SIEM rules, exports) key on them. */
export const AuditAction = {
  BlobStored: 'blob.stored',
  BlobRead: 'blob.read',
  AssetShredded: 'asset.shredded',
  PatientCreated: 'patient.created',
  PatientRead: 'patient.read',
  /** An asset's sealed text (the upload's message, the notes added to it) unsealed for a person: the clinical question beside the image. */
  AssetTextRead: 'asset.text_read',
  WorkspaceCreated: 'workspace.created',
  KeysRotated: 'keys.rotated',
  KeysRewrapped: 'keys.rewrapped',
  AuditExported: 'audit.exported',
  AuditVerified: 'audit.verified',
  /** A scheduled walk of the chain found it broken: an alert. */
  AuditVerifyFailed: 'audit.verify_failed',
  ServiceStarted: 'service.started',
  ServiceStopped: 'service.stopped',
  DebrisSwept: 'storage.debris_swept',
  JobDead: 'job.dead',
  PolicyChanged: 'policy.changed',
  LegalHoldPlaced: 'legal_hold.placed',
  LegalHoldLifted: 'legal_hold.lifted',
  /** A privacy officer looked for a patient's images by identifier (the identifier itself is not recorded). */
  PatientSearched: 'patient.searched',
  /** A privacy officer (or the command line) produced a patient's accounting of disclosures: the patient's id and the counts, never the identifier. */
  PatientReportProduced: 'patient.report_produced',
  ConsoleRefused: 'console.refused',
  /** A card redrawn as deleted: its asset was shredded. */
  CardDeleted: 'card.deleted',
  AssetReceived: 'asset.received',
  AssetStored: 'asset.stored',
  AssetFailed: 'asset.failed',
  AssetRevoked: 'asset.revoked',
  /** Sending an asset to the hospital's PACS was asked for from its card (or refused: details say why). */
  PacsExportRequested: 'asset.pacs_export_requested',
  /** The PACS stored the asset (success), or would not (failure; details: the error code, never the PACS's words). */
  PacsExported: 'asset.pacs_exported',
  OriginalRemoved: 'asset.original_removed',
  OriginalRemovalRequested: 'asset.original_removal_requested',
  OriginalNotRemovable: 'asset.original_not_removable',
  CardPosted: 'card.posted',
  /** A card's preview image left Loupe for the chat platform (details: its style, blurred or plain). */
  CardPreviewPosted: 'card.preview_posted',
  /** A card's preview was taken off the chat platform (details: why). */
  CardPreviewRemoved: 'card.preview_removed',
  CardExpired: 'card.expired',
  PatientLinked: 'patient.linked',
  PatientCorrected: 'patient.corrected',
  ParticipantInvited: 'consult.participant_invited',
  AssetViewed: 'asset.viewed',
  ViewerSignedIn: 'viewer.signed_in',
  ViewerSignInRefused: 'viewer.sign_in_refused',
  ViewerSignedOut: 'viewer.signed_out',
  BreakGlass: 'consult.break_glass',
  OriginalSecured: 'asset.original_secured',
  ParticipantAdded: 'consult.participant_added',
  /** A patient's consent recorded: the first version of a chain. */
  ConsentRecorded: 'consent.recorded',
  /** A new version of a consent replaced the current one. */
  ConsentRevised: 'consent.revised',
  /** A withdrawal version ended a consent. */
  ConsentWithdrawn: 'consent.withdrawn',
  /** A patient's consent versions were read. */
  ConsentListed: 'consent.listed',
  /** Consent versions left Loupe as FHIR. */
  ConsentExported: 'consent.exported',
  /** A breach monitoring rule raised an alert (ids and counts only): what a SIEM keys on. */
  AlertRaised: 'alert.raised',
  AlertAcknowledged: 'alert.acknowledged',
  AlertClosed: 'alert.closed',
  /** A privacy officer who verified the patient's identity issued them an access link (the link's id and expiry, never the token or code). */
  PatientAccessIssued: 'patient_access.issued',
  PatientAccessRevoked: 'patient_access.revoked',
  /** A wrong code was typed on a patient's link (details: failures so far, and whether that locked it). */
  PatientAccessCodeRefused: 'patient_access.code_refused',
  /** The right code opened the link's one patient session. */
  PatientAccessOpened: 'patient_access.opened',
  /** The patient saw their list of images, one image, a download of an original, or their report. */
  PatientAccessViewed: 'patient_access.viewed',
  /** A request on a patient's link or session refused: revoked, expired, locked, code already used, session ended, not theirs. */
  PatientAccessRefused: 'patient_access.refused',
  /** The patient signed out: their session ended before its time. */
  PatientAccessEnded: 'patient_access.ended',
  /** A de-identified copy of an asset shared for teaching (or the request refused, with why). */
  TeachingShareCreated: 'teaching_share.created',
  /** A teaching share's page or image opened (or refused: expired, revoked, consent withdrawn). */
  TeachingShareViewed: 'teaching_share.viewed',
  TeachingShareRevoked: 'teaching_share.revoked',
} as const;

export type AuditActionName = (typeof AuditAction)[keyof typeof AuditAction];

export interface AuditActor {
  type: ActorType;
  /** Chat user id, signed-in subject, or the name of a system component. */
  id: string | null;
}

/** What a use case hands to the audit log. */
export interface AuditEventInput {
  actor: AuditActor;
  action: AuditActionName | (string & {});
  outcome: AuditOutcome;
  reason?: string | null;
  workspaceId?: string | null;
  patientId?: string | null;
  assetId?: string | null;
  consultId?: string | null;
  sourceIp?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

/**
 * One stored audit event. `seq` is its insertion order (paging, links);
 * `chainSeq`, `prevHash` and `hash` are null until the sealer links it into
 * the hash chain, at position `chainSeq` (sealing order, which may differ
 * from seq: a lower seq can commit after a higher one was sealed).
 */
export interface AuditRecord {
  seq: bigint;
  chainSeq: bigint | null;
  id: string;
  at: Date;
  workspaceId: string | null;
  actorType: string;
  actorId: string | null;
  action: string;
  outcome: AuditOutcome;
  reason: string | null;
  patientId: string | null;
  assetId: string | null;
  consultId: string | null;
  sourceIp: string | null;
  requestId: string | null;
  details: unknown;
  prevHash: string | null;
  hash: string | null;
}

/** An event linked into the hash chain. */
export interface SealedAuditRecord extends AuditRecord {
  chainSeq: bigint;
  prevHash: string;
  hash: string;
}

export function isSealed(record: AuditRecord): record is SealedAuditRecord {
  return record.chainSeq !== null && record.prevHash !== null && record.hash !== null;
}

export interface AuditCheckpointRecord {
  /** The chain position (chainSeq) of the head it signs. */
  seq: bigint;
  hash: string;
  signature: string;
  keyId: string;
  at: Date;
}
