// Buttons and modals on Loupe's cards and messages: Revoke, Invite specialist
// (a user picker), Link patient (identifier, issuer, note), Correct patient
// (identifier, issuer, reason), Record consent (consent-modal.ts), "I deleted it". Each answers within Slack's 3 seconds and
// tells the clicking user privately when they may not do what they asked.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { CardLifecycleDeps } from '../../app/card-lifecycle-deps.js';
import { correctPatientForm } from '../../app/correct-patient-form.js';
import { linkPatientForm } from '../../app/link-patient-form.js';
import { revokeCard } from '../../app/revoke-card.js';
import { inviteSpecialist, type InviteDeps } from '../../app/invite-specialist.js';
import { reportOriginalDeleted } from '../../app/report-original-deleted.js';
import { correctPatient } from '../../app/correct-patient.js';
import { linkPatient, type LinkPatientDeps } from '../../app/link-patient.js';
import { CORRECTION_REASONS } from '../../core/consult/patient-link.js';
import type { Logger } from '../../logging.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import type { JobQueue } from '../../storage/job-queue.js';
import type { Workspaces } from '../../storage/workspaces.js';
import { CardAction } from './card-blocks.js';
import { openConsentModal, registerConsentModal } from './consent-modal.js';
import { consentForm, type ConsentFormDeps } from '../../app/consent/consent-form.js';
import { CORRECTION_REFUSED, INVITE_REFUSED, LINK_REFUSED, PROMPT_DONE, linkRefusalOf, plain } from '../answer-text.js';
import { PatientAction, RemovalAction, slackNotice } from './notices.js';
import { replaceOriginal } from './response-url.js';
import type { TeachingDeps } from '../../app/teaching/teaching-deps.js';
import { registerTeachingShare } from './teaching.js';
import { registerSendToPacs } from './pacs.js';
import type { PacsDeps } from '../../app/pacs/pacs-deps.js';

export const INVITE_MODAL = 'loupe_invite_modal';
export const PATIENT_MODAL = 'loupe_link_patient_modal';
export const CORRECT_MODAL = 'loupe_correct_patient_modal';

/** What a modal carries through Slack: its card, and the prompt's response_url to replace once done. */
interface ModalMetadata {
  cardId: string;
  responseUrl?: string;
}

/** Older modals carried the card id alone. */
function modalMetadata(raw: string): ModalMetadata {
  try {
    const parsed = JSON.parse(raw) as Partial<ModalMetadata> | null;
    if (parsed && typeof parsed.cardId === 'string') return { cardId: parsed.cardId, ...(typeof parsed.responseUrl === 'string' ? { responseUrl: parsed.responseUrl } : {}) };
  } catch {
    // Not JSON: the card id itself.
  }
  return { cardId: raw };
}

const SPECIALIST_BLOCK = 'specialist';
const SPECIALIST_ACTION = 'specialist_select';

export interface InteractionDeps {
  lifecycle: CardLifecycleDeps;
  link: LinkPatientDeps;
  policies: ChannelPolicies;
  invite: InviteDeps;
  consent: ConsentFormDeps;
  queue: JobQueue;
  isAdmin: (userId: string) => Promise<boolean>;
  workspaces: Workspaces;
  /** Where a response_url may point: Slack's hooks host (the stand-in's, in tests and the demo). */
  responseUrlHosts: string[];
  logger: Logger;
  /** Share for teaching; its button does nothing where it is not given. */
  teaching?: TeachingDeps | undefined;
  /** Send to PACS, where a PACS is configured. */
  pacs?: PacsDeps | undefined;
}

