// `/loupe help`, `/loupe status` (what Loupe holds for this channel),
// `/loupe policy` (admins: show and set the channel policy) and
// `/loupe consent IDENTIFIER [ISSUER]` (the consent form, in a modal only the
// typist sees; Slack never shows a slash command's text to anyone else).
// Any other word is answered "Unknown command: WORD" and the help (the word
// only: the rest of the text may name a patient).
// Answers are ephemeral and carry counts and settings, never patient data.
import type { Clock } from '../../core/clock.js';
import type { App } from '@slack/bolt';
import { channelStatus } from '../../app/channel-status.js';
import { runPolicyCommand } from '../../app/run-policy-command.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import type { Database } from '../../storage/database.js';
import type { Workspaces } from '../../storage/workspaces.js';
import { policyAnswer, statusAnswer, unknownCommandAnswer } from '../command-text.js';
import { consentCommand, type ConsentFormDeps } from '../../app/consent/consent-form.js';
import { CONSENT_COMMAND_REFUSED, consentUsage } from '../consent-text.js';
import { openConsentModal } from './consent-modal.js';

const HELP = [
  '*Loupe* keeps clinical images out of the chat. In a channel where interception is on, photos and DICOM files are taken out, stored encrypted with the patient, and replaced by a card whose *View* opens them after hospital sign-in.',
  '`/loupe status`: what Loupe holds for this channel.',
  '`/loupe policy`: the channel policy (workspace admins).',
  '`/loupe consent IDENTIFIER [ISSUER]`: record or withdraw a patient’s consent (consult participants and admins).',
  'On a file posted elsewhere, use the message shortcut *Secure with Loupe*.',
].join('\n');

export const SLASH_COMMAND = '/loupe';

export interface CommandDeps {
  db: Database;
  clock: Clock;
  policies: ChannelPolicies;
  workspaces: Workspaces;
  isAdmin: (userId: string) => Promise<boolean>;
  consent: ConsentFormDeps;
  /** A PACS is configured (see runPolicyCommand). */
  pacsConfigured: boolean;
}

export function registerCommands(bolt: App, d: CommandDeps): void {
  bolt.command(SLASH_COMMAND, async ({ ack, command, respond, client }) => {
    await ack();
    const [typed = 'help', ...rest] = command.text.trim().split(/\s+/).filter(Boolean);
    const sub = typed.toLowerCase();
    const workspace = await d.workspaces.ensure('slack', command.team_id, command.team_id, { type: 'system', id: 'slack' });
    const answer = (text: string) => respond({ response_type: 'ephemeral', text });
    if (sub === 'status') return void (await answer(statusAnswer(await channelStatus(d, { workspaceId: workspace.id, channelId: command.channel_id }))));
    if (sub === 'help') return void (await answer(HELP));
    if (sub !== 'policy' && sub !== 'consent') return void (await answer(unknownCommandAnswer(typed, HELP)));
    const who = { workspaceId: workspace.id, userId: command.user_id, isAdmin: await d.isAdmin(command.user_id) };
    if (sub === 'consent') {
      const result = await consentCommand(d.consent, { who, channelId: command.channel_id, args: rest });
      if (result.outcome === 'usage') return void (await answer(consentUsage('/loupe')));
      if (result.outcome === 'refused' && result.reason === 'no_standing') return void (await answer(CONSENT_COMMAND_REFUSED));
      // The form opens for this one person: the typed patient is only in the modal's metadata, sealed.
      return void (await openConsentModal(client, { triggerId: command.trigger_id, form: result, today: d.clock.now(), refuse: answer }));
    }
    // Slack's admins are the whole workspace's.
    await answer(policyAnswer(await runPolicyCommand(d, { workspaceId: workspace.id, channelId: command.channel_id, who, wholeWorkspace: who.isAdmin, text: rest.join(' ') })));
  });
}
