// The answers of Loupe's commands (Slack's `/loupe`, Teams' `@Loupe`): a
// channel's status, the policy usage and a policy as it stands (a bulleted
// list of its settings), and the reply to a command Loupe does not have, in
// each platform's markdown. Counts and settings only.
import type { ChannelStatus } from '../app/channel-status.js';
import type { PolicyCommandResult } from '../app/run-policy-command.js';
import type { ChannelPolicy } from '../core/policy/channel-policy.js';

export interface CommandStyle {
  /** How the command is typed: "/loupe", "@Loupe". */
  command: string;
  /** Strong emphasis in the platform's markdown. */
  bold(s: string): string;
  /** Lines the platform shows one under another (Teams joins single line breaks into one paragraph). */
  lines(items: readonly string[]): string;
  /** A bulleted list. */
  list(items: readonly string[]): string;
  /** Typed text shown as code (an identifier pattern). */
  code(s: string): string;
}

export const SLACK_STYLE: CommandStyle = {
  command: '/loupe',
  bold: (s) => `*${s}*`,
  lines: (items) => items.join('\n'),
  list: (items) => items.map((i) => `• ${i}`).join('\n'),
  // Slack reads <...> as a link or mention, even in code, unless escaped.
  code: (s) => `\`${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}\``,
};
export const TEAMS_STYLE: CommandStyle = {
  command: '@Loupe',
  bold: (s) => `**${s}**`,
  lines: (items) => items.join('\n\n'),
  list: (items) => items.map((i) => `- ${i}`).join('\n'),
  code: (s) => `\`${s}\``,
};

/** Blocks of lines with an empty line between them. */
const sections = (...blocks: string[]) => blocks.join('\n\n');

export function policyUsage(style: CommandStyle): string {
  const c = `${style.command} policy`;
  return sections(
    style.bold('Changing the policy'),
    `\`${c}\` shows this channel’s policy and \`${c} workspace\` the workspace default. To change the default instead of this channel, put \`workspace\` after \`policy\`.`,
    style.list([
      `\`${c} set interception on|off\``,
      `\`${c} set kinds photo,dicom\``,
      `\`${c} set lifetime 48h\`: minutes m, hours h or days d; 5m to 30d`,
      `\`${c} set pattern EXPRESSION\`: a regular expression finding patient identifiers in message text, or \`none\``,
      `\`${c} set issuer NAME\`: the issuer of identifiers found in text`,
      `\`${c} set members on|off\`: channel members may view`,
      `\`${c} set mfa on|off\`: viewing needs a multi-factor sign-in`,
      `\`${c} set retention 90d|2y|keep\`: how long images are kept before they are crypto-shredded (a shorter one that would destroy images asks you to repeat it with \`confirm\`)`,
      `\`${c} set preview none|deidentified\`: cards carry no image, or a de-identified preview (a blurred photo; DICOM only without burned-in text)`,
      `\`${c} set pacs on_request|automatic\`: images go to the PACS when someone presses Send to PACS, or every image linked to a patient goes automatically (where a PACS is configured)`,
      `\`${c} workspace set breakglass on|off\`: clinicians without a grant may open an image by stating a reason (audited, announced)`,
    ]),
  );
}

/** A policy's settings as label and value. */
function policyFacts(p: ChannelPolicy, style: CommandStyle): [string, string][] {
  const hours = p.cardLifetimeSeconds / 3600;
  return [
    ['Interception', p.interception ? 'on' : 'off'],
    ['Accepted kinds', p.acceptedKinds.join(', ') || 'none'],
    ['Card lifetime', Number.isInteger(hours) ? `${hours} h` : `${Math.round(p.cardLifetimeSeconds / 60)} min`],
    ['Patient identifier pattern', p.identifierPattern ? `${style.code(p.identifierPattern)} (issuer ${p.identifierIssuer})` : 'none'],
    ['Channel members may view', p.membersMayView ? 'yes' : 'no'],
    ['Multi-factor sign-in to view', p.requireMfa ? 'required' : 'not required'],
    ['Card preview', p.previewMode === 'deidentified' ? 'de-identified (blurred photos; DICOM without burned-in text)' : 'none'],
    ['Send to PACS', p.pacsExport === 'automatic' ? 'automatic (every image linked to a patient)' : 'on request'],
    ['Retention', p.retentionDays === null ? 'kept until someone sets a retention' : `${p.retentionDays} days, then shredded`],
    ['Break-glass (whole workspace)', p.breakGlass ? 'allowed' : 'off'],
    ...(p.legalHold ? ([['Legal hold', 'on']] as [string, string][]) : []),
  ];
}

export function describePolicy(p: ChannelPolicy, style: CommandStyle = SLACK_STYLE): string {
  return style.list(policyFacts(p, style).map(([label, value]) => `${style.bold(`${label}:`)} ${value}`));
}

/** Under a policy that sends images automatically where Loupe has no PACS to send them to. */
export const NO_PACS = 'Send to PACS is automatic here, but no PACS is configured for this Loupe: no image is sent until whoever runs Loupe configures one.';

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
      return result.problem ? sections(result.problem, usage) : usage;
    case 'shown':
    case 'changed': {
      const where = result.scope === 'workspace' ? 'Workspace default policy' : 'Policy of this channel';
      const policy = describePolicy(result.policy, style);
      const warning = result.noPacs ? [NO_PACS] : [];
      return result.outcome === 'shown' ? sections(style.bold(where), policy, ...warning, usage) : sections(style.bold(`${where}, updated`), policy, ...warning);
    }
  }
}

/**
 * A command Loupe does not have. Only its first word is said back, and only
 * when it is a plain word: whatever follows (or an identifier typed first)
 * may name a patient.
 */
export function unknownCommandAnswer(word: string, usage: string): string {
  const said = /^[a-z][a-z-]{0,23}$/i.test(word) ? `Unknown command: ${word}` : 'Unknown command.';
  return sections(said, usage);
}

export function statusAnswer(s: ChannelStatus, style: CommandStyle = SLACK_STYLE): string {
  return style.lines([
    `Interception here is ${style.bold(s.interception ? 'on' : 'off')}.`,
    `Images held for this channel: ${s.uploads.stored} (${s.uploads.seen} uploads seen; ${s.uploads.failed} could not be secured, ${s.uploads.revoked} revoked).`,
    `Cards: ${s.cards.active} active, ${s.cards.waitingForPatient} waiting for a patient, ${s.cards.expired} expired, ${s.cards.revoked} revoked.`,
    ...(s.originalsInChannel ? [`${s.originalsInChannel} original upload(s) are still in the channel: please delete them.`] : []),
  ]);
}
