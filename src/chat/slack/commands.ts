// `/loupe help`, `/loupe status` (what Loupe holds for this channel) and
// `/loupe policy` (admins: show and set the channel policy). Answers are
// ephemeral and carry counts and settings, never patient data.
import type { App } from '@slack/bolt';
import type { AuditActor } from '../../core/audit/event.js';
import { describePolicy, parsePolicyCommand, POLICY_USAGE } from '../../core/policy/policy-command.js';
import type { Storage } from '../../storage/services.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';

export const SLASH_COMMAND = '/loupe';

export interface CommandDeps {
  storage: Storage;
  isAdmin: (userId: string) => Promise<boolean>;
}

const HELP = [
  '*Loupe* keeps clinical images out of the chat. In a channel where interception is on, photos and DICOM files are taken out, stored encrypted with the patient, and replaced by a card whose *View* opens them after hospital sign-in.',
  '`/loupe status`: what Loupe holds for this channel.',
  '`/loupe policy`: the channel policy (workspace admins).',
  'On a file posted elsewhere, use the message shortcut *Secure with Loupe*.',
].join('\n');

export function registerCommands(bolt: App, d: CommandDeps): void {
  bolt.command(SLASH_COMMAND, async ({ ack, command, respond }) => {
    await ack();
    const [sub = 'help', ...rest] = command.text.trim().split(/\s+/).filter(Boolean);
    const workspace = await d.storage.workspaces.ensure('slack', command.team_id, command.team_id, { type: 'system', id: 'slack' });
    if (sub === 'status') return void (await respond({ response_type: 'ephemeral', text: await status(d, workspace.id, command.channel_id) }));
    if (sub !== 'policy') return void (await respond({ response_type: 'ephemeral', text: HELP }));
    if (!(await d.isAdmin(command.user_id))) {
      return void (await respond({ response_type: 'ephemeral', text: 'Only workspace admins can see or change Loupe’s channel policy.' }));
    }
    const parsed = parsePolicyCommand(rest.join(' '));
    const channel = (scope: 'channel' | 'workspace') => (scope === 'workspace' ? WORKSPACE_DEFAULT_CHANNEL : command.channel_id);
    if (parsed.kind === 'error') return void (await respond({ response_type: 'ephemeral', text: parsed.message }));
    const where = parsed.scope === 'workspace' ? 'Workspace default' : 'This channel';
    if (parsed.kind === 'show') {
      const policy = await d.storage.policies.effective(workspace.id, channel(parsed.scope));
      return void (await respond({ response_type: 'ephemeral', text: `*${where}*\n${describePolicy(policy)}\n\n${POLICY_USAGE}` }));
    }
    const actor: AuditActor = { type: 'admin', id: command.user_id };
    const policy = await d.storage.policies.change(workspace.id, channel(parsed.scope), parsed.change, actor);
    await respond({ response_type: 'ephemeral', text: `*${where}*, updated\n${describePolicy(policy)}` });
  });
}

async function status(d: CommandDeps, workspaceId: string, channelId: string): Promise<string> {
  const prisma = d.storage.db.prisma;
  const inChannel = { workspaceId, consult: { channelId } };
  const [policy, byStatus, stuck, cards] = await Promise.all([
    d.storage.policies.effective(workspaceId, channelId),
    prisma.asset.groupBy({ by: ['status'], where: inChannel, _count: true }),
    prisma.asset.count({ where: { ...inChannel, removal: { in: ['not_possible', 'failed', 'requested'] }, status: { not: 'failed' } } }),
    prisma.card.groupBy({ by: ['state'], where: { workspaceId, channelId }, _count: true }),
  ]);
  const count = (rows: { _count: number }[]) => rows.reduce((a, r) => a + r._count, 0);
  const s = (status: string) => byStatus.find((r) => r.status === status)?._count ?? 0;
  const c = (state: string) => cards.find((r) => r.state === state)?._count ?? 0;
  return [
    `Interception here is *${policy.interception ? 'on' : 'off'}*.`,
    `Images held for this channel: ${s('stored')} (${count(byStatus)} uploads seen; ${s('failed')} could not be secured, ${s('revoked')} revoked).`,
    `Cards: ${c('active')} active, ${c('waiting_for_patient')} waiting for a patient, ${c('expired')} expired, ${c('revoked')} revoked.`,
    ...(stuck ? [`${stuck} original upload(s) are still in the channel: please delete them.`] : []),
  ].join('\n');
}
