// Who may record a patient's consent from chat: pure rules, deny by default.
// From a card, someone with standing on its consult (an admin, a participant
// still in it, or a holder of a live grant of the consult's chain; emergency
// and channel-member access are not standing), on a live card whose image is
// linked to a patient. From the command, an admin or someone taking part in
// a consult of the workspace: the command names a patient by identifier, so
// it is for the clinicians Loupe already works with, not everyone in chat.
import { isLiveChainGrant } from '../access/grants.js';
import type { CardState, GrantFacts, ParticipantFacts } from '../access/types.js';
import type { Requester } from '../consult/rules.js';

export type ConsentFormRefusal = 'no_standing' | 'not_their_patient' | 'no_patient' | 'card_revoked' | 'card_expired' | 'asset_shredded' | 'form_expired';

export type ConsentFormDecision = { allow: true } | { allow: false; reason: ConsentFormRefusal };

export interface CardConsentFacts {
  cardState: CardState;
  cardExpiresAt: Date;
  assetStatus: string;
  assetPatientId: string | null;
  /** The requester's participation in the card's consult, if any. */
  participant: ParticipantFacts | null;
  /** The requester's grants on the card's consult. */
  grants: readonly GrantFacts[];
}

/** Standing on a consult: an admin, a participant not removed, or a live grant of the chain. */
export function hasConsultStanding(who: Requester, participant: ParticipantFacts | null, grants: readonly GrantFacts[], now: Date): boolean {
  if (who.isAdmin) return true;
  if (participant && participant.userId === who.userId && participant.removedAt === null) return true;
  return grants.some((g) => g.userId === who.userId && isLiveChainGrant(g, now));
}

export function mayRecordConsentFromCard(who: Requester, f: CardConsentFacts, now: Date): ConsentFormDecision {
  if (!hasConsultStanding(who, f.participant, f.grants, now)) return { allow: false, reason: 'no_standing' };
  if (f.cardState === 'deleted' || f.assetStatus === 'shredded') return { allow: false, reason: 'asset_shredded' };
  if (f.cardState === 'revoked' || f.assetStatus === 'revoked') return { allow: false, reason: 'card_revoked' };
  if (f.cardState === 'expired' || f.cardExpiresAt.getTime() <= now.getTime()) return { allow: false, reason: 'card_expired' };
  if (f.assetPatientId === null || f.cardState !== 'active') return { allow: false, reason: 'no_patient' };
  return { allow: true };
}

/**
 * The typed patient, once found: an admin, or someone with standing on a
 * consult that holds one of the patient's images (`consults`: the requester's
 * participation and grants in each). Taking part in some other consult is not
 * enough to read or change this patient's consent. A patient with no image in
 * any consult yet has no care team in Loupe: the command's own rule
 * (mayUseConsentCommand) lets a clinician record or withdraw their decisions
 * before the first image.
 */
export function mayRecordConsentForPatient(who: Requester, consults: readonly { participant: ParticipantFacts | null; grants: readonly GrantFacts[] }[], now: Date): ConsentFormDecision {
  if (who.isAdmin || consults.length === 0) return { allow: true };
  return consults.some((c) => hasConsultStanding(who, c.participant, c.grants, now)) ? { allow: true } : { allow: false, reason: 'not_their_patient' };
}

/** The command: an admin, or someone still taking part in at least one consult of the workspace. */
export function mayUseConsentCommand(who: Requester, activeParticipations: number): ConsentFormDecision {
  return who.isAdmin || activeParticipations > 0 ? { allow: true } : { allow: false, reason: 'no_standing' };
}
