// The channels of a workspace the console can show. Loupe keeps no channel
// names, so a channel is its id: every one with a policy row, a consult, a
// known conversation or a history cursor, once each, sorted, after "*" (the
// workspace default).
import type { ResolvedPolicy } from '../../storage/channel-policies.js';
import type { Database } from '../../storage/database.js';
import type { Platform } from '../../storage/prisma/client.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';
import type { ConsoleCaller } from './change-policy.js';

export async function consoleChannels(db: Database, workspaceId: string): Promise<string[]> {
  const where = { workspaceId };
  const [policies, consults, conversations, cursors] = await Promise.all([
    db.prisma.channelPolicy.findMany({ where, select: { channelId: true } }),
    db.prisma.consult.findMany({ where, select: { channelId: true }, distinct: ['channelId'] }),
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
  /** The person may edit this workspace's policies (the page shows Edit links). */
  mayChange: boolean;
  /** The workspace default first, then each channel, with every value's source. */
  rows: { channelId: string; resolved: ResolvedPolicy }[];
}

/** Every workspace the person may read policies of, with each channel's effective policy. */
export async function policyOverview(c: ConsoleCaller): Promise<WorkspacePolicies[]> {
  const out: WorkspacePolicies[] = [];
  for (const workspace of await c.storage.workspaces.list()) {
    if (!c.access.may('read_policies', workspace.id).allow) continue;
    const rows = [];
    for (const channelId of await consoleChannels(c.storage.db, workspace.id)) rows.push({ channelId, resolved: await c.storage.policies.resolved(workspace.id, channelId) });
    out.push({ workspace, mayChange: c.access.may('change_policy', workspace.id).allow, rows });
  }
  return out;
}
