// Who may record a patient's consent from chat: pure rules, deny by default.
// From a card, someone with standing on its consult (an admin, a participant
// still in it, or a holder of a live grant of the consult's chain; emergency
// and channel-member access are not standing), on a live card whose image is
// linked to a patient. From the command, an admin or someone taking part in
// a consult of the workspace: the command names a patient by identifier, so
// it is for the clinicians Loupe already works with, not everyone in chat.
import { isLive } from '../access/grants.js';
import type { CardState, GrantFacts, ParticipantFacts } from '../access/types.js';
import type { Requester } from '../consult/rules.js';

export type ConsentFormRefusal = 'no_standing' | 'no_patient' | 'card_revoked' | 'card_expired' | 'asset_shredded' | 'form_expired';

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
  return grants.some((g) => g.userId === who.userId && (g.source === 'participant' || g.source === 'invitation') && isLive(g, now));
}

export function mayRecordConsentFromCard(who: Requester, f: CardConsentFacts, now: Date): ConsentFormDecision {
  if (!hasConsultStanding(who, f.participant, f.grants, now)) return { allow: false, reason: 'no_standing' };
  if (f.cardState === 'deleted' || f.assetStatus === 'shredded') return { allow: false, reason: 'asset_shredded' };
  if (f.cardState === 'revoked' || f.assetStatus === 'revoked') return { allow: false, reason: 'card_revoked' };
  if (f.cardState === 'expired' || f.cardExpiresAt.getTime() <= now.getTime()) return { allow: false, reason: 'card_expired' };
  if (f.assetPatientId === null || f.cardState !== 'active') return { allow: false, reason: 'no_patient' };
  return { allow: true };
}

/** The command: an admin, or someone still taking part in at least one consult of the workspace. */
export function mayUseConsentCommand(who: Requester, activeParticipations: number): ConsentFormDecision {
  return who.isAdmin || activeParticipations > 0 ? { allow: true } : { allow: false, reason: 'no_standing' };
}
