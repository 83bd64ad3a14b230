// `@Loupe help`, `@Loupe status` (what Loupe holds for this channel) and
// `@Loupe policy` (admins: the team's owners or the configured ones; show and
// set the channel policy), with the same vocabulary as Slack's `/loupe`.
// In channels and group chats Loupe answers only when mentioned; in a
// personal chat, any message is a command. A word that is no command is
// answered "Unknown command: WORD" and the help (never the rest of the text,
// which may name a patient). Counts and settings only.
// `consent IDENTIFIER [ISSUER]` is taken only in the personal chat (in a
// channel everyone would read the identifier): its answer is the consent
// form, for that one person, with the patient sealed (see consent-form.ts).
import type { Clock } from '../../core/clock.js';
import { channelStatus } from '../../app/channel-status.js';
import { runPolicyCommand } from '../../app/run-policy-command.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import type { Database } from '../../storage/database.js';
import { TEAMS_STYLE, policyAnswer, statusAnswer, unknownCommandAnswer } from '../command-text.js';
import { textWithoutMention, type TeamsActivity, type Whereabouts } from './activity.js';
import { consentCommand, type ConsentFormDeps } from '../../app/consent/consent-form.js';
import { CONSENT_COMMAND_REFUSED, CONSENT_REFUSED, consentUsage } from '../consent-text.js';
import { consentFormCard } from './consent-form.js';
import type { TeamsDirectory } from './directory.js';

/** The manifest's command menus, the same in every scope; `consent` is typed in the personal chat and left out of them. */
export const TEAMS_COMMANDS = ['help', 'status', 'policy'] as const;

const HELP = [
  '**Loupe** keeps clinical images out of the chat. In a channel where interception is on, photos and DICOM files are taken out, stored encrypted with the patient, and replaced by a card whose **View** opens them after hospital sign-in.',
  '`@Loupe status`: what Loupe holds for this channel.',
  '`@Loupe policy`: the channel policy (the team’s owners and Loupe’s admins).',
  '`consent IDENTIFIER [ISSUER]`, in your personal chat with Loupe: record or withdraw a patient’s consent (consult participants and admins).',
].join('\n\n');

/** Never in a channel: the identifier would be there for everyone. */
const CONSENT_IN_PERSONAL = 'Send `consent IDENTIFIER [ISSUER]` to Loupe in your personal chat with it, so the patient’s identifier stays out of the channel.';

export interface CommandDeps {
  appId: string;
  db: Database;
  clock: Clock;
  policies: ChannelPolicies;
  directory: TeamsDirectory;
  consent: ConsentFormDeps;
  /** A PACS is configured (see runPolicyCommand). */
  pacsConfigured: boolean;
}

/** A command's answer: words, or a card (the consent form). */
export type CommandAnswer = string | { card: Record<string, unknown> };

/** The answer to a command in this message, or undefined when it is none. */
export async function answerCommand(d: CommandDeps, a: TeamsActivity, where: Whereabouts, workspaceId: string, userId: string): Promise<CommandAnswer | undefined> {
  const botId = `28:${d.appId}`;
  const mentioned = (a.entities ?? []).some((e) => e.type === 'mention' && e.mentioned?.id === botId);
  if (where.kind !== 'personal' && !mentioned) return undefined;
  const [typed = 'help', ...rest] = textWithoutMention(a, botId).split(/\s+/).filter(Boolean);
  const sub = typed.toLowerCase();
  if (sub === 'consent') {
    if (where.kind !== 'personal') return CONSENT_IN_PERSONAL;
    const who = { workspaceId, userId, isAdmin: await d.directory.isAdmin(workspaceId, userId) };
    const result = await consentCommand(d.consent, { who, channelId: undefined, args: rest });
    if (result.outcome === 'usage') return consentUsage('');
    if (result.outcome === 'refused') return result.reason === 'no_standing' ? CONSENT_COMMAND_REFUSED : CONSENT_REFUSED[result.reason];
    return { card: consentFormCard(result, d.clock.now()) };
  }
  if (sub === 'help') return HELP;
  if (sub !== 'status' && sub !== 'policy') return unknownCommandAnswer(typed, HELP);
  if (where.kind === 'personal') return `${HELP}\n\nAsk for status and policy in the channel they are about.`;
  const channel = { workspaceId, channelId: where.channelId };
  if (sub === 'status') return statusAnswer(await channelStatus(d, channel), TEAMS_STYLE);
  const who = { workspaceId, userId, isAdmin: await d.directory.isAdminIn(workspaceId, where.channelId, userId) };
  // A team's owner is an admin here, but only the configured admins are the whole tenant's.
  const wholeWorkspace = who.isAdmin && (await d.directory.isAdmin(workspaceId, userId));
  return policyAnswer(await runPolicyCommand(d, { ...channel, who, wholeWorkspace, text: rest.join(' ') }), TEAMS_STYLE);
}
