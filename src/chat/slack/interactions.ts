// Buttons and modals on Loupe's cards and messages: Revoke, Invite specialist
// (a user picker), Link patient (identifier, issuer, note), "I deleted it". Each answers within Slack's 3 seconds and
// tells the clicking user privately when they may not do what they asked.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { revokeCard, type CardLifecycleDeps } from '../../cards/lifecycle.js';
import { inviteSpecialist, type InviteDeps } from '../../consults/invite-specialist.js';
import { linkPatient, type LinkPatientDeps } from '../../consults/link-patient.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import { isLoupeError } from '../../core/errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import { CardAction } from './card-blocks.js';
import { SlackJob } from './jobs.js';
import { PatientAction, RemovalAction } from './messages.js';

export const INVITE_MODAL = 'loupe_invite_modal';
export const PATIENT_MODAL = 'loupe_link_patient_modal';
const SPECIALIST_BLOCK = 'specialist';
const SPECIALIST_ACTION = 'specialist_select';

export interface InteractionDeps {
  lifecycle: CardLifecycleDeps;
  link: LinkPatientDeps;
  policies: ChannelPolicies;
  invite: InviteDeps;
  queue: JobQueue;
  isAdmin: (userId: string) => Promise<boolean>;
}

export function registerCardInteractions(bolt: App, d: InteractionDeps): void {
  // A URL button still sends its click; there is nothing to do but acknowledge it.
  bolt.action(CardAction.View, async ({ ack }) => ack());

  bolt.action<BlockAction<ButtonAction>>(CardAction.Revoke, async ({ ack, body, action, client }) => {
    await ack();
    const who = { userId: body.user.id, isAdmin: await d.isAdmin(body.user.id) };
    try {
      await revokeCard(d.lifecycle, action.value ?? '', who);
    } catch (error) {
      if (!isLoupeError(error, 'LOUPE_FORBIDDEN') && !isLoupeError(error, 'LOUPE_NOT_FOUND')) throw error;
      if (body.channel) await client.chat.postEphemeral({ channel: body.channel.id, user: body.user.id, text: 'Only the sender of this image or a workspace admin can revoke it.' });
    }
  });

  bolt.action<BlockAction<ButtonAction>>(CardAction.Invite, async ({ ack, body, action, client }) => {
    await ack();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: INVITE_MODAL,
        private_metadata: action.value ?? '',
        title: { type: 'plain_text', text: 'Invite a specialist' },
        submit: { type: 'plain_text', text: 'Invite' },
        blocks: [
          {
            type: 'input',
            block_id: SPECIALIST_BLOCK,
            label: { type: 'plain_text', text: 'Specialist' },
            element: { type: 'users_select', action_id: SPECIALIST_ACTION },
          },
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'They can open this consult’s images after hospital sign-in. They cannot invite others.' }] },
        ],
      },
    });
  });

  bolt.view(INVITE_MODAL, async ({ ack, body, view, client }) => {
    const specialist = view.state.values[SPECIALIST_BLOCK]?.[SPECIALIST_ACTION]?.selected_user;
    if (!specialist) return void (await ack({ response_action: 'errors', errors: { [SPECIALIST_BLOCK]: 'Choose a person.' } }));
    const who = { userId: body.user.id, isAdmin: await d.isAdmin(body.user.id) };
    let result;
    try {
      result = await inviteSpecialist(d.invite, view.private_metadata, who, specialist);
    } catch (error) {
      if (!isLoupeError(error, 'LOUPE_FORBIDDEN')) throw error;
      return void (await ack({ response_action: 'errors', errors: { [SPECIALIST_BLOCK]: 'Invited specialists cannot invite others.' } }));
    }
    await ack();
    if (result.outcome === 'invited') {
      await client.chat.postMessage({ channel: result.channelId, thread_ts: result.threadId, text: `<@${specialist}> was invited to this consult by <@${who.userId}>.` });
    }
  });

  bolt.action<BlockAction<ButtonAction>>(PatientAction.Link, async ({ ack, body, action, client }) => {
    await ack();
    const card = await d.lifecycle.db.prisma.card.findUnique({ where: { id: action.value ?? '' } });
    if (!card) return;
    const policy = await d.policies.effective(card.workspaceId, card.channelId);
    const input = (block: string, label: string, element: Record<string, unknown>, optional = false) => ({
      type: 'input',
      block_id: block,
      optional,
      label: { type: 'plain_text', text: label },
      element: { type: 'plain_text_input', action_id: 'value', ...element },
    });
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: PATIENT_MODAL,
        private_metadata: card.id,
        title: { type: 'plain_text', text: 'Link patient' },
        submit: { type: 'plain_text', text: 'Link' },
        blocks: [
          input('identifier', 'Patient identifier (MRN)', { max_length: 64 }),
          input('issuer', 'Issued by', { max_length: 64, initial_value: policy.identifierIssuer }),
          input('note', 'Note (kept encrypted with the image, never shown in chat)', { multiline: true, max_length: 1000 }, true),
        ],
      },
    });
  });

  bolt.view(PATIENT_MODAL, async ({ ack, body, view }) => {
    const value = (block: string) => view.state.values[block]?.['value']?.value ?? '';
    const who = { userId: body.user.id, isAdmin: await d.isAdmin(body.user.id) };
    try {
      await linkPatient(d.link, view.private_metadata, who, { identifier: value('identifier'), issuer: value('issuer'), note: value('note') });
    } catch (error) {
      if (isLoupeError(error, 'LOUPE_INVALID_INPUT')) return void (await ack({ response_action: 'errors', errors: { identifier: 'Give the identifier and who issued it.' } }));
      if (isLoupeError(error, 'LOUPE_FORBIDDEN')) return void (await ack({ response_action: 'errors', errors: { identifier: 'Only the sender of this image or an admin can link it.' } }));
      throw error;
    }
    await ack();
  });

  bolt.action<BlockAction<ButtonAction>>(RemovalAction.Done, async ({ ack, action }) => {
    await ack();
    await d.queue.enqueue({ type: SlackJob.RecheckRemoval, payload: { assetId: action.value, final: false } });
  });
}
