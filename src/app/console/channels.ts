// The channels of a workspace the console can show. Loupe keeps no channel
// names, so a channel is its id: every one with a policy row, a consult, a
// known conversation or a history cursor, once each, sorted, after "*" (the
// workspace default).
import type { ResolvedPolicy } from '../../storage/channel-policies.js';
import type { Database } from '../../storage/database.js';
import type { Platform } from '../../storage/prisma/client.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';
import type { ConsoleCaller } from './console-caller.js';

export async function consoleChannels(db: Database, workspaceId: string): Promise<string[]> {
  const where = { workspaceId };
  const [policies, consults, conversations, cursors] = await Promise.all([
    db.prisma.channelPolicy.findMany({ where, select: { channelId: true } }),
    // Grouped in the database: a workspace's consults are many, its channels few.
    db.prisma.consult.groupBy({ by: ['channelId'], where }),
    // A personal chat with Loupe is not a channel anyone sets a policy for.
    db.prisma.chatConversation.findMany({ where: { workspaceId, kind: { not: 'personal' } }, select: { conversationId: true } }),
    db.prisma.channelCursor.findMany({ where, select: { channelId: true } }),
  ]);
  const ids = new Set([
    ...policies.map((p) => p.channelId),
    ...consults.map((c) => c.channelId),
    ...conversations.map((c) => c.conversationId),
    ...cursors.map((c) => c.channelId),
  ]);
  ids.delete(WORKSPACE_DEFAULT_CHANNEL);
  return [WORKSPACE_DEFAULT_CHANNEL, ...[...ids].sort()];
}

export interface WorkspacePolicies {
  workspace: { id: string; name: string; platform: Platform };
  /** The person may edit this workspace's policies as a whole: its default and any channel's (the page offers to open any channel). */
  mayChange: boolean;
  /** The workspace default first (for those who may read the whole workspace), then each channel they may read, with every value's source and whether they may edit it. */
  rows: { channelId: string; resolved: ResolvedPolicy; mayChange: boolean }[];
}

/** Every workspace the person may read policies in, with each channel's effective policy they may read. */
export async function policyOverview(c: ConsoleCaller): Promise<WorkspacePolicies[]> {
  const out: WorkspacePolicies[] = [];
  for (const workspace of await c.storage.workspaces.list()) {
    const place = { workspaceId: workspace.id };
    // A team's owner reads their own channels only; the workspace's other channels are not theirs to see.
    const channels = c.access.may('read_policies', place).allow ? await consoleChannels(c.storage.db, workspace.id) : c.access.channelsFor('read_policies', workspace.id);
    if (channels.length === 0) continue;
    const rows = [];
    for (const channelId of channels) {
      rows.push({ channelId, resolved: await c.storage.policies.resolved(workspace.id, channelId), mayChange: c.access.may('change_policy', { ...place, channelId }).allow });
    }
    out.push({ workspace, mayChange: c.access.may('change_policy', place).allow, rows });
  }
  return out;
}
