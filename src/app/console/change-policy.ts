// Changing a channel's policy (or, with "*", the workspace default) from the
// console: only for someone the core lets change policies in that very
// workspace or channel, whatever ids a form or URL carries; refusals are
// audited. Only
// what differs from the policy as it is gets written, so the audit event's
// before and after say exactly what the admin changed.
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import type { Clock } from '../../core/clock.js';
import type { ConsoleAction } from '../../core/console/roles.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { PolicySetting } from '../../core/policy/channel-policy.js';
import type { PolicyChangeInput } from '../../core/policy/policy-command.js';
import type { ResolvedPolicy } from '../../storage/channel-policies.js';
import type { Storage } from '../../storage/services.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';
import type { ConsoleAccess, ConsolePlace } from './console-access.js';

/** A channel id as the platforms write them (Slack C…, Teams 19:…@thread…), or "*". */
const CHANNEL_ID = /^[A-Za-z0-9:@._-]{1,128}$/;

export interface ConsoleCaller {
  storage: Storage;
  access: ConsoleAccess;
  actor: AuditActor;
  requestId: string;
  clock: Clock;
}

/** Checks the workspace exists, then refuses (audited) unless the core allows the action in this place: the whole workspace, or one channel. */
export async function requireConsoleAction(c: ConsoleCaller, action: ConsoleAction, place: ConsolePlace): Promise<void> {
  const { workspaceId } = place;
  // Unknown first, and not audited: whatever text a URL carries never reaches the (unalterable) trail.
  if (!(await c.storage.db.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { id: true } }))) throw new LoupeError(ErrorCode.NotFound, 'no such workspace');
  if (!c.access.may(action, place).allow) {
    // Not the channel id either: it came from a URL or form, and may be any text of its shape.
    await refused(c, action, workspaceId);
    throw new LoupeError(ErrorCode.Forbidden, 'not allowed in this workspace');
  }
}

/** Refuses (audited) unless the core allows the action somewhere at all: a page that is not for this person's roles. */
export async function requireConsoleActionAnywhere(c: Pick<ConsoleCaller, 'storage' | 'access' | 'actor' | 'requestId'>, action: ConsoleAction): Promise<void> {
  if (c.access.may(action).allow) return;
  await refused(c, action, undefined);
  throw new LoupeError(ErrorCode.Forbidden, 'not allowed');
}

/** Records a console refusal: the action and the workspace only, never text a URL or form carried. */
export async function refused(c: Pick<ConsoleCaller, 'storage' | 'actor' | 'requestId'>, action: ConsoleAction, workspaceId: string | undefined): Promise<void> {
  await c.storage.audit.record({ actor: c.actor, action: AuditAction.ConsoleRefused, outcome: 'denied', reason: 'not_allowed', requestId: c.requestId, ...(workspaceId ? { workspaceId } : {}), details: { action } });
}

export function checkChannelId(channelId: string): void {
  if (channelId !== WORKSPACE_DEFAULT_CHANNEL && !CHANNEL_ID.test(channelId)) throw new LoupeError(ErrorCode.NotFound, 'no such channel');
}

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
}

/** 'saved' when something changed (audited with before and after), 'unchanged' when the form said what already was. */
export async function changePolicy(c: ConsoleCaller, input: ChangePolicyInput): Promise<'saved' | 'unchanged'> {
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
  await c.storage.policies.change(workspaceId, channelId, change, c.actor, { inherit, requestId: c.requestId });
  return 'saved';
}
