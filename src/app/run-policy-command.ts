// `policy ...` as an admin types it in any chat: only admins may see or
// change a channel policy; `workspace` scopes it to the workspace default,
// which (with break-glass, the whole workspace's wherever it is typed) only an
// admin of the whole workspace may change, not a Teams team's owner. The
// change and its audit event are written by ChannelPolicies.change, together.
import type { AuditActor } from '../core/audit/event.js';
import type { Requester } from '../core/consult/rules.js';
import type { ChannelPolicy } from '../core/policy/channel-policy.js';
import { parsePolicyCommand } from '../core/policy/policy-command.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { Database } from '../storage/database.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../storage/workspaces.js';
import type { Clock } from '../core/clock.js';
import { assetsDueUnder, shortens } from './retention-cut.js';

export interface PolicyCommandOptions {
  workspaceId: string;
  channelId: string;
  who: Requester;
  /** `who` administers the whole workspace, not only this channel (a Teams team's owner administers their team's channels only). */
  wholeWorkspace: boolean;
  /** What followed `policy`. */
  text: string;
}

export type PolicyScope = 'channel' | 'workspace';

export type PolicyCommandResult =
  | { outcome: 'not_admin' }
  /** A change to the workspace default or break-glass, asked by someone who administers this channel only. */
  | { outcome: 'not_workspace_admin' }
  /** Nothing changed: a shorter retention would destroy `due` images; the same command ending in `confirm` goes ahead. */
  | { outcome: 'confirm_retention'; due: number; days: number }
  /** `problem` is undefined when the command was not understood at all. */
  | { outcome: 'invalid'; problem: string | undefined }
  /** `noPacs`: the policy sends images to the PACS automatically, and no PACS is configured, so nothing is sent. */
  | { outcome: 'shown'; scope: PolicyScope; policy: ChannelPolicy; noPacs: boolean }
  | { outcome: 'changed'; scope: PolicyScope; policy: ChannelPolicy; noPacs: boolean };

export interface PolicyCommandDeps {
  policies: ChannelPolicies;
  db: Database;
  clock: Clock;
  /** A PACS is configured (LOUPE_PACS_URL): without one, an automatic Send to PACS is shown with a warning. */
  pacsConfigured: boolean;
}

export async function runPolicyCommand(deps: PolicyCommandDeps, { workspaceId, channelId, who, wholeWorkspace, text }: PolicyCommandOptions): Promise<PolicyCommandResult> {
  if (!who.isAdmin) return { outcome: 'not_admin' };
  const confirmed = /\s+confirm\s*$/i.test(text);
  const parsed = parsePolicyCommand(confirmed ? text.replace(/\s+confirm\s*$/i, '') : text);
  if (parsed.kind === 'error') return { outcome: 'invalid', problem: parsed.problem };
  const scope: PolicyScope = parsed.kind === 'set' && parsed.change.breakGlass !== undefined ? 'workspace' : parsed.scope;
  const target = scope === 'workspace' ? WORKSPACE_DEFAULT_CHANNEL : channelId;
  const noPacs = (policy: ChannelPolicy) => policy.pacsExport === 'automatic' && !deps.pacsConfigured;
  if (parsed.kind === 'show') {
    const policy = await deps.policies.effective(workspaceId, target);
    return { outcome: 'shown', scope, policy, noPacs: noPacs(policy) };
  }
  if (scope === 'workspace' && wholeWorkspace !== true) return { outcome: 'not_workspace_admin' };
  if ('retentionDays' in parsed.change && !confirmed) {
    const days = parsed.change.retentionDays ?? null;
    const before = (await deps.policies.effective(workspaceId, target)).retentionDays;
    const due = shortens(before, days) ? await assetsDueUnder(deps.db, { workspaceId, channelId: target, days, now: deps.clock.now() }) : 0;
    if (due > 0 && days !== null) return { outcome: 'confirm_retention', due, days };
  }
  const actor: AuditActor = { type: 'admin', id: who.userId };
  const policy = await deps.policies.change(workspaceId, target, parsed.change, actor);
  return { outcome: 'changed', scope, policy, noPacs: noPacs(policy) };
}
