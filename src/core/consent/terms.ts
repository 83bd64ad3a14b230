// The words a consent version is recorded in, and the checks its terms pass
// before anything is written. Problems name the field and never echo a value:
// a form's field may hold a patient identifier typed in the wrong place.
import { ErrorCode, LoupeError } from '../errors.js';
import type { DataKind, Party, Purpose } from '../access/types.js';

export const CONSENT_PURPOSES = ['care', 'education', 'research'] as const satisfies readonly Purpose[];
export const CONSENT_PARTIES = ['care_team', 'institution', 'external'] as const satisfies readonly Party[];
export const CONSENT_DATA_KINDS = ['photo', 'dicom'] as const satisfies readonly DataKind[];
export const CONSENT_DECISIONS = ['permit', 'deny'] as const;
/** How a version was recorded. */
export const CONSENT_CHANNELS = ['chat_slack', 'chat_teams', 'console', 'cli'] as const;
/** Who recorded it: a chat platform's user id, the console's sign-in subject, or someone at the command line. */
export const CONSENT_ACTOR_KINDS = ['chat_user', 'console_subject', 'operator'] as const;
/** Why a version was superseded; a fixed list, since free text could carry PHI. */
export const CONSENT_CHANGE_REASONS = ['patient_withdrew', 'patient_changed', 'recorded_in_error'] as const;

export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export type ConsentActorKind = (typeof CONSENT_ACTOR_KINDS)[number];
export type ConsentChangeReason = (typeof CONSENT_CHANGE_REASONS)[number];

/** A change is the patient's new decision or a correction; a withdrawal, the patient's or a correction. */
export const REVISION_REASONS = ['patient_changed', 'recorded_in_error'] as const satisfies readonly ConsentChangeReason[];
export const WITHDRAWAL_REASONS = ['patient_withdrew', 'recorded_in_error'] as const satisfies readonly ConsentChangeReason[];

export interface ConsentTerms {
  decision: ConsentDecision;
  purposes: Purpose[];
  parties: Party[];
  dataKinds: DataKind[];
  validFrom: Date;
  /** Exclusive; null for open-ended. */
  validUntil: Date | null;
}

export interface ConsentRecorder {
  kind: ConsentActorKind;
  /** Chat user id, console sign-in subject, or the operator's name at the command line. */
  id: string;
}

const MAX_ACTOR = 128;
const ACTOR = /^[\x21-\x7e]+$/;

function invalid(message: string): LoupeError {
  return new LoupeError(ErrorCode.ConsentInvalid, message);
}

function oneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** At least one, each known, no repeats; kept in the list's own order so equal terms store alike. */
function subset<T extends string>(field: string, list: readonly T[], given: unknown): T[] {
  if (!Array.isArray(given) || given.length === 0 || !given.every((v) => oneOf(list, v)) || new Set(given).size !== given.length) {
    throw invalid(`${field}: choose one or more of ${list.join(', ')}`);
  }
  return list.filter((v) => (given as unknown[]).includes(v));
}

function instant(field: string, given: unknown): Date {
  if (!(given instanceof Date) || Number.isNaN(given.getTime())) throw invalid(`${field} must be a date`);
  return given;
}

/** The terms as given by a form or a command, checked; throws LOUPE_CONSENT_INVALID naming the field. */
export function consentTerms(given: { decision: unknown; purposes: unknown; parties: unknown; dataKinds: unknown; validFrom: unknown; validUntil?: unknown }): ConsentTerms {
  if (!oneOf(CONSENT_DECISIONS, given.decision)) throw invalid('decision must be permit or deny');
  const purposes = subset('purposes', CONSENT_PURPOSES, given.purposes);
  const parties = subset('parties', CONSENT_PARTIES, given.parties);
  const dataKinds = subset('data kinds', CONSENT_DATA_KINDS, given.dataKinds);
  const validFrom = instant('valid from', given.validFrom);
  const validUntil = given.validUntil === undefined || given.validUntil === null ? null : instant('valid until', given.validUntil);
  if (validUntil && validUntil.getTime() <= validFrom.getTime()) throw invalid('valid until must be later than valid from');
  return { decision: given.decision, purposes, parties, dataKinds, validFrom, validUntil };
}

export function consentRecorder(given: { kind: unknown; id: unknown }): ConsentRecorder {
  if (!oneOf(CONSENT_ACTOR_KINDS, given.kind)) throw invalid(`recorder kind must be one of ${CONSENT_ACTOR_KINDS.join(', ')}`);
  if (typeof given.id !== 'string' || given.id.length === 0 || given.id.length > MAX_ACTOR || !ACTOR.test(given.id)) {
    throw invalid(`recorder id must be 1 to ${MAX_ACTOR} printable characters without spaces`);
  }
  return { kind: given.kind, id: given.id };
}

export function consentChannel(given: unknown): ConsentChannel {
  if (!oneOf(CONSENT_CHANNELS, given)) throw invalid(`recorded via must be one of ${CONSENT_CHANNELS.join(', ')}`);
  return given;
}

export function changeReason<T extends ConsentChangeReason>(allowed: readonly T[], given: unknown): T {
  if (!oneOf(allowed, given)) throw invalid(`reason must be one of ${allowed.join(', ')}`);
  return given;
}