export function registerCardInteractions(bolt: App, d: InteractionDeps): void {
  /** Who pressed, in the workspace the press came from: a card of another workspace is not found for them. */
  const requester = async (body: { user: { id: string; team_id?: string }; team: { id: string } | null }) => {
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const workspace = await d.workspaces.ensure('slack', teamId, teamId, { type: 'system', id: 'slack' });
    return { workspaceId: workspace.id, userId: body.user.id, isAdmin: await d.isAdmin(body.user.id) };
  };

  // A URL button still sends its click; there is nothing to do but acknowledge it.
  bolt.action(CardAction.View, async ({ ack }) => ack());

  bolt.action<BlockAction<ButtonAction>>(CardAction.Revoke, async ({ ack, body, action, client }) => {
    await ack();
    const who = await requester(body);
    try {
      await revokeCard(d.lifecycle, { cardId: action.value ?? '', who });
    } catch (error) {
      if (!isLoupeError(error, ErrorCode.Forbidden) && !isLoupeError(error, ErrorCode.NotFound)) throw error;
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
    const who = await requester(body);
    const result = await inviteSpecialist(d.invite, { cardId: view.private_metadata, who, specialistId: specialist });
    if (result.outcome === 'refused') return void (await ack({ response_action: 'errors', errors: { [SPECIALIST_BLOCK]: INVITE_REFUSED[result.reason] } }));
    await ack();
    if (result.outcome === 'invited') await client.chat.postMessage({ channel: result.thread.channelId, thread_ts: result.thread.threadId, ...slackNotice(result.announce) });
  });

  const input = (block: string, label: string, element: Record<string, unknown>, optional = false) => ({
    type: 'input' as const,
    block_id: block,
    optional,
    label: { type: 'plain_text' as const, text: label },
    element: { type: 'plain_text_input' as const, action_id: 'value', ...element },
  });
  const patientInputs = (issuer: string | undefined) => [input('identifier', 'Patient identifier (MRN)', { max_length: 64 }), input('issuer', 'Issued by', { max_length: 64, initial_value: issuer })];

  bolt.action<BlockAction<ButtonAction>>(PatientAction.Link, async ({ ack, body, action, client, respond }) => {
    await ack();
    const cardId = action.value ?? '';
    const who = await requester(body);
    const form = await linkPatientForm({ ...d.link, policies: d.policies }, { cardId, who });
    if (form.outcome === 'no_card') return;
    // A stale prompt (already linked, card dead) says so in place instead of opening a form.
    if (form.outcome === 'refused') return void (await respond({ replace_original: form.reason !== 'forbidden', response_type: 'ephemeral', text: LINK_REFUSED[form.reason] }));
    const metadata: ModalMetadata = { cardId: form.cardId, ...(body.response_url ? { responseUrl: body.response_url } : {}) };
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: PATIENT_MODAL,
        private_metadata: JSON.stringify(metadata),
        title: { type: 'plain_text', text: 'Link patient' },
        submit: { type: 'plain_text', text: 'Link' },
        blocks: [...patientInputs(form.defaultIssuer), input('note', 'Note (kept encrypted with the image, never shown in chat)', { multiline: true, max_length: 1000 }, true)],
      },
    });
  });

  bolt.view(PATIENT_MODAL, async ({ ack, body, view }) => {
    const value = (block: string) => view.state.values[block]?.['value']?.value ?? '';
    const who = await requester(body);
    const meta = modalMetadata(view.private_metadata);
    try {
      await linkPatient(d.link, { cardId: meta.cardId, who, patient: { identifier: value('identifier'), issuer: value('issuer'), note: value('note') } });
    } catch (error) {
      const refusal = linkRefusalOf(error);
      if (!refusal) throw error;
      if (refusal !== 'forbidden' && refusal !== 'invalid' && meta.responseUrl) await replaceOriginal(meta.responseUrl, d.responseUrlHosts, { text: LINK_REFUSED[refusal] }, d.logger);
      return void (await ack({ response_action: 'errors', errors: { identifier: refusal === 'invalid' ? 'Give the identifier and who issued it.' : plain(LINK_REFUSED[refusal]) } }));
    }
    await ack();
    if (meta.responseUrl) await replaceOriginal(meta.responseUrl, d.responseUrlHosts, { text: PROMPT_DONE }, d.logger);
  });

  bolt.action<BlockAction<ButtonAction>>(CardAction.CorrectPatient, async ({ ack, body, action, client }) => {
    await ack();
    const cardId = action.value ?? '';
    const who = await requester(body);
    const form = await correctPatientForm({ ...d.link, policies: d.policies }, { cardId, who });
    if (form.outcome === 'refused') {
      if (body.channel) await client.chat.postEphemeral({ channel: body.channel.id, user: body.user.id, text: CORRECTION_REFUSED[form.reason] });
      return;
    }
    const options = Object.entries(CORRECTION_REASONS).map(([value, text]) => ({ value, text: { type: 'plain_text' as const, text } }));
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: CORRECT_MODAL,
        private_metadata: JSON.stringify({ cardId: form.cardId } satisfies ModalMetadata),
        title: { type: 'plain_text', text: 'Correct patient' },
        submit: { type: 'plain_text', text: 'Move image' },
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'Moves this image to the right patient. Links already shared stop working; the card gets a new one. Both patients and the reason are recorded in the audit trail.' } },
          ...patientInputs(form.defaultIssuer),
          { type: 'input', block_id: 'reason', label: { type: 'plain_text', text: 'Reason' }, element: { type: 'static_select', action_id: 'value', options } },
          input('explanation', 'What happened (kept encrypted with the image, never shown in chat)', { multiline: true, min_length: 3, max_length: 1000 }),
        ],
      },
    });
  });

  bolt.view(CORRECT_MODAL, async ({ ack, body, view }) => {
    const values = view.state.values;
    const value = (block: string) => values[block]?.['value']?.value ?? '';
    const who = await requester(body);
    try {
      await correctPatient(d.link, {
        cardId: modalMetadata(view.private_metadata).cardId,
        who,
        correction: {
          identifier: value('identifier'),
          issuer: value('issuer'),
          reason: values['reason']?.['value']?.selected_option?.value ?? '',
          explanation: value('explanation'),
        },
      });
    } catch (error) {
      if (isLoupeError(error, ErrorCode.Forbidden)) return void (await ack({ response_action: 'errors', errors: { identifier: CORRECTION_REFUSED.forbidden } }));
      if (isLoupeError(error, ErrorCode.InvalidInput) || isLoupeError(error, ErrorCode.AlreadyLinked)) return void (await ack({ response_action: 'errors', errors: { identifier: `Nothing was changed: ${error.message}.` } }));
      throw error;
    }
    await ack();
  });

  bolt.action<BlockAction<ButtonAction>>(CardAction.RecordConsent, async ({ ack, body, action, client }) => {
    await ack();
    const who = await requester(body);
    const refuse = async (text: string) => (body.channel ? client.chat.postEphemeral({ channel: body.channel.id, user: body.user.id, text }) : undefined);
    const form = await consentForm(d.consent, { subject: { kind: 'card', cardId: action.value ?? '' }, who });
    await openConsentModal(client, { triggerId: body.trigger_id, form, today: d.consent.clock.now(), refuse });
  });
  registerConsentModal(bolt, d, requester);

  bolt.action<BlockAction<ButtonAction>>(RemovalAction.Done, async ({ ack, action, body }) => {
    await ack();
    await reportOriginalDeleted({ db: d.invite.db, queue: d.queue }, { assetId: action.value ?? '', userId: body.user.id });
  });

  if (d.teaching) registerTeachingShare(bolt, d.teaching, requester);
  if (d.pacs?.pacs) registerSendToPacs(bolt, d.pacs, requester);
}
