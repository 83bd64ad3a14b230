// Re-sharing goes one hop along the grant chain: a direct participant (the
// requester or a member) holding a live hop-0 grant may invite one more
// provider, whose grant is hop 1; that provider may not invite further.
// Admins may always. Break-glass and channel-member grants are not links of
// the chain: emergency or policy access is not a right to pass on.
import { isLive } from './grants.js';
import type { GrantFacts, ParticipantFacts } from './types.js';

export interface ReshareRequest {
  inviter: { userId: string; isAdmin: boolean };
  consultId: string;
  /** The inviter's participation in the consult, if any. */
  participant: ParticipantFacts | null;
  /** The inviter's grants on the consult (others are ignored). */
  grants: readonly GrantFacts[];
}

export type ReshareDenyReason = 'not_participant' | 'hop_limit' | 'no_live_grant' | 'break_glass_cannot_reshare';

export type ReshareDecision =
  /** The invitee's grant: `hop`, chained to `parentGrantId` (null when an admin without a grant invites). */
  | { allow: true; hop: number; parentGrantId: string | null }
  | { allow: false; reason: ReshareDenyReason };

export const MAX_RESHARE_HOP = 1;

export function mayReshare(request: ReshareRequest, now: Date): ReshareDecision {
  const { inviter } = request;
  const live = request.grants.filter((g) => g.userId === inviter.userId && g.consultId === request.consultId && isLive(g, now));
  const chain = live.filter((g) => g.source === 'participant' || g.source === 'invitation');
  // The closest link to the consult is the one to hang the new grant from.
  const parent = chain.reduce<GrantFacts | undefined>((best, g) => (!best || g.hop < best.hop ? g : best), undefined);

  if (inviter.isAdmin) return { allow: true, hop: parent ? parent.hop + 1 : MAX_RESHARE_HOP, parentGrantId: parent?.id ?? null };

  const p = request.participant;
  if (!p || p.userId !== inviter.userId || p.removedAt !== null) return { allow: false, reason: 'not_participant' };
  if (p.role === 'specialist') return { allow: false, reason: 'hop_limit' };
  if (!parent) return { allow: false, reason: live.some((g) => g.source === 'break_glass') ? 'break_glass_cannot_reshare' : 'no_live_grant' };
  if (parent.hop + 1 > MAX_RESHARE_HOP) return { allow: false, reason: 'hop_limit' };
  return { allow: true, hop: parent.hop + 1, parentGrantId: parent.id };
}
