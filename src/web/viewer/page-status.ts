// What the open viewer page is told about itself: go on (and when the
// session will lock if nothing more happens), or why its image must go.
import type { ViewDecision } from '../../core/access/types.js';
import type { SessionState } from '../../storage/viewer-sessions.js';

export type PageStatus =
  | { state: 'ok'; idleMs: number; idleSeconds: number }
  /** locked: idle too long; ended: signed out or past its lifetime; revoked, expired: the image or its link; deleted: shredded under the retention policy; consent: the patient's consent no longer covers it; denied: any other end of access. */
  | { state: 'locked' | 'ended' | 'revoked' | 'expired' | 'deleted' | 'consent' | 'denied' };

const REVOKED = new Set(['token_revoked', 'card_revoked', 'asset_revoked']);
const EXPIRED = new Set(['token_expired', 'asset_failed']);
const CONSENT = new Set(['consent_refused', 'consent_missing']);

/** Without `decision`, the session's own state (activity is the session's, whatever the image). */
export function pageStatus(session: SessionState, now: Date, decision?: ViewDecision | 'no_viewer'): PageStatus {
  if (session.state === 'locked') return { state: 'locked' };
  if (session.state !== 'active') return { state: 'ended' };
  if (decision === 'no_viewer') return { state: 'denied' };
  if (decision && !decision.allow) return { state: endingOf(decision.reason) };
  return { state: 'ok', idleMs: Math.max(0, session.idle.locksAt.getTime() - now.getTime()), idleSeconds: session.idle.seconds };
}

/** A shredded image is gone for good, not merely out of reach: the page says which, as a fresh request's page does. */
function endingOf(reason: string): 'revoked' | 'expired' | 'deleted' | 'consent' | 'denied' {
  if (reason === 'asset_shredded') return 'deleted';
  if (CONSENT.has(reason)) return 'consent';
  return REVOKED.has(reason) ? 'revoked' : EXPIRED.has(reason) ? 'expired' : 'denied';
}
