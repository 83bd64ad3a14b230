// Invites a specialist to a consult at a participant's request, on the tested
// reshare rule (src/core/access/reshare.ts): the inviter needs a live link of
// the grant chain (a participant's or an invitation's grant, not break-glass,
// not a channel member's, not expired or revoked), and the chain stops one hop
// from the consult. The participant row, the grant and the audit event are
// written together; a refusal is audited and returned. The caller announces
// the returned notice in the consult's thread. A card whose image was shredded
// invites nobody: its stale button (an old message, a replayed press) is refused.
import { mayReshare, type ReshareDenyReason } from '../core/access/reshare.js';
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import type { WorkspaceRequester } from '../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { Database } from '../storage/database.js';
import { transaction } from '../storage/transaction.js';
import type { Notice } from './notices.js';

export interface InviteDeps {
  db: Database;
  audit: AuditLog;
  clock: Clock;
  policies: ChannelPolicies;
}

export interface InviteOptions {
  cardId: string;
  who: WorkspaceRequester;
  specialistId: string;
}

/** Where the consult is discussed, for the announcement. */
export interface Thread {
  channelId: string;
  threadId: string;
}

export type InviteResult =
  | { outcome: 'invited'; consultId: string; thread: Thread; announce: Extract<Notice, { kind: 'specialist_invited' }> }
  | { outcome: 'already_participant'; consultId: string; thread: Thread }
  | { outcome: 'refused'; consultId: string; reason: InviteRefusal };

/** Why nobody was invited: the reshare rule's reason, or the card's image was shredded under retention. */
export type InviteRefusal = ReshareDenyReason | 'asset_shredded';

export async function inviteSpecialist(deps: InviteDeps, { cardId, who, specialistId }: InviteOptions): Promise<InviteResult> {
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId, workspaceId: who.workspaceId }, include: { consult: true } });
  if (!card) throw new LoupeError(ErrorCode.NotFound, 'no such card');
  const { consult } = card;
  const thread = { channelId: consult.channelId, threadId: consult.threadId };
  const policy = await deps.policies.effective(consult.workspaceId, consult.channelId);
  const now = deps.clock.now();
  const actor: AuditActor = { type: who.isAdmin ? 'admin' : 'user', id: who.userId };
  const event = { actor, action: AuditAction.ParticipantInvited, workspaceId: consult.workspaceId, consultId: consult.id };
  return transaction(deps.db, async (tx): Promise<InviteResult> => {
    const participant = await tx.consultParticipant.findUnique({ where: { consultId_userId: { consultId: consult.id, userId: who.userId } } });
    const grants = await tx.grant.findMany({ where: { consultId: consult.id, userId: who.userId } });
    const decision = mayReshare({ inviter: who, consultId: consult.id, participant, grants }, now);
    if (!decision.allow) {
      // The refusal must commit with its audit event, so it is returned, not thrown.
      await deps.audit.append(tx, { ...event, outcome: 'denied', reason: decision.reason });
      return { outcome: 'refused', consultId: consult.id, reason: decision.reason };
    }
    // Read in the transaction: a shredding that committed first is seen.
    const current = await tx.card.findUnique({ where: { id: card.id }, select: { state: true } });
    if (!current || current.state === 'deleted') {
      await deps.audit.append(tx, { ...event, outcome: 'denied', reason: 'asset_shredded' });
      return { outcome: 'refused', consultId: consult.id, reason: 'asset_shredded' };
    }
    const existing = await tx.consultParticipant.findUnique({ where: { consultId_userId: { consultId: consult.id, userId: specialistId } } });
    if (existing && !existing.removedAt) return { outcome: 'already_participant', consultId: consult.id, thread };
    await tx.consultParticipant.upsert({
      where: { consultId_userId: { consultId: consult.id, userId: specialistId } },
      create: { consultId: consult.id, userId: specialistId, role: 'specialist', invitedBy: who.userId },
      update: { role: 'specialist', invitedBy: who.userId, removedAt: null },
    });
    // An invitation lasts a card's lifetime, but never longer than the grant it hangs from.
    const lifetime = now.getTime() + policy.cardLifetimeSeconds * 1000;
    const parentEnds = grants.find((g) => g.id === decision.parentGrantId)?.expiresAt.getTime() ?? Infinity;
    await tx.grant.create({
      data: {
        consultId: consult.id,
        userId: specialistId,
        source: 'invitation',
        grantedBy: who.userId,
        parentGrantId: decision.parentGrantId,
        hop: decision.hop,
        expiresAt: new Date(Math.min(lifetime, parentEnds)),
      },
    });
    await deps.audit.append(tx, { ...event, outcome: 'success', details: { specialist: specialistId } });
    return { outcome: 'invited', consultId: consult.id, thread, announce: { kind: 'specialist_invited', specialistId, inviterId: who.userId } };
  });
}
