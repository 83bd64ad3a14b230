// The answers of `/loupe` in Slack's mrkdwn: help, a channel's status, the
// policy usage and a policy as it stands. Counts and settings only.
import type { ChannelStatus } from '../../app/channel-status.js';
import type { PolicyCommandResult } from '../../app/run-policy-command.js';
import type { ChannelPolicy } from '../../core/policy/channel-policy.js';

export const HELP = [
  '*Loupe* keeps clinical images out of the chat. In a channel where interception is on, photos and DICOM files are taken out, stored encrypted with the patient, and replaced by a card whose *View* opens them after hospital sign-in.',
  '`/loupe status`: what Loupe holds for this channel.',
  '`/loupe policy`: the channel policy (workspace admins).',
  'On a file posted elsewhere, use the message shortcut *Secure with Loupe*.',
].join('\n');

export const POLICY_USAGE = [
  '`/loupe policy` shows the policy of this channel; `/loupe policy workspace` the workspace default.',
  '`/loupe policy [workspace] set interception on|off`',
  '`/loupe policy [workspace] set kinds photo,dicom`',
  '`/loupe policy [workspace] set lifetime 48h` (minutes m, hours h or days d; 5m to 30d)',
  '`/loupe policy [workspace] set pattern <regular expression>` (or `none`): patient identifiers in message text',
  '`/loupe policy [workspace] set issuer <name>`: the issuer of identifiers found in text',
  '`/loupe policy [workspace] set members on|off`: channel members may view',
  '`/loupe policy [workspace] set mfa on|off`: viewing needs a multi-factor sign-in',
  '`/loupe policy workspace set breakglass on|off`: clinicians without a grant may open an image by stating a reason (audited, announced)',
].join('\n');

export function describePolicy(p: ChannelPolicy): string {
  const hours = p.cardLifetimeSeconds / 3600;
  return [
    `Interception: *${p.interception ? 'on' : 'off'}*`,
    `Accepted kinds: ${p.acceptedKinds.join(', ') || 'none'}`,
    `Card lifetime: ${Number.isInteger(hours) ? `${hours} h` : `${Math.round(p.cardLifetimeSeconds / 60)} min`}`,
    `Patient identifier pattern: ${p.identifierPattern ? `\`${p.identifierPattern}\` (issuer ${p.identifierIssuer})` : 'none'}`,
    `Channel members may view: ${p.membersMayView ? 'yes' : 'no'}`,
    `Multi-factor sign-in to view: ${p.requireMfa ? 'required' : 'not required'}`,
    `Break-glass (whole workspace): ${p.breakGlass ? 'allowed' : 'off'}`,
    ...(p.legalHold ? ['Legal hold: *on*'] : []),
  ].join('\n');
}

export function policyAnswer(result: PolicyCommandResult): string {
  switch (result.outcome) {
    case 'not_admin':
      return 'Only workspace admins can see or change Loupe’s channel policy.';
    case 'invalid':
      return result.problem ? `${result.problem}\n${POLICY_USAGE}` : POLICY_USAGE;
    case 'shown':
    case 'changed': {
      const where = result.scope === 'workspace' ? 'Workspace default' : 'This channel';
      return result.outcome === 'shown' ? `*${where}*\n${describePolicy(result.policy)}\n\n${POLICY_USAGE}` : `*${where}*, updated\n${describePolicy(result.policy)}`;
    }
  }
}

export function statusAnswer(s: ChannelStatus): string {
  return [
    `Interception here is *${s.interception ? 'on' : 'off'}*.`,
    `Images held for this channel: ${s.uploads.stored} (${s.uploads.seen} uploads seen; ${s.uploads.failed} could not be secured, ${s.uploads.revoked} revoked).`,
    `Cards: ${s.cards.active} active, ${s.cards.waitingForPatient} waiting for a patient, ${s.cards.expired} expired, ${s.cards.revoked} revoked.`,
    ...(s.originalsInChannel ? [`${s.originalsInChannel} original upload(s) are still in the channel: please delete them.`] : []),
  ].join('\n');
}
