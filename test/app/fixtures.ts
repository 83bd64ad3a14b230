// A consult with one stored photo and its card, written straight into a test
// database, for use-case tests that need no chat platform.
import { randomUUID } from 'node:crypto';
import type { Storage } from '../../src/storage/services.js';

export const CHANNEL = 'C0CONSULT1';
export const THREAD = '1700000000.000100';
export const REQUESTER = 'U0REQUEST1';

export interface ConsultFixture {
  workspaceId: string;
  consultId: string;
  assetId: string;
  cardId: string;
}

export async function consultWithCard(s: Storage, now: Date, o: { platform?: 'slack' | 'teams'; team?: string; cardState?: 'active' | 'waiting_for_patient' } = {}): Promise<ConsultFixture> {
  const ws = await s.workspaces.ensure(o.platform ?? 'slack', o.team ?? `T${Math.random().toString(36).slice(2, 10)}`, 'Test Hospital', { type: 'system', id: 'test' });
  const prisma = s.db.prisma;
  // Unique whatever the count: four random digits collided in a test making seven consults.
  const consult = await prisma.consult.create({ data: { workspaceId: ws.id, channelId: CHANNEL, threadId: `${THREAD}${randomUUID()}`, requesterId: REQUESTER } });
  const asset = await prisma.asset.create({
    data: { workspaceId: ws.id, consultId: consult.id, uploaderId: REQUESTER, kind: 'photo', status: 'stored', sourceRef: `F${Math.random().toString(36).slice(2)}`, metadata: { family: 'photo' } },
  });
  const card = await prisma.card.create({
    data: { workspaceId: ws.id, assetId: asset.id, consultId: consult.id, channelId: CHANNEL, threadId: consult.threadId, state: o.cardState ?? 'active', expiresAt: new Date(now.getTime() + 3600_000) },
  });
  return { workspaceId: ws.id, consultId: consult.id, assetId: asset.id, cardId: card.id };
}

/** A participant of the consult holding one grant of the given kind. */
export async function participantWithGrant(
  s: Storage,
  consultId: string,
  userId: string,
  grant: { source: 'participant' | 'invitation' | 'channel_member' | 'break_glass'; expiresAt: Date; revokedAt?: Date; hop?: number },
  role: 'requester' | 'member' | 'specialist' = 'member',
): Promise<string> {
  await s.db.prisma.consultParticipant.upsert({ where: { consultId_userId: { consultId, userId } }, create: { consultId, userId, role }, update: { role } });
  const row = await s.db.prisma.grant.create({ data: { consultId, userId, source: grant.source, hop: grant.hop ?? 0, expiresAt: grant.expiresAt, revokedAt: grant.revokedAt ?? null } });
  return row.id;
}
