// Channel policies as stored: one row per channel an admin configured, and
// the workspace default (channel "*"). Reading merges them; changing one is
// audited in the same transaction.
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import { effectivePolicy, type AcceptedKind, type ChannelPolicy } from '../core/policy/channel-policy.js';
import type { AuditLog } from './audit-log.js';
import type { Database } from './database.js';
import type { ChannelPolicy as PolicyRow } from './prisma/client.js';
import { transaction, type Tx } from './transaction.js';
import { WORKSPACE_DEFAULT_CHANNEL } from './workspaces.js';

export type { PolicyChangeInput as PolicyChange } from '../core/policy/policy-command.js';
import type { PolicyChangeInput as PolicyChange } from '../core/policy/policy-command.js';

function fromRow(row: PolicyRow | undefined): Partial<ChannelPolicy> | undefined {
  if (!row) return undefined;
  return {
    interception: row.interception,
    acceptedKinds: row.acceptedKinds.filter((k): k is AcceptedKind => k === 'photo' || k === 'dicom'),
    cardLifetimeSeconds: row.cardLifetimeSeconds,
    identifierPattern: row.identifierPattern,
    ...(row.identifierIssuer ? { identifierIssuer: row.identifierIssuer } : {}),
    membersMayView: row.membersMayView,
    requireMfa: row.requireMfa,
    consentRule: row.consentRule,
    legalHold: row.legalHold,
  };
}

export class ChannelPolicies {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
  ) {}

  async effective(workspaceId: string, channelId: string, tx?: Tx): Promise<ChannelPolicy> {
    const rows = await (tx ?? this.db.prisma).channelPolicy.findMany({
      where: { workspaceId, channelId: { in: [WORKSPACE_DEFAULT_CHANNEL, channelId] } },
    });
    const workspaceDefault = rows.find((r) => r.channelId === WORKSPACE_DEFAULT_CHANNEL);
    const channel = channelId === WORKSPACE_DEFAULT_CHANNEL ? undefined : rows.find((r) => r.channelId === channelId);
    const ws = await (tx ?? this.db.prisma).workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
    const breakGlass = (ws?.settings as { breakGlass?: unknown } | null)?.breakGlass === true;
    return { ...effectivePolicy(fromRow(workspaceDefault), fromRow(channel)), breakGlass };
  }

  /** Sets some settings of one channel (or, with "*", the workspace default); the rest stay as they were. */
  async change(workspaceId: string, channelId: string, change: PolicyChange, actor: AuditActor): Promise<ChannelPolicy> {
    const breakGlassChanged = change.breakGlass !== undefined;
    await transaction(this.db, async (tx) => {
      const { breakGlass, ...channelChange } = change;
      // Break-glass is the workspace's, whatever channel the admin typed it in.
      if (breakGlass !== undefined) {
        const ws = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { settings: true } });
        await tx.workspace.update({ where: { id: workspaceId }, data: { settings: { ...(ws.settings as object), breakGlass } } });
      }
      change = channelChange;
      // A new channel row starts from what applied to the channel until now.
      const current = await this.effective(workspaceId, channelId, tx);
      const data = { ...pick(current), ...change, updatedBy: actor.id };
      await tx.channelPolicy.upsert({
        where: { workspaceId_channelId: { workspaceId, channelId } },
        create: { workspaceId, channelId, ...data },
        update: { ...change, updatedBy: actor.id },
      });
      await this.audit.append(tx, {
        actor,
        action: AuditAction.PolicyChanged,
        outcome: 'success',
        workspaceId,
        // The pattern itself is configuration, not patient data.
        details: { channelId, changed: [...Object.keys(change), ...(breakGlassChanged ? ['breakGlass'] : [])].sort() },
      });
    });
    return this.effective(workspaceId, channelId);
  }
}

function pick(p: ChannelPolicy): PolicyChange {
  const { interception, acceptedKinds, cardLifetimeSeconds, identifierPattern, identifierIssuer, membersMayView, requireMfa } = p;
  return { interception, acceptedKinds, cardLifetimeSeconds, identifierPattern, identifierIssuer, membersMayView, requireMfa };
}
