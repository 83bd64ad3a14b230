// Adds a specialist to a consult at a participant's request: a participant
// row and a grant one hop from the inviter's, both audited. An invited
// specialist cannot invite further (the grant chain stops at one hop).
import { AuditAction } from '../core/audit/event.js';
import type { Clock } from '../core/clock.js';
import { mayInvite, type Requester } from '../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { Database } from '../storage/database.js';
import { transaction } from '../storage/transaction.js';

export interface InviteDeps {
  db: Database;
  audit: AuditLog;
  clock: Clock;
  policies: ChannelPolicies;
}

export type InviteResult = { outcome: 'invited' | 'already_participant'; consultId: string; channelId: string; threadId: string };

export async function inviteSpecialist(deps: InviteDeps, cardId: string, who: Requester, specialistId: string): Promise<InviteResult> {
  const card = await deps.db.prisma.card.findUnique({ where: { id: cardId }, include: { consult: true } });
  if (!card) throw new LoupeError(ErrorCode.NotFound, 'no such card');
  const { consult } = card;
  const policy = await deps.policies.effective(consult.workspaceId, consult.channelId);
  const now = deps.clock.now();
  const result = await transaction(deps.db, async (tx) => {
    const inviter = await tx.consultParticipant.findUnique({ where: { consultId_userId: { consultId: consult.id, userId: who.userId } } });
    const participation = inviter ? { role: inviter.role, invitedBy: inviter.invitedBy, removed: inviter.removedAt !== null } : undefined;
    const actor = { type: who.isAdmin ? ('admin' as const) : ('user' as const), id: who.userId };
    if (!mayInvite(who, participation)) {
      await deps.audit.append(tx, { actor, action: AuditAction.ParticipantInvited, outcome: 'denied', reason: 'an invited specialist cannot invite further', workspaceId: consult.workspaceId, consultId: consult.id });
      return undefined;
    }
    const existing = await tx.consultParticipant.findUnique({ where: { consultId_userId: { consultId: consult.id, userId: specialistId } } });
    if (existing && !existing.removedAt) return 'already_participant' as const;
    const parent = await tx.grant.findFirst({ where: { consultId: consult.id, userId: who.userId, revokedAt: null }, orderBy: { createdAt: 'desc' } });
    await tx.consultParticipant.upsert({
      where: { consultId_userId: { consultId: consult.id, userId: specialistId } },
      create: { consultId: consult.id, userId: specialistId, role: 'specialist', invitedBy: who.userId },
      update: { role: 'specialist', invitedBy: who.userId, removedAt: null },
    });
    await tx.grant.create({
      data: {
        consultId: consult.id,
        userId: specialistId,
        source: 'invitation',
        grantedBy: who.userId,
        parentGrantId: parent?.id ?? null,
        hop: (parent?.hop ?? 0) + 1,
        expiresAt: new Date(now.getTime() + policy.cardLifetimeSeconds * 1000),
      },
    });
    await deps.audit.append(tx, { actor, action: AuditAction.ParticipantInvited, outcome: 'success', workspaceId: consult.workspaceId, consultId: consult.id, details: { specialist: specialistId } });
    return 'invited' as const;
  });
  if (!result) throw new LoupeError(ErrorCode.Forbidden, 'only a participant of this consult who was not invited may invite a specialist');
  return { outcome: result, consultId: consult.id, channelId: consult.channelId, threadId: consult.threadId };
}
