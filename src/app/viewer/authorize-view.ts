// Authorizes one viewer request: the signed-in session, the card's link
// token (read once, with everything it leads to), the person as the card's
// workspace knows them, the pure access rules, and the audit event. Every
// request is decided afresh; an allowing decision for the same session, link
// and asset is audited once per window (see view-decisions.ts), so the frames
// of a cine loop are one audit event, and use of the session is written at
// most every few seconds.
import { decideView } from '../../core/access/decide.js';
import { sessionUsedMfa } from '../../core/access/mfa.js';
import type { GrantFacts, ViewDecision, ViewTarget } from '../../core/access/types.js';
import { AuditAction, type AuditEventInput } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import type { ChannelPolicy } from '../../core/policy/channel-policy.js';
import { hashLinkToken } from '../../intake/link-token.js';
import type { Storage } from '../../storage/services.js';
import { transaction } from '../../storage/transaction.js';
import type { ViewCardTarget } from '../../storage/view-cards.js';
import type { ActiveSession, SessionState, ViewerSessions } from '../../storage/viewer-sessions.js';
import type { ViewerDirectory } from '../ports/viewer-directory.js';
import type { ConsentChanges } from '../../storage/consent-changes.js';
import { ViewDecisions } from './view-decisions.js';

/** What a request is for decides what is audited and whether it is use of the session. */
export const VIEW_REQUESTS = {
  /** The viewer page itself, and break-glass: every decision audited. */
  page: { audit: 'every', touch: true },
  /** Pixels and what describes them (info, series, frames, photo): an allow audited once per window, every refusal audited. */
  pixels: { audit: 'allow_once', touch: true },
  /** Frames the page fetches ahead on its own: pixels like any other, but nobody asked for them, so not use (the idle lock still comes). */
  ahead: { audit: 'allow_once', touch: false },
  /** The patient's details: every decision audited. */
  patient: { audit: 'every', touch: true },
  /** The open page's status poll: reads nothing and is not use; a refusal is audited once per short window. */
  poll: { audit: 'first_refusal', touch: false },
} as const satisfies Record<string, { audit: 'every' | 'allow_once' | 'first_refusal'; touch: boolean }>;

/** Use of a session is written at most this often (its idle clock is that much less exact). */
export const SESSION_TOUCH_MS = 5_000;

export type ViewRequestKind = keyof typeof VIEW_REQUESTS;

/** What a genuine link leads to, as the routes need it. */
export interface ViewedCard {
  id: string;
  assetId: string;
  assetKind: string | null;
  consultId: string;
  workspaceId: string;
  channelId: string;
}

export interface ViewDecided {
  decision: ViewDecision;
  /** Present when the link (and the sibling asset asked for) is genuine. */
  card: ViewedCard | undefined;
  /** The channel policy the decision read. */
  policy: ChannelPolicy | undefined;
  /** The facts the decision read. */
  target: ViewTarget | null;
  viewer: { chatUserId: string; name: string };
}

export type ViewAuthorization =
  | { outcome: 'sign_in'; session: SessionState }
  | { outcome: 'unknown_token'; session: ActiveSession }
  | { outcome: 'no_link'; session: ActiveSession }
  | ({ outcome: 'decided'; session: ActiveSession } & ViewDecided);

/** What every viewer use case is built with, once per router. */
export interface ViewerContext {
  storage: Pick<Storage, 'db' | 'audit' | 'policies' | 'viewer'>;
  sessions: ViewerSessions;
  directory: Pick<ViewerDirectory, 'isChannelMember'>;
  clock: Clock;
  /** The acr value the provider uses for multi-factor sign-in. */
  mfaAcr: string;
  decisions: ViewDecisions;
}

export interface AuthorizeViewOptions extends ViewerContext {
  /** The session cookie's value. */
  sessionToken: string | undefined;
  /** The card link's token. */
  token: string;
  /** Another asset of the same consult (series navigation): judged on its own card, through this link. */
  siblingAssetId?: string | undefined;
  request: ViewRequestKind;
}

/** The viewer's memory of its audited decisions, forgetting a patient's as soon as their consent changes (in this process: see consent-changes.ts). */
export function viewDecisionsFollowing(consentChanges: ConsentChanges, clock: Clock): ViewDecisions {
  const decisions = new ViewDecisions(clock);
  consentChanges.subscribe((patientId) => decisions.forgetPatient(patientId));
  return decisions;
}

const PURPOSE = 'care';
const PARTY = 'care_team';

