// Break-glass: a clinician without a grant states why they need to see a
// consult now and gets short, personal access. The caller stores the grant,
// audits it and announces it in the thread. The stated reason is free text
// that may name the patient: it belongs in the grant row only, never in the
// audit event, the announcement or a log.
import { standingGrant, type Standing } from './grants.js';
import type { AssetFacts, GrantFacts } from './types.js';

export const BREAK_GLASS_DEFAULT_MINUTES = 60;
export const BREAK_GLASS_MAX_MINUTES = 4 * 60;
export const BREAK_GLASS_REASON_MIN = 10;
export const BREAK_GLASS_REASON_MAX = 500;

/** From the workspace settings; break-glass is off unless an admin turned it on. */
export interface BreakGlassPolicy {
  allowed: boolean;
  durationMinutes?: number | undefined;
}

export interface BreakGlassRequest {
  /** The clinician's standing on the consult (their chat user id, participation, grants). */
  standing: Standing;
  /** The asset they asked to see. */
  asset: Pick<AssetFacts, 'status' | 'kind' | 'patientId' | 'revokedAt' | 'shreddedAt'>;
  policy: BreakGlassPolicy;
  reason: string;
}

/** What to create: one grant row, shaped like the table's columns. */
export type BreakGlassGrant = Pick<GrantFacts, 'consultId' | 'userId' | 'hop' | 'expiresAt'> & {
  source: 'break_glass';
  grantedBy: string;
  parentGrantId: null;
  breakGlassReason: string;
};

export type BreakGlassDenyReason =
  | 'break_glass_disabled'
  | 'asset_shredded'
  | 'asset_revoked'
  | 'asset_failed'
  | 'asset_not_ready'
  | 'waiting_for_patient'
  | 'grant_not_needed'
  | 'reason_missing'
  | 'reason_too_short'
  | 'reason_too_long';

export type BreakGlassDecision = { allow: true; grant: BreakGlassGrant } | { allow: false; reason: BreakGlassDenyReason };

/** A policy duration in minutes, defaulted when absent or unusable and capped. */
export function breakGlassMinutes(policy: BreakGlassPolicy): number {
  const d = policy.durationMinutes;
  if (d === undefined || !Number.isFinite(d) || d <= 0) return BREAK_GLASS_DEFAULT_MINUTES;
  return Math.min(Math.floor(d) || 1, BREAK_GLASS_MAX_MINUTES);
}

/** Counted in characters a person sees (code points), after trimming. */
export function checkBreakGlassReason(reason: string): { ok: true; reason: string } | { ok: false; reason: 'reason_missing' | 'reason_too_short' | 'reason_too_long' } {
  const trimmed = reason.trim();
  const length = [...trimmed].length;
  if (length === 0) return { ok: false, reason: 'reason_missing' };
  if (length < BREAK_GLASS_REASON_MIN) return { ok: false, reason: 'reason_too_short' };
  if (length > BREAK_GLASS_REASON_MAX) return { ok: false, reason: 'reason_too_long' };
  return { ok: true, reason: trimmed };
}

export function breakGlassRequest(request: BreakGlassRequest, now: Date): BreakGlassDecision {
  const { asset, standing } = request;
  if (request.policy.allowed !== true) return { allow: false, reason: 'break_glass_disabled' };
  if (asset.status === 'shredded' || asset.shreddedAt !== null) return { allow: false, reason: 'asset_shredded' };
  if (asset.status === 'revoked' || asset.revokedAt !== null) return { allow: false, reason: 'asset_revoked' };
  if (asset.status === 'failed') return { allow: false, reason: 'asset_failed' };
  if (asset.status !== 'stored' || asset.kind === null) return { allow: false, reason: 'asset_not_ready' };
  // Only the uploader sees an unlinked asset, and break-glass does not change that.
  if (asset.patientId === null) return { allow: false, reason: 'waiting_for_patient' };
  if (standingGrant(standing, now).ok) return { allow: false, reason: 'grant_not_needed' };
  const checked = checkBreakGlassReason(request.reason);
  if (!checked.ok) return { allow: false, reason: checked.reason };
  return {
    allow: true,
    grant: {
      consultId: standing.consult.id,
      userId: standing.userId,
      source: 'break_glass',
      grantedBy: standing.userId,
      parentGrantId: null,
      hop: 0,
      breakGlassReason: checked.reason,
      expiresAt: new Date(now.getTime() + breakGlassMinutes(request.policy) * 60_000),
    },
  };
}
