// The answers of Loupe's commands (Slack's `/loupe`, Teams' `@Loupe`): a
// channel's status, the policy usage and a policy as it stands, in each
// platform's markdown. Counts and settings only.
import type { ChannelStatus } from '../app/channel-status.js';
import type { PolicyCommandResult } from '../app/run-policy-command.js';
import type { ChannelPolicy } from '../core/policy/channel-policy.js';

export interface CommandStyle {
  /** How the command is typed: "/loupe", "@Loupe". */
  command: string;
  /** Strong emphasis in the platform's markdown. */
  bold(s: string): string;
}

export const SLACK_STYLE: CommandStyle = { command: '/loupe', bold: (s) => `*${s}*` };
export const TEAMS_STYLE: CommandStyle = { command: '@Loupe', bold: (s) => `**${s}**` };

export function policyUsage({ command: c }: CommandStyle): string {
  return [
    `\`${c} policy\` shows the policy of this channel; \`${c} policy workspace\` the workspace default.`,
    `\`${c} policy [workspace] set interception on|off\``,
    `\`${c} policy [workspace] set kinds photo,dicom\``,
    `\`${c} policy [workspace] set lifetime 48h\` (minutes m, hours h or days d; 5m to 30d)`,
    `\`${c} policy [workspace] set pattern <regular expression>\` (or \`none\`): patient identifiers in message text`,
    `\`${c} policy [workspace] set issuer <name>\`: the issuer of identifiers found in text`,
    `\`${c} policy [workspace] set members on|off\`: channel members may view`,
    `\`${c} policy [workspace] set mfa on|off\`: viewing needs a multi-factor sign-in`,
    `\`${c} policy [workspace] set retention 90d|2y|keep\`: how long images are kept before they are crypto-shredded (a shorter one that would destroy images asks you to repeat it with \`confirm\`)`,
    `\`${c} policy workspace set breakglass on|off\`: clinicians without a grant may open an image by stating a reason (audited, announced)`,
  ].join('\n');
}

export function describePolicy(p: ChannelPolicy, style: CommandStyle = SLACK_STYLE): string {
  const hours = p.cardLifetimeSeconds / 3600;
  return [
    `Interception: ${style.bold(p.interception ? 'on' : 'off')}`,
    `Accepted kinds: ${p.acceptedKinds.join(', ') || 'none'}`,
    `Card lifetime: ${Number.isInteger(hours) ? `${hours} h` : `${Math.round(p.cardLifetimeSeconds / 60)} min`}`,
    `Patient identifier pattern: ${p.identifierPattern ? `\`${p.identifierPattern}\` (issuer ${p.identifierIssuer})` : 'none'}`,
    `Channel members may view: ${p.membersMayView ? 'yes' : 'no'}`,
    `Multi-factor sign-in to view: ${p.requireMfa ? 'required' : 'not required'}`,
    `Retention: ${p.retentionDays === null ? 'kept until someone sets a retention' : `${p.retentionDays} days, then shredded`}`,
    `Break-glass (whole workspace): ${p.breakGlass ? 'allowed' : 'off'}`,
    ...(p.legalHold ? [`Legal hold: ${style.bold('on')}`] : []),
  ].join('\n');
}

export function policyAnswer(result: PolicyCommandResult, style: CommandStyle = SLACK_STYLE): string {
  const usage = policyUsage(style);
  switch (result.outcome) {
    case 'not_admin':
      return 'Only workspace admins can see or change Loupe’s channel policy.';
    case 'confirm_retention': {
      const images = result.due === 1 ? '1 image' : `${result.due} images`;
      return `Nothing changed. A retention of ${result.days} ${result.days === 1 ? 'day' : 'days'} would destroy ${style.bold(images)} Loupe holds here at the next sweep (within the hour), for good, unless a legal hold covers them. To go ahead, send the same command with \`confirm\` at the end.`;
    }
    case 'not_workspace_admin':
      return 'Only workspace admins can change the workspace default and break-glass, which every channel follows. You can change this channel’s policy.';
    case 'invalid':
      return result.problem ? `${result.problem}\n${usage}` : usage;
    case 'shown':
    case 'changed': {
      const where = style.bold(result.scope === 'workspace' ? 'Workspace default' : 'This channel');
      return result.outcome === 'shown' ? `${where}\n${describePolicy(result.policy, style)}\n\n${usage}` : `${where}, updated\n${describePolicy(result.policy, style)}`;
    }
  }
}

export function statusAnswer(s: ChannelStatus, style: CommandStyle = SLACK_STYLE): string {
  return [
    `Interception here is ${style.bold(s.interception ? 'on' : 'off')}.`,
    `Images held for this channel: ${s.uploads.stored} (${s.uploads.seen} uploads seen; ${s.uploads.failed} could not be secured, ${s.uploads.revoked} revoked).`,
    `Cards: ${s.cards.active} active, ${s.cards.waitingForPatient} waiting for a patient, ${s.cards.expired} expired, ${s.cards.revoked} revoked.`,
    ...(s.originalsInChannel ? [`${s.originalsInChannel} original upload(s) are still in the channel: please delete them.`] : []),
  ].join('\n');
}