export async function authorizeView(o: AuthorizeViewOptions): Promise<ViewAuthorization> {
  const rules = VIEW_REQUESTS[o.request];
  let session = await o.sessions.resolve(o.sessionToken, false);
  if (session.state !== 'active') return { outcome: 'sign_in', session };
  const lastSeen = session.idle.locksAt.getTime() - session.idle.seconds * 1000;
  if (rules.touch && o.clock.now().getTime() - lastSeen >= SESSION_TOUCH_MS) session = await o.sessions.touch(session);

  const tokenHash = hashLinkToken(o.token);
  const entry = await o.storage.viewer.cards.target(tokenHash);
  if (!entry) return { outcome: 'unknown_token', session };
  const chatUserId = await chatUserOf(o, session, entry.card.workspaceId);
  if (!chatUserId) return { outcome: 'no_link', session };
  const viewer = { chatUserId, name: session.identity.displayName };
  const mfa = sessionUsedMfa(session.identity, [o.mfaAcr]);
  const { decision, target, policy, card } = await decide(o, entry, chatUserId, mfa, o.siblingAssetId);
  const decided: ViewDecided = { decision, target, policy, card: card && viewedCard(card), viewer };

  const key = [session.id, tokenHash, o.siblingAssetId ?? ''].join('\0');
  const event = (): AuditEventInput => ({
    actor: { type: 'user', id: chatUserId },
    action: AuditAction.AssetViewed,
    outcome: decision.allow ? 'success' : 'denied',
    reason: decision.allow ? `allowed via ${decision.via}` : decision.reason,
    workspaceId: card?.workspaceId ?? null,
    assetId: card?.assetId ?? null,
    consultId: card?.consultId ?? null,
    patientId: card?.asset.patientId ?? null,
    details: { purpose: PURPOSE, party: PARTY, session: session.id, ...(decision.allow ? { grant: decision.grantId, consent: decision.consent } : { status: decision.status }) },
  });
  if (decision.allow) {
    // What the allow went by: another person, grant or consent is another decision, audited.
    const basis = [chatUserId, decision.via, decision.grantId, decision.consent, decision.consentId ?? ''].join('\0');
    if (rules.audit !== 'first_refusal') await o.decisions.auditAllow(key, basis, target?.asset.patientId ?? null, () => o.storage.audit.record(event()), rules.audit === 'every');
  } else {
    const first = o.decisions.refuse(key);
    if (rules.audit !== 'first_refusal' || first) await o.storage.audit.record(event());
  }
  return { outcome: 'decided', session, ...decided };
}

/** The person's chat user in the card's workspace: the session's own, or (signed in from another workspace's card) the same person's link there. */
async function chatUserOf(o: ViewerContext, session: ActiveSession, workspaceId: string): Promise<string | undefined> {
  if (session.workspaceId === workspaceId && session.chatUserId) return session.chatUserId;
  if (!session.identity.email) return undefined;
  return o.storage.viewer.identityLinks.chatUserOf(workspaceId, session.identity.issuer, session.identity.subject);
}

type TargetCard = ViewCardTarget['card'];

async function decide(o: ViewerContext, entry: ViewCardTarget, chatUserId: string, mfa: boolean, siblingAssetId: string | undefined) {
  const now = o.clock.now();
  let row: { cardId: string; expiresAt: Date; revokedAt: Date | null; card: TargetCard } | null = entry;
  if (siblingAssetId && siblingAssetId !== entry.card.assetId) {
    const sibling = await o.storage.viewer.cards.sibling(siblingAssetId, entry.card.consultId);
    // Another consult's asset is as unknown as a forged link.
    row = sibling ? { ...entry, cardId: sibling.id, card: sibling, expiresAt: entry.expiresAt < sibling.expiresAt ? entry.expiresAt : sibling.expiresAt } : null;
  }
  const viewer = { chatUserId, mfa };
  if (!row) return { decision: decideView({ viewer, purpose: PURPOSE, party: PARTY, target: null }, now), target: null, policy: undefined, card: undefined };
  const { card } = row;
  const { consult, asset } = card;
  const policy = await o.storage.policies.effective(card.workspaceId, card.channelId);
  const isChannelMember = policy.membersMayView
    ? await o.decisions.channelMember(card.workspaceId, card.channelId, chatUserId, () => o.directory.isChannelMember(card.workspaceId, card.channelId, chatUserId))
    : false;
  let grants: GrantFacts[] = consult.grants.filter((g) => g.userId === chatUserId);
  // Channel members' right comes from the policy: it is written down as a grant, with its audit event, the first time it is used.
  if (isChannelMember && !grants.some((g) => g.source === 'channel_member' && !g.revokedAt && g.expiresAt > now)) {
    grants = [...grants, await recordMemberGrant(o, card, chatUserId, now)];
  }
  const consents = asset.patient?.consents ?? [];
  const participant = consult.participants.find((p) => p.userId === chatUserId) ?? null;
  const target: ViewTarget = {
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
  return { decision: decideView({ viewer, purpose: PURPOSE, party: PARTY, target }, now), target, policy, card };
}

/** The channel member's grant and its audit event, in one transaction; a grant written meanwhile by another request is used instead. */
async function recordMemberGrant(o: ViewerContext, card: TargetCard, userId: string, now: Date): Promise<GrantFacts> {
  return transaction(o.storage.db, async (tx) => {
    const live = await tx.grant.findFirst({ where: { consultId: card.consultId, userId, source: 'channel_member', revokedAt: null, expiresAt: { gt: now } } });
    if (live) return live;
    const grant = await tx.grant.create({ data: { consultId: card.consultId, userId, source: 'channel_member', hop: 0, expiresAt: card.expiresAt } });
    await o.storage.audit.append(tx, {
      actor: { type: 'system', id: 'viewer' },
      action: AuditAction.ParticipantAdded,
      outcome: 'success',
      workspaceId: card.workspaceId,
      assetId: card.assetId,
      consultId: card.consultId,
      details: { participant: userId, grant: 'created', source: 'channel_member' },
    });
    return grant;
  });
}

function viewedCard(card: TargetCard): ViewedCard {
  return { id: card.id, assetId: card.assetId, assetKind: card.asset.kind, consultId: card.consultId, workspaceId: card.workspaceId, channelId: card.channelId };
}
