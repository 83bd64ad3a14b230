// Which of a user's grants on a consult lets them view it now. A grant only
// counts while the standing it was given for still holds: a participant's
// while they are a participant, a channel member's while the channel policy
// lets members view and they are still in the channel.
import type { ConsultFacts, GrantFacts, ParticipantFacts, ViewVia } from './types.js';

/** A live grant of the consult's chain: a participant's own or an invitation (not channel membership, not break-glass). */
export function isLiveChainGrant(grant: Pick<GrantFacts, 'source' | 'expiresAt' | 'revokedAt'>, now: Date): boolean {
  return (grant.source === 'participant' || grant.source === 'invitation') && isLive(grant, now);
}

export function isLive(grant: Pick<GrantFacts, 'expiresAt' | 'revokedAt'>, now: Date): boolean {
  return grant.revokedAt === null && now.getTime() < grant.expiresAt.getTime();
}

/** One user's standing on one consult, as loaded by the caller. */
export interface Standing {
  userId: string;
  consult: ConsultFacts;
  participant: ParticipantFacts | null;
  isChannelMember: boolean;
  membersMayView: boolean;
  grants: readonly GrantFacts[];
}

export type GrantDenyReason = 'no_grant' | 'grant_revoked' | 'grant_expired' | 'not_participant' | 'channel_members_may_not_view' | 'not_channel_member';

export type StandingResult = { ok: true; grant: GrantFacts; via: ViewVia } | { ok: false; reason: GrantDenyReason };

// With several grants, the ordinary right is reported before an emergency one.
const VIA_ORDER: readonly ViewVia[] = ['requester', 'participant', 'specialist', 'channel_member', 'break_glass'];
// When none counts, a deliberate revocation says more than a lapse of time.
/** Every reason a viewer's standing on a consult falls short, most telling first. */
export const GRANT_DENY_REASONS: readonly GrantDenyReason[] = ['grant_revoked', 'not_participant', 'channel_members_may_not_view', 'not_channel_member', 'grant_expired', 'no_grant'];

type Judgement = { ok: true; via: ViewVia } | { ok: false; reason: GrantDenyReason };

function judge(grant: GrantFacts, s: Standing, now: Date): Judgement {
  if (grant.revokedAt !== null) return { ok: false, reason: 'grant_revoked' };
  if (now.getTime() >= grant.expiresAt.getTime()) return { ok: false, reason: 'grant_expired' };
  switch (grant.source) {
    case 'participant':
    case 'invitation': {
      const p = s.participant;
      if (!p || p.userId !== s.userId || p.removedAt !== null) return { ok: false, reason: 'not_participant' };
      if (grant.source === 'invitation') return { ok: true, via: 'specialist' };
      return { ok: true, via: s.userId === s.consult.requesterId ? 'requester' : 'participant' };
    }
    case 'channel_member':
      if (!s.membersMayView) return { ok: false, reason: 'channel_members_may_not_view' };
      if (!s.isChannelMember) return { ok: false, reason: 'not_channel_member' };
      return { ok: true, via: 'channel_member' };
    case 'break_glass':
      return { ok: true, via: 'break_glass' };
    default:
      // A source this code does not know counts for nothing.
      return { ok: false, reason: 'no_grant' };
  }
}

/** The grant that lets the user view the consult at `now`, or why none does. */
export function standingGrant(s: Standing, now: Date): StandingResult {
  if (!s.userId) return { ok: false, reason: 'no_grant' };
  let best: { grant: GrantFacts; via: ViewVia } | undefined;
  let failure: GrantDenyReason = 'no_grant';
  for (const grant of s.grants) {
    if (grant.userId !== s.userId || grant.consultId !== s.consult.id) continue;
    const j = judge(grant, s, now);
    if (j.ok) {
      if (!best || VIA_ORDER.indexOf(j.via) < VIA_ORDER.indexOf(best.via)) best = { grant, via: j.via };
    } else if (GRANT_DENY_REASONS.indexOf(j.reason) < GRANT_DENY_REASONS.indexOf(failure)) {
      failure = j.reason;
    }
  }
  return best ? { ok: true, ...best } : { ok: false, reason: failure };
}
