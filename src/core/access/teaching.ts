// Sharing an image for teaching. Who may: an admin, or a participant of the
// consult (its requester, a member, an invited specialist) holding a live
// grant of the consult's chain; break-glass and channel-member grants are
// access given for care, not a standing to pass the image on. What first
// needs the sharer's word that they checked it: an image flagged for
// burned-in text, and every photo, since Loupe cannot detect faces and a
// clinical photo may show one. Deny by default.
import { isLiveChainGrant } from './grants.js';
import type { GrantFacts, ParticipantFacts } from './types.js';

export interface TeachingShareRequest {
  sharer: { userId: string; isAdmin: boolean };
  consultId: string;
  participant: ParticipantFacts | null;
  grants: readonly GrantFacts[];
}

export type TeachingStandingRefusal = 'not_participant' | 'no_live_grant';

export function mayShareForTeaching(r: TeachingShareRequest, now: Date): { allow: true } | { allow: false; reason: TeachingStandingRefusal } {
  if (r.sharer.isAdmin) return { allow: true };
  const p = r.participant;
  if (!p || p.userId !== r.sharer.userId || p.removedAt !== null) return { allow: false, reason: 'not_participant' };
  const chain = r.grants.some((g) => g.userId === r.sharer.userId && g.consultId === r.consultId && isLiveChainGrant(g, now));
  return chain ? { allow: true } : { allow: false, reason: 'no_live_grant' };
}

/** Whether the sharer must first confirm there are no burned-in identifiers and no face. */
export function needsIdentifierCheck(asset: { kind: string | null; burnedInText: boolean | null }): boolean {
  // Unknown counts as flagged.
  return asset.kind === 'photo' || asset.burnedInText !== false;
}
