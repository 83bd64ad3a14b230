// Changing a channel's policy (or, with "*", the workspace default) from the
// console: only for someone the core lets change policies in that very
// workspace or channel, whatever ids a form or URL carries; refusals are
// audited. Only what differs from the policy as it is gets written, so the
// audit event's before and after say exactly what the admin changed.
import { AuditAction } from '../../core/audit/event.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { DEFAULT_RETENTION_DAYS, type PolicySetting } from '../../core/policy/channel-policy.js';
import type { PolicyChangeInput } from '../../core/policy/policy-command.js';
import type { ResolvedPolicy } from '../../storage/channel-policies.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';
import { assetsDueUnder, shortens } from '../retention-cut.js';
import { checkChannelId, requireConsoleAction, type ConsoleCaller } from './console-caller.js';

export interface PolicyForEdit {
  current: ResolvedPolicy;
  /** What the level above gives: the workspace default for a channel, Loupe's default for the workspace. */
  inherited: ResolvedPolicy | undefined;
  /** The settings this person last changed here, when they did so in the last few minutes (the saved banner). */
  lastChange: { changed: string[]; before: Record<string, unknown>; after: Record<string, unknown> } | undefined;
}

const RECENT_MS = 10 * 60_000;

/** What the edit page shows: the policy, what it inherits, and this person's latest change to it. */
export async function policyForEdit(c: ConsoleCaller, workspaceId: string, channelId: string): Promise<PolicyForEdit> {
  checkChannelId(channelId);
  await requireConsoleAction(c, 'change_policy', { workspaceId, channelId });
  const current = await c.storage.policies.resolved(workspaceId, channelId);
  const inherited = channelId === WORKSPACE_DEFAULT_CHANNEL ? undefined : await c.storage.policies.resolved(workspaceId, WORKSPACE_DEFAULT_CHANNEL);
  const recent = await c.storage.db.prisma.auditEvent.findMany({
    where: { action: AuditAction.PolicyChanged, workspaceId, actorId: c.actor.id, at: { gte: new Date(c.clock.now().getTime() - RECENT_MS) } },
    orderBy: { seq: 'desc' },
    take: 20,
  });
  const mine = recent.map((e) => e.details as { channelId?: string; changed?: string[]; before?: Record<string, unknown>; after?: Record<string, unknown> }).find((d) => d.channelId === channelId);
  const lastChange = mine ? { changed: mine.changed ?? [], before: mine.before ?? {}, after: mine.after ?? {} } : undefined;
  return { current, inherited, lastChange };
}

export interface ChangePolicyInput {
  workspaceId: string;
  channelId: string;
  change: PolicyChangeInput;
  inherit: readonly PolicySetting[];
  /** The person saw how many images a shorter retention destroys, and confirmed. */
  confirmedShorterRetention?: boolean;
}

export type ChangePolicyResult =
  | 'saved'
  | 'unchanged'
  /** Nothing saved: the retention gets shorter and `due` images would go at the next sweep; ask, then save with confirmedShorterRetention. */
  | { confirm: { due: number; days: number } };

/** 'saved' when something changed (audited with before and after), 'unchanged' when the form said what already was. */
export async function changePolicy(c: ConsoleCaller, input: ChangePolicyInput): Promise<ChangePolicyResult> {
  const { workspaceId, channelId } = input;
  checkChannelId(channelId);
  await requireConsoleAction(c, 'change_policy', { workspaceId, channelId });
  const level = channelId === WORKSPACE_DEFAULT_CHANNEL ? 'workspace' : 'channel';
  // Break-glass is the whole workspace's: a channel's form never changes it (and a team's owner may not).
  if (level === 'channel' && input.change.breakGlass !== undefined) throw new LoupeError(ErrorCode.InvalidInput, 'break-glass is set for the whole workspace');
  const before = await c.storage.policies.resolved(workspaceId, channelId);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const change = Object.fromEntries(
    Object.entries(input.change).filter(([k, v]) => {
      const key = k as PolicySetting | 'breakGlass';
      const ownLevel = key === 'breakGlass' ? 'workspace' : level;
      return !(same(before.policy[key], v) && before.source[key] === ownLevel);
    }),
  ) as PolicyChangeInput;
  // Inheriting what is already inherited is no change.
  const inherit = input.inherit.filter((s) => before.source[s] === level);
  if (!Object.keys(change).length && !inherit.length) return 'unchanged';
  const afterDays = inherit.includes('retentionDays') ? await inheritedRetention(c, workspaceId, channelId) : 'retentionDays' in change ? (change.retentionDays ?? null) : before.policy.retentionDays;
  if (shortens(before.policy.retentionDays, afterDays) && input.confirmedShorterRetention !== true) {
    const due = await assetsDueUnder(c.storage.db, { workspaceId, channelId, days: afterDays, now: c.clock.now() });
    if (due > 0) return { confirm: { due, days: afterDays } };
  }
  await c.storage.policies.change(workspaceId, channelId, change, c.actor, { inherit, requestId: c.requestId });
  return 'saved';
}

/** The retention a channel falls back to (the workspace default's), or the workspace's (Loupe's default). */
async function inheritedRetention(c: ConsoleCaller, workspaceId: string, channelId: string): Promise<number | null> {
  if (channelId !== WORKSPACE_DEFAULT_CHANNEL) return (await c.storage.policies.resolved(workspaceId, WORKSPACE_DEFAULT_CHANNEL)).policy.retentionDays;
  return DEFAULT_RETENTION_DAYS;
}
