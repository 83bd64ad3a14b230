// Loads what the access rules need for one request from the database, asks
// the pure core, and audits the decision, allow or deny, with its reason.
import { AuditAction } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import { decideView } from '../../core/access/decide.js';
import type { Party, Purpose, ViewDecision, ViewTarget } from '../../core/access/types.js';
import type { ChannelPolicy } from '../../core/policy/channel-policy.js';
import { hashLinkToken } from '../../intake/link-token.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import type { Database } from '../../storage/database.js';
import type { ChatDirectory } from './directory.js';

export interface AccessDeps {
  db: Database;
  clock: Clock;
  audit: AuditLog;
  policies: ChannelPolicies;
  directory: ChatDirectory;
}

export interface Viewer {
  chatUserId: string;
  mfa: boolean;
  sessionId: string;
}

export interface AccessResult {
  decision: ViewDecision;
  /** Present when the token is genuine: what it points at. */
  card: { id: string; assetId: string; assetKind: string | null; consultId: string; workspaceId: string; channelId: string } | undefined;
  /** The channel policy the decision read (when the token is genuine). */
  policy: ChannelPolicy | undefined;
}

/** The card and workspace a link token points at, without deciding anything (to know where to sign in). */
export async function cardOfToken(db: Database, token: string) {
  const row = await db.prisma.linkToken.findUnique({ where: { tokenHash: hashLinkToken(token) }, include: { card: true } });
  return row?.card;
}

export interface AccessQuestion {
  /**
   * Another asset of the same consult (series navigation): the link must
   * still be genuine and live, and the other asset is judged on its own card
   * (its state, its patient's consent).
   */
  siblingAssetId?: string | undefined;
  purpose?: Purpose;
  party?: Party;
  /** False for a question that reads nothing (the open page's status poll): only a denial is audited. */
  auditAllow?: boolean;
}

export async function decideAccess(deps: AccessDeps, token: string, viewer: Viewer, q: AccessQuestion = {}): Promise<AccessResult> {
  const { siblingAssetId, purpose = 'care', party = 'care_team', auditAllow = true } = q;
  const now = deps.clock.now();
  const include = { asset: true, consult: { include: { participants: true, grants: true } } } as const;
  const entry = await deps.db.prisma.linkToken.findUnique({ where: { tokenHash: hashLinkToken(token) }, include: { card: { include } } });
  let row = entry;
  if (entry && siblingAssetId && siblingAssetId !== entry.card.assetId) {
    const sibling = await deps.db.prisma.card.findFirst({ where: { assetId: siblingAssetId, consultId: entry.card.consultId }, include });
    // Another consult's asset is as unknown as a forged link.
    row = sibling ? { ...entry, cardId: sibling.id, card: sibling, expiresAt: entry.expiresAt < sibling.expiresAt ? entry.expiresAt : sibling.expiresAt } : null;
  }
  let target: ViewTarget | null = null;
  let policy: ChannelPolicy | undefined;
  if (row) {
    const { card } = row;
    const { consult, asset } = card;
    policy = await deps.policies.effective(card.workspaceId, card.channelId);
    const isChannelMember = policy.membersMayView ? await deps.directory.isChannelMember(card.workspaceId, card.channelId, viewer.chatUserId) : false;
    let grants = consult.grants.filter((g) => g.userId === viewer.chatUserId);
    // Channel members' right comes from the policy: it is written down as a grant the first time it is used.
    if (policy.membersMayView && isChannelMember && !grants.some((g) => g.source === 'channel_member' && !g.revokedAt && g.expiresAt > now)) {
      const grant = await deps.db.prisma.grant.create({ data: { consultId: consult.id, userId: viewer.chatUserId, source: 'channel_member', hop: 0, expiresAt: card.expiresAt } });
      grants = [...grants, grant];
    }
    const consents = asset.patientId ? await deps.db.prisma.consent.findMany({ where: { patientId: asset.patientId } }) : [];
    const participant = consult.participants.find((p) => p.userId === viewer.chatUserId) ?? null;
    target = {
      token: { cardId: row.cardId, expiresAt: row.expiresAt, revokedAt: row.revokedAt },
      card: { id: card.id, assetId: card.assetId, consultId: card.consultId, state: card.state, expiresAt: card.expiresAt },
      asset: { id: asset.id, patientId: asset.patientId, uploaderId: asset.uploaderId, kind: asset.kind, status: asset.status, revokedAt: asset.revokedAt, shreddedAt: asset.shreddedAt },
      consult: { id: consult.id, requesterId: consult.requesterId },
      policy: { membersMayView: policy.membersMayView, requireMfa: policy.requireMfa, consentRule: policy.consentRule },
      participant: participant && { userId: participant.userId, role: participant.role, removedAt: participant.removedAt },
      isChannelMember,
      grants,
      consents,
    };
  }
  const decision = decideView({ viewer: { chatUserId: viewer.chatUserId, mfa: viewer.mfa }, purpose, party, target }, now);
  const card = row?.card;
  if (decision.allow && !auditAllow) return result(decision, policy, card);
  await deps.audit.record({
    actor: { type: 'user', id: viewer.chatUserId },
    action: AuditAction.AssetViewed,
    outcome: decision.allow ? 'success' : 'denied',
    reason: decision.allow ? `allowed via ${decision.via}` : decision.reason,
    workspaceId: card?.workspaceId ?? null,
    assetId: card?.assetId ?? null,
    consultId: card?.consultId ?? null,
    patientId: card?.asset.patientId ?? null,
    details: { purpose, party, session: viewer.sessionId, ...(decision.allow ? { grant: decision.grantId, consent: decision.consent } : { status: decision.status }) },
  });
  return result(decision, policy, card);
}

function result(decision: ViewDecision, policy: ChannelPolicy | undefined, card: { id: string; assetId: string; asset: { kind: string | null }; consultId: string; workspaceId: string; channelId: string } | undefined): AccessResult {
  return { decision, policy, card: card && { id: card.id, assetId: card.assetId, assetKind: card.asset.kind, consultId: card.consultId, workspaceId: card.workspaceId, channelId: card.channelId } };
}
