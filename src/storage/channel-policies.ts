// Channel policies as stored: one row per channel an admin configured, and
// the workspace default (channel "*"). A row sets only the settings named in
// its setFields; the rest are inherited. Reading merges them (and says where
// each value came from); changing one is audited, with its before and after
// values, in the same transaction.
import { AuditAction, type AuditActor } from '../core/audit/event.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import {
  POLICY_SETTINGS,
  resolvePolicy,
  type AcceptedKind,
  type ChannelPolicy,
  type PolicySetting,
  type SettingSource,
} from '../core/policy/channel-policy.js';
import type { AuditLog } from './audit-log.js';
import type { Database } from './database.js';
import { channelHoldsWhere } from './legal-holds.js';
import type { ChannelPolicy as PolicyRow } from './prisma/client.js';
import { transaction, type Tx } from './transaction.js';
import { WORKSPACE_DEFAULT_CHANNEL } from './workspaces.js';

export type { PolicyChangeInput as PolicyChange } from '../core/policy/policy-command.js';
import type { PolicyChangeInput as PolicyChange } from '../core/policy/policy-command.js';

export interface ResolvedPolicy {
  policy: ChannelPolicy;
  /** Where each setting's value came from; break-glass is always the workspace's (or Loupe's default). */
  source: Record<PolicySetting, SettingSource> & { breakGlass: 'workspace' | 'loupe' };
}

const isSetting = (k: string): k is PolicySetting => (POLICY_SETTINGS as readonly string[]).includes(k);

function fromRow(row: PolicyRow | undefined): Partial<ChannelPolicy> | undefined {
  if (!row) return undefined;
  const all: Pick<ChannelPolicy, PolicySetting> = {
    interception: row.interception,
    acceptedKinds: row.acceptedKinds.filter((k): k is AcceptedKind => k === 'photo' || k === 'dicom'),
    cardLifetimeSeconds: row.cardLifetimeSeconds,
    identifierPattern: row.identifierPattern,
    identifierIssuer: row.identifierIssuer ?? 'LOCAL',
    membersMayView: row.membersMayView,
    requireMfa: row.requireMfa,
    consentRule: row.consentRule,
    retentionDays: row.retentionDays,
    previewMode: row.previewMode,
    pacsExport: row.pacsExport,
  };
  const set = new Set(row.setFields ?? []);
  return Object.fromEntries(Object.entries(all).filter(([k]) => set.has(k)));
}

/** The columns a change writes: only the settings it names. */
function columns(change: PolicyChange): Partial<Pick<ChannelPolicy, PolicySetting>> {
  return Object.fromEntries(Object.entries(change).filter(([k, v]) => isSetting(k) && v !== undefined)) as Partial<Pick<ChannelPolicy, PolicySetting>>;
}

export class ChannelPolicies {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
  ) {}

  async effective(workspaceId: string, channelId: string, tx?: Tx): Promise<ChannelPolicy> {
    return (await this.resolved(workspaceId, channelId, tx)).policy;
  }

  /** The effective policy with the source of each value: what the console shows. */
  async resolved(workspaceId: string, channelId: string, tx?: Tx): Promise<ResolvedPolicy> {
    const db = tx ?? this.db.prisma;
    // One read (the relations are joined): the policy is asked for on every view and every upload.
    const ws = await db.workspace.findUnique({
      where: { id: workspaceId },
      select: {
        settings: true,
        policies: { where: { channelId: { in: [WORKSPACE_DEFAULT_CHANNEL, channelId] } } },
        legalHolds: { where: channelHoldsWhere(channelId), select: { id: true }, take: 1 },
      },
    });
    const rows = ws?.policies ?? [];
    const workspaceDefault = rows.find((r) => r.channelId === WORKSPACE_DEFAULT_CHANNEL);
    const channel = channelId === WORKSPACE_DEFAULT_CHANNEL ? undefined : rows.find((r) => r.channelId === channelId);
    const breakGlassSetting = (ws?.settings as { breakGlass?: unknown } | null)?.breakGlass;
    const { policy, source } = resolvePolicy(fromRow(workspaceDefault), fromRow(channel));
    const legalHold = (ws?.legalHolds.length ?? 0) > 0;
    return {
      policy: { ...policy, breakGlass: breakGlassSetting === true, legalHold },
      source: { ...source, breakGlass: typeof breakGlassSetting === 'boolean' ? 'workspace' : 'loupe' },
    };
  }

  /**
   * Sets some settings of one channel (or, with "*", the workspace default);
   * the settings named in `inherit` go back to what the level above says; the
   * rest stay as they were. `requestId` ties the audit event to the request
   * that asked (a console page's, or a command's).
   */
  async change(workspaceId: string, channelId: string, change: PolicyChange, actor: AuditActor, o: { inherit?: readonly PolicySetting[]; requestId?: string | undefined } = {}): Promise<ChannelPolicy> {
    const inherit = o.inherit ?? [];
    await transaction(this.db, async (tx) => {
      const before = await this.resolved(workspaceId, channelId, tx);
      const { breakGlass, ...channelChange } = change;
      // Break-glass is the whole workspace's: set only as the workspace default, by whoever may change that.
      if (breakGlass !== undefined && channelId !== WORKSPACE_DEFAULT_CHANNEL) throw new LoupeError(ErrorCode.InvalidInput, 'break-glass is set for the whole workspace');
      if (breakGlass !== undefined) {
        const ws = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { settings: true } });
        await tx.workspace.update({ where: { id: workspaceId }, data: { settings: { ...(ws.settings as object), breakGlass } } });
      }
      const written = columns(channelChange);
      const existing = await tx.channelPolicy.findUnique({ where: { workspaceId_channelId: { workspaceId, channelId } } });
      const setFields = [...new Set([...(existing?.setFields ?? []), ...Object.keys(written)])].filter((k) => !inherit.includes(k as PolicySetting)).sort();
      await tx.channelPolicy.upsert({
        where: { workspaceId_channelId: { workspaceId, channelId } },
        create: { workspaceId, channelId, ...written, setFields, updatedBy: actor.id },
        update: { ...written, setFields, updatedBy: actor.id },
      });
      const after = await this.resolved(workspaceId, channelId, tx);
      const changed = (Object.keys(after.policy) as (keyof ChannelPolicy)[]).filter(
        (k) => JSON.stringify(before.policy[k]) !== JSON.stringify(after.policy[k]) || (isSetting(k) && before.source[k] !== after.source[k]),
      );
      const pickOf = (p: ChannelPolicy) => Object.fromEntries(changed.map((k) => [k, p[k]]));
      await this.audit.append(tx, {
        actor,
        action: AuditAction.PolicyChanged,
        outcome: 'success',
        workspaceId,
        ...(o.requestId !== undefined ? { requestId: o.requestId } : {}),
        // Settings are configuration (a pattern, a number of days), never patient data.
        details: {
          channelId,
          changed: [...new Set([...changed, ...Object.keys(change), ...inherit])].sort(),
          before: pickOf(before.policy),
          after: pickOf(after.policy),
          ...(inherit.length ? { inherited: [...inherit].sort() } : {}),
        },
      });
    });
    return this.effective(workspaceId, channelId);
  }
}
