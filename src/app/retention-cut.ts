// What shortening a retention would destroy: the assets of that channel (or,
// for the workspace default, of every channel that follows it) received
// before the new retention's start, not yet shredded. The sweep shreds them
// within the hour, for good, so whoever shortens a retention is shown the
// count and confirms first (a typed "1" for "365" must not cost a year).
import type { Database } from '../storage/database.js';
import type { Prisma } from '../storage/prisma/client.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../storage/workspaces.js';
import { SETTLED } from './retention-sweep.js';

const DAY_MS = 24 * 3600 * 1000;

/** How many assets a retention of `days` in this channel (or "*") makes due at `now`; legal holds are not subtracted. */
export async function assetsDueUnder(db: Database, o: { workspaceId: string; channelId: string; days: number; now: Date }): Promise<number> {
  const where: Prisma.AssetWhereInput = { workspaceId: o.workspaceId, status: { in: [...SETTLED] }, shreddedAt: null, createdAt: { lt: new Date(o.now.getTime() - o.days * DAY_MS) } };
  if (o.channelId !== WORKSPACE_DEFAULT_CHANNEL) return db.prisma.asset.count({ where: { ...where, consult: { channelId: o.channelId } } });
  // The workspace default reaches the channels that set no retention of their own, and assets outside any channel.
  const own = await db.prisma.channelPolicy.findMany({ where: { workspaceId: o.workspaceId, channelId: { not: WORKSPACE_DEFAULT_CHANNEL }, setFields: { has: 'retentionDays' } }, select: { channelId: true } });
  return db.prisma.asset.count({ where: { ...where, OR: [{ consult: null }, { consult: { channelId: { notIn: own.map((p) => p.channelId) } } }] } });
}

/** Whether a change from `before` to `after` days (null: kept until someone sets one) shortens the retention. */
export function shortens(before: number | null, after: number | null): after is number {
  return after !== null && (before === null || after < before);
}
