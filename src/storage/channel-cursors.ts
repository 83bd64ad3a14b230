// How far each channel's history is known to Loupe: a message ts (Slack's
// seconds.micros) per channel, kept in the database for the Slack adapter.
// Reconciliation sets it after reading the history; a live event moves it
// forward only by a little (at most the look-back each reconciliation
// re-reads), so an event that arrives after downtime cannot jump the cursor
// over the messages missed meanwhile.
import type { Database } from './database.js';

/** Each reconciliation re-reads this much history before the cursor; events move it at most this far. */
export const CURSOR_OVERLAP_SECONDS = 15 * 60;

const seconds = (ts: string) => Number(ts);
export const toTs = (d: Date) => (d.getTime() / 1000).toFixed(6);
export const laterTs = (a: string | undefined, b: string) => (a === undefined || seconds(b) > seconds(a) ? b : a);

export async function readCursor(db: Database, workspaceId: string, channelId: string): Promise<string | undefined> {
  return (await db.prisma.channelCursor.findUnique({ where: { workspaceId_channelId: { workspaceId, channelId } } }))?.lastTs;
}

/** After reconciliation: everything up to `ts` has been read. Never moves backwards. */
export async function setCursor(db: Database, workspaceId: string, channelId: string, ts: string): Promise<void> {
  const where = { workspaceId_channelId: { workspaceId, channelId } };
  const current = await readCursor(db, workspaceId, channelId);
  const next = laterTs(current, ts);
  await db.prisma.channelCursor.upsert({ where, create: { workspaceId, channelId, lastTs: next }, update: { lastTs: next } });
}

/**
 * A live message event: moves a channel's cursor to its ts when that is no
 * more than the overlap ahead. A channel without a cursor gets one only from
 * reconciliation, which first reads its recent history.
 */
export async function advanceCursorByEvent(db: Database, workspaceId: string, channelId: string, ts: string): Promise<boolean> {
  const current = await readCursor(db, workspaceId, channelId);
  if (current === undefined) return false;
  const ahead = seconds(ts) - seconds(current);
  if (!(ahead > 0 && ahead <= CURSOR_OVERLAP_SECONDS)) return false;
  // Conditional on the value read, so concurrent events never move it backwards.
  const { count } = await db.prisma.channelCursor.updateMany({ where: { workspaceId, channelId, lastTs: current }, data: { lastTs: ts } });
  return count === 1;
}
