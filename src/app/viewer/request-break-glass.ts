// Break-glass: a signed-in clinician refused for want of a grant states why
// they need to see a consult now and gets short, personal access. The grant
// and its audit event are written in one transaction; what to announce to
// the workspace's admins is returned as data, for the caller to send after
// commit in its platform's words. The stated reason may name the patient: it
// stays in the grant row, never in the audit event or the announcement.
import { breakGlassRequest, type BreakGlassDenyReason } from '../../core/access/break-glass.js';
import { GRANT_DENY_REASONS } from '../../core/access/grants.js';
import { AuditAction } from '../../core/audit/event.js';
import { transaction } from '../../storage/transaction.js';
import type { Notice } from '../notices.js';
import { authorizeView, type ViewerContext } from './authorize-view.js';

export interface RequestBreakGlassOptions extends ViewerContext {
  sessionToken: string | undefined;
  token: string;
  /** As typed in the form. */
  reason: string;
  /** How long the grant lasts (configuration). */
  breakGlassMinutes: number;
}

/** What the channel's admins are told, and where: ids and a time only. */
export interface BreakGlassAnnouncement {
  workspaceId: string;
  channelId: string;
  notice: Extract<Notice, { kind: 'break_glass_used' }>;
}

export type BreakGlassResult =
  /** Not signed in, already allowed, or refused for another reason than a missing grant: the view page says what applies. */
  | { outcome: 'not_applicable' }
  | { outcome: 'refused'; reason: BreakGlassDenyReason }
  | { outcome: 'opened'; announce: BreakGlassAnnouncement };

export async function requestBreakGlass(o: RequestBreakGlassOptions): Promise<BreakGlassResult> {
  // Break-glass stands in for a grant only: the link must be live, the asset viewable, the sign-in strong enough.
  const view = await authorizeView({ ...o, request: 'page' });
  if (view.outcome !== 'decided') return { outcome: 'not_applicable' };
  const { decision, policy, target, card, viewer } = view;
  if (decision.allow || !policy || !target || !card || !(GRANT_DENY_REASONS as readonly string[]).includes(decision.reason)) return { outcome: 'not_applicable' };
  const result = breakGlassRequest(
    {
      standing: { userId: viewer.chatUserId, consult: target.consult, participant: target.participant, isChannelMember: false, membersMayView: policy.membersMayView, grants: target.grants },
      asset: target.asset,
      policy: { allowed: policy.breakGlass, durationMinutes: o.breakGlassMinutes },
      reason: o.reason,
    },
    o.clock.now(),
  );
  const actor = { type: 'user' as const, id: viewer.chatUserId };
  const about = { workspaceId: card.workspaceId, assetId: card.assetId, consultId: card.consultId };
  if (!result.allow) {
    await o.storage.audit.record({ actor, action: AuditAction.BreakGlass, outcome: 'denied', reason: result.reason, ...about });
    return { outcome: 'refused', reason: result.reason };
  }
  const g = result.grant;
  await transaction(o.storage.db, async (tx) => {
    await tx.grant.create({ data: { consultId: g.consultId, userId: g.userId, source: 'break_glass', grantedBy: g.grantedBy, hop: g.hop, breakGlassReason: g.breakGlassReason, expiresAt: g.expiresAt } });
    await o.storage.audit.append(tx, { actor, action: AuditAction.BreakGlass, outcome: 'success', ...about, details: { until: g.expiresAt.toISOString() } });
  });
  return { outcome: 'opened', announce: { workspaceId: card.workspaceId, channelId: card.channelId, notice: { kind: 'break_glass_used', userId: viewer.chatUserId, until: g.expiresAt } } };
}
