// What Loupe holds for one channel, as counts and settings (never patient
// data): its interception, its uploads by outcome, its cards by state, and
// how many originals are still in the channel.
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { Database } from '../storage/database.js';

export interface ChannelStatus {
  interception: boolean;
  uploads: { seen: number; stored: number; failed: number; revoked: number };
  cards: { active: number; waitingForPatient: number; expired: number; revoked: number };
  /** Originals Loupe secured but could not (yet) take out of the channel. */
  originalsInChannel: number;
}

export async function channelStatus(deps: { db: Database; policies: ChannelPolicies }, { workspaceId, channelId }: { workspaceId: string; channelId: string }): Promise<ChannelStatus> {
  const prisma = deps.db.prisma;
  const inChannel = { workspaceId, consult: { channelId } };
  const [policy, byStatus, stuck, cards] = await Promise.all([
    deps.policies.effective(workspaceId, channelId),
    prisma.asset.groupBy({ by: ['status'], where: inChannel, _count: true }),
    prisma.asset.count({ where: { ...inChannel, removal: { in: ['not_possible', 'failed', 'requested'] }, status: { not: 'failed' } } }),
    prisma.card.groupBy({ by: ['state'], where: { workspaceId, channelId }, _count: true }),
  ]);
  const s = (status: string) => byStatus.find((r) => r.status === status)?._count ?? 0;
  const c = (state: string) => cards.find((r) => r.state === state)?._count ?? 0;
  return {
    interception: policy.interception,
    uploads: { seen: byStatus.reduce((a, r) => a + r._count, 0), stored: s('stored'), failed: s('failed'), revoked: s('revoked') },
    cards: { active: c('active'), waitingForPatient: c('waiting_for_patient'), expired: c('expired'), revoked: c('revoked') },
    originalsInChannel: stuck,
  };
}
