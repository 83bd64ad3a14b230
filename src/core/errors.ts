// Every error Loupe raises on purpose carries a stable code. Messages name what
// went wrong in general terms and never contain patient data, tokens or keys,
// so they are safe to log and to show.

export const ErrorCode = {
  ConfigInvalid: 'LOUPE_CONFIG_INVALID',
  KeysMissing: 'LOUPE_KEYS_MISSING',
  KeysInvalid: 'LOUPE_KEYS_INVALID',
  KeysReadOnly: 'LOUPE_KEYS_READ_ONLY',
  KeysBusy: 'LOUPE_KEYS_BUSY',
  KeyVersionUnknown: 'LOUPE_KEY_VERSION_UNKNOWN',
  KeyMismatch: 'LOUPE_KEY_MISMATCH',
  UnwrapFailed: 'LOUPE_UNWRAP_FAILED',
  BlobAuthFailed: 'LOUPE_BLOB_AUTH_FAILED',
  BlobFormat: 'LOUPE_BLOB_FORMAT',
  BlobNotFound: 'LOUPE_BLOB_NOT_FOUND',
  BlobShredded: 'LOUPE_BLOB_SHREDDED',
  BlobTooLarge: 'LOUPE_BLOB_TOO_LARGE',
  AssetShredded: 'LOUPE_ASSET_SHREDDED',
  LegalHold: 'LOUPE_LEGAL_HOLD',
  /** A legal hold's reason that names a patient (an identifier pattern of the workspace finds one): reasons are kept readable. */
  HoldReasonNamesPatient: 'LOUPE_HOLD_REASON_NAMES_PATIENT',
  DbUnsupportedUrl: 'LOUPE_DB_UNSUPPORTED_URL',
  DbMigrationChanged: 'LOUPE_DB_MIGRATION_CHANGED',
  DbMigrationFailed: 'LOUPE_DB_MIGRATION_FAILED',
  AuditChainBroken: 'LOUPE_AUDIT_CHAIN_BROKEN',
  JobHandlerMissing: 'LOUPE_JOB_HANDLER_MISSING',
  JobLeaseLost: 'LOUPE_JOB_LEASE_LOST',
  JobLeaseExhausted: 'LOUPE_JOB_LEASE_EXHAUSTED',
  NotFound: 'LOUPE_NOT_FOUND',
  NotAnImage: 'LOUPE_NOT_AN_IMAGE',
  /** An image of a kind its channel's policy does not take (a DICOM file where only photos are): left in the chat, its uploader told. */
  KindNotAccepted: 'LOUPE_KIND_NOT_ACCEPTED',
  ImageTooLarge: 'LOUPE_IMAGE_TOO_LARGE',
  ImageTooManyPixels: 'LOUPE_IMAGE_TOO_MANY_PIXELS',
  ImageTooManyFrames: 'LOUPE_IMAGE_TOO_MANY_FRAMES',
  ImageCorrupt: 'LOUPE_IMAGE_CORRUPT',
  ImageUnsupported: 'LOUPE_IMAGE_UNSUPPORTED',
  /** Processing the file ran past its time or memory budget and was stopped. */
  ImageBudgetExceeded: 'LOUPE_IMAGE_BUDGET_EXCEEDED',
  InvalidInput: 'LOUPE_INVALID_INPUT',
  /** A JPEG that DICOM's JPEG Baseline transfer syntax cannot carry as it is (progressive, extended, lossless, not 8-bit): re-encode it as baseline first. */
  JpegNotBaseline: 'LOUPE_JPEG_NOT_BASELINE',
  /** A consent's terms, recorder, channel or reason failed a check; the message names the field, never its value. */
  ConsentInvalid: 'LOUPE_CONSENT_INVALID',
  /** The consent version to change or withdraw is no longer the current one (changed or withdrawn meanwhile). */
  ConsentSuperseded: 'LOUPE_CONSENT_SUPERSEDED',
  /** The evidence named for a consent is not an asset of the patient's workspace. */
  ConsentEvidenceInvalid: 'LOUPE_CONSENT_EVIDENCE_INVALID',
  Forbidden: 'LOUPE_FORBIDDEN',
  OidcUnavailable: 'LOUPE_OIDC_UNAVAILABLE',
  OidcFailed: 'LOUPE_OIDC_FAILED',
  OidcSubjectMismatch: 'LOUPE_OIDC_SUBJECT_MISMATCH',
  /**
   * The chat platform would not hand over an upload's bytes. The value is the
   * one recorded on assets failed before platforms were neutral: kept, so those
   * rows and the words shown for them stay the same.
   */
  DownloadFailed: 'LOUPE_SLACK_DOWNLOAD_FAILED',
  DataDirBusy: 'LOUPE_DATA_DIR_BUSY',
  DataDirMissing: 'LOUPE_DATA_DIR_MISSING',
  FileNotFound: 'LOUPE_FILE_NOT_FOUND',
  FileAccessDenied: 'LOUPE_FILE_ACCESS_DENIED',
  DbUnreachable: 'LOUPE_DB_UNREACHABLE',
  NetworkUnreachable: 'LOUPE_NETWORK_UNREACHABLE',
  AdminSocketFailed: 'LOUPE_ADMIN_SOCKET_FAILED',
  AlreadyLinked: 'LOUPE_ALREADY_LINKED',
  CardExpired: 'LOUPE_CARD_EXPIRED',
  CardRevoked: 'LOUPE_CARD_REVOKED',
  ProcessingFailed: 'LOUPE_PROCESSING_FAILED',
  IngestAbandoned: 'LOUPE_INGEST_ABANDONED',
  PlatformNotConfigured: 'LOUPE_PLATFORM_NOT_CONFIGURED',
  /** `loupe serve` could not listen on its address (in use, or not this machine's). */
  PortUnavailable: 'LOUPE_PORT_UNAVAILABLE',
  /** A sandbox child was asked about a file it no longer holds (the caller sends it again). */
  ImageNotHeld: 'LOUPE_IMAGE_NOT_HELD',
  /** Entra ID would not give Loupe's Teams app a token (wrong secret or certificate, tenant, or app id). */
  TeamsAuthFailed: 'LOUPE_TEAMS_AUTH_FAILED',
  /** Microsoft Graph or the Bot Connector answered a Teams call with an error. */
  TeamsRequestFailed: 'LOUPE_TEAMS_REQUEST_FAILED',
  /** The PACS refused Loupe's credentials (HTTP 401 or 403): not retried, an admin fixes the export's settings. */
  PacsAuthRefused: 'LOUPE_PACS_AUTH_REFUSED',
  /** The PACS refused the instances themselves (HTTP 400, 409, or every instance failed): not retried, the same request would fail again. */
  PacsRefused: 'LOUPE_PACS_REFUSED',
  /** The PACS could not be reached or answered with a server error or timed out: retried later. */
  PacsUnavailable: 'LOUPE_PACS_UNAVAILABLE',
  /** A study archive whose entries would unpack past a limit: too many, too large, compressed beyond any real study, or overlapping (a zip bomb). */
  ArchiveTooLarge: 'LOUPE_ARCHIVE_TOO_LARGE',
  /** A study archive with an entry named outside it (an absolute path, `..`): path traversal. */
  ArchiveUnsafeName: 'LOUPE_ARCHIVE_UNSAFE_NAME',
  /** A study archive that holds another archive: not unpacked in turn. */
  ArchiveNested: 'LOUPE_ARCHIVE_NESTED',
  /** A password-protected study archive. */
  ArchiveEncrypted: 'LOUPE_ARCHIVE_ENCRYPTED',
  /** A study archive whose images name more than one patient: never one card for two patients. */
  ArchiveMixedPatients: 'LOUPE_ARCHIVE_MIXED_PATIENTS',
  /** A study archive holding more than one study: each is shared as its own archive. */
  ArchiveSeveralStudies: 'LOUPE_ARCHIVE_SEVERAL_STUDIES',
  /** A study archive with no DICOM image in it (a DICOMDIR alone, reports only). */
  ArchiveNoImages: 'LOUPE_ARCHIVE_NO_IMAGES',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class LoupeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LoupeError';
    this.code = code;
  }
}

export function isLoupeError(error: unknown, code?: ErrorCode): error is LoupeError {
  return error instanceof LoupeError && (code === undefined || error.code === code);
}

/** A loggable, PHI-free description of any thrown value. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof LoupeError) return { code: error.code, message: error.message };
  // Foreign errors may quote input (file names, SQL values): keep only their class.
  if (error instanceof Error) return { code: 'LOUPE_UNEXPECTED', message: `unexpected ${error.name}` };
  return { code: 'LOUPE_UNEXPECTED', message: 'unexpected failure' };
}
