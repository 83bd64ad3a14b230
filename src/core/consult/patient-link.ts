// Whether an image may be linked to a patient, or its patient corrected:
// pure rules, deny by default. Linking happens once, on a live card, for an
// image that has no patient yet; anything else (a stale button, a form
// submitted twice, a dead card) is refused and changes nothing. Moving an
// image to another patient is a correction: a separate, deliberate act.
import type { CardState } from '../access/types.js';
import type { Requester } from './rules.js';

export interface LinkFacts {
  uploaderId: string;
  assetPatientId: string | null;
  assetStatus: string;
  cardState: CardState;
  cardExpiresAt: Date;
}

export type LinkRefusal = 'forbidden' | 'card_revoked' | 'card_expired' | 'already_linked' | 'asset_shredded';
export type CorrectionRefusal = 'forbidden' | 'not_linked' | 'asset_gone';

export type Decision<R> = { allow: true } | { allow: false; reason: R };

/** Why a correction was made: a code the audit trail can carry; the free text stays sealed with the image. */
export const CORRECTION_REASONS = {
  wrong_patient_selected: 'The wrong patient was chosen',
  identifier_typo: 'The identifier or issuer was mistyped',
  header_wrong: 'The file named the wrong patient',
  other: 'Another reason',
} as const;
export type CorrectionReason = keyof typeof CORRECTION_REASONS;

export function isCorrectionReason(code: string): code is CorrectionReason {
  return Object.prototype.hasOwnProperty.call(CORRECTION_REASONS, code);
}

/** Its sender or an admin says whose image it is: the same people who may revoke it. */
const mayActOn = (who: Requester, uploaderId: string) => who.isAdmin || who.userId === uploaderId;

export function mayLinkPatient(who: Requester, f: LinkFacts, now: Date): Decision<LinkRefusal> {
  if (!mayActOn(who, f.uploaderId)) return { allow: false, reason: 'forbidden' };
  if (f.cardState === 'deleted' || f.assetStatus === 'shredded') return { allow: false, reason: 'asset_shredded' };
  if (f.cardState === 'revoked' || f.assetStatus === 'revoked') return { allow: false, reason: 'card_revoked' };
  if (f.cardState === 'expired' || f.cardExpiresAt.getTime() <= now.getTime()) return { allow: false, reason: 'card_expired' };
  if (f.assetPatientId !== null) return { allow: false, reason: 'already_linked' };
  if (f.cardState !== 'waiting_for_patient') return { allow: false, reason: 'already_linked' };
  return { allow: true };
}

/**
 * A correction is allowed on a dead card too (the record must be right for
 * as long as it is kept), but not on a shredded image, and only for one that
 * has a patient to correct.
 */
export function mayCorrectPatient(who: Requester, f: Pick<LinkFacts, 'uploaderId' | 'assetPatientId' | 'assetStatus'>): Decision<CorrectionRefusal> {
  if (!mayActOn(who, f.uploaderId)) return { allow: false, reason: 'forbidden' };
  if (f.assetStatus === 'shredded') return { allow: false, reason: 'asset_gone' };
  if (f.assetPatientId === null) return { allow: false, reason: 'not_linked' };
  return { allow: true };
}

/**
 * The consult's patient after one of its images moved from `from` to `to`:
 * it follows when no other image of the consult stays on `from` (it came from
 * this image); it stays when other images are still on `from` (each image is
 * then judged under its own patient, which the viewer always reads from the
 * image itself).
 */
export function consultPatientAfterCorrection(consultPatientId: string | null, from: string, to: string, othersOnFrom: number): { patientId: string | null; outcome: 'moved' | 'kept' } {
  if (consultPatientId === null || (consultPatientId === from && othersOnFrom === 0)) return { patientId: to, outcome: 'moved' };
  return { patientId: consultPatientId, outcome: 'kept' };
}
