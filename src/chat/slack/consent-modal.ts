// The consent form as a Slack modal: opened by a card's Record consent
// button or by `/loupe consent IDENTIFIER [ISSUER]` with the interaction's
// trigger id, so only the person who asked sees it. The modal carries its
// subject (the card id, or the typed patient sealed: never in clear) in its
// private_metadata. Each current decision has a Withdraw menu, which
// withdraws at once (after Slack's confirmation) and redraws the modal.
import { randomUUID } from 'node:crypto';
import type { App, BlockAction, StaticSelectAction, webApi } from '@slack/bolt';
import { consentForm, recordFromForm, withdrawFromForm, type ConsentFormDeps, type ConsentFormResult, type ConsentFormSubject } from '../../app/consent/consent-form.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../logging.js';
import {
  CONSENT_COMMAND_INTRO,
  CONSENT_FORM_INTRO,
  CONSENT_REFUSED,
  CONSENT_WITHDRAWN,
  DECISION_CHOICES,
  EVIDENCE_LABEL,
  KIND_CHOICES,
  PARTY_CHOICES,
  PURPOSE_CHOICES,
  WITHDRAW_CHOICES,
  consentProblem,
  describeTerms,
} from '../consent-text.js';

export const CONSENT_MODAL = 'loupe_consent_modal';
export const CONSENT_WITHDRAW_ACTION = 'loupe_consent_withdraw';

type Choices = readonly (readonly [string, string])[];
const options = (choices: Choices) => choices.map(([value, text]) => ({ value, text: { type: 'plain_text' as const, text } }));
const input = (block: string, label: string, element: Record<string, unknown>, optional = false) => ({
  type: 'input',
  block_id: block,
  optional,
  label: { type: 'plain_text', text: label },
  element: { action_id: 'value', ...element },
});
const context = (text: string) => ({ type: 'context', elements: [{ type: 'plain_text', text }] });

/** The subject carried by the modal; anything else is no subject at all. */
export function subjectOf(metadata: string): ConsentFormSubject | undefined {
  try {
    const s = JSON.parse(metadata) as Record<string, unknown>;
    if (s['kind'] === 'card' && typeof s['cardId'] === 'string') return { kind: 'card', cardId: s['cardId'] };
    if (s['kind'] === 'typed' && typeof s['sealed'] === 'string') return { kind: 'typed', sealed: s['sealed'] };
  } catch {
    // Not a consent form's metadata.
  }
  return undefined;
}

/** The modal for an open form; `notice` says what just happened (a withdrawal, a problem). */
export function consentModal(form: Extract<ConsentFormResult, { outcome: 'form' }>, today: Date, notice?: string): Record<string, unknown> {
  const current = form.current.flatMap((v) => [
    {
      type: 'section',
      block_id: `current_${v.id}`,
      text: { type: 'plain_text', text: describeTerms(v) },
      accessory: {
        type: 'static_select',
        action_id: CONSENT_WITHDRAW_ACTION,
        placeholder: { type: 'plain_text', text: 'Withdraw…' },
        options: WITHDRAW_CHOICES.map(([reason, text]) => ({ value: `${v.id}|${reason}`, text: { type: 'plain_text', text: `Withdraw: ${text}` } })),
        confirm: {
          title: { type: 'plain_text', text: 'Withdraw this consent?' },
          text: { type: 'plain_text', text: 'It stops applying at once. The withdrawal is recorded with your name and the reason.' },
          confirm: { type: 'plain_text', text: 'Withdraw' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
    },
  ]);
  return {
    type: 'modal',
    callback_id: CONSENT_MODAL,
    external_id: `loupe-consent-${randomUUID()}`,
    private_metadata: JSON.stringify(form.subject),
    title: { type: 'plain_text', text: 'Record consent' },
    submit: { type: 'plain_text', text: 'Record' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [
      context(form.subject.kind === 'card' ? CONSENT_FORM_INTRO : CONSENT_COMMAND_INTRO),
      ...(notice ? [{ type: 'section', text: { type: 'mrkdwn', text: `*${notice}*` } }] : []),
      { type: 'header', text: { type: 'plain_text', text: 'Current decisions' } },
      ...(current.length ? current : [context('None recorded.')]),
      { type: 'header', text: { type: 'plain_text', text: 'New decision' } },
      input('decision', 'Decision', { type: 'radio_buttons', options: options(DECISION_CHOICES) }),
      input('purposes', 'For (at least one)', { type: 'checkboxes', options: options(PURPOSE_CHOICES) }),
      input('parties', 'Seen by (at least one)', { type: 'checkboxes', options: options(PARTY_CHOICES) }),
      input('kinds', 'Images (at least one)', { type: 'checkboxes', options: options(KIND_CHOICES) }),
      input('from', 'From', { type: 'datepicker', initial_date: today.toISOString().slice(0, 10) }),
      input('until', 'Until (last day; empty for no end)', { type: 'datepicker' }, true),
      ...(form.evidenceOffered ? [input('evidence', 'Evidence', { type: 'checkboxes', options: [{ value: 'yes', text: { type: 'plain_text', text: EVIDENCE_LABEL } }] }, true)] : []),
    ],
  };
}

/** Which block a problem with the answers belongs to (the message names the field). */
function problemBlock(message: string): string {
  for (const [prefix, block] of [['Nothing was recorded: purposes', 'purposes'], ['Nothing was recorded: parties', 'parties'], ['Nothing was recorded: data kinds', 'kinds'], ['Nothing was recorded: valid from', 'from'], ['Nothing was recorded: valid until', 'until'], ['Nothing was recorded: only', 'evidence']] as const) {
    if (message.startsWith(prefix)) return block;
  }
  return 'decision';
}

export interface ConsentModalDeps {
  consent: ConsentFormDeps;
  logger: Logger;
}

/** Opens the form in a modal, or says privately why not. */
export async function openConsentModal(client: webApi.WebClient, o: { triggerId: string; form: ConsentFormResult; today: Date; refuse: (text: string) => Promise<unknown> }): Promise<void> {
  if (o.form.outcome === 'refused') return void (await o.refuse(CONSENT_REFUSED[o.form.reason]));
  await client.views.open({ trigger_id: o.triggerId, view: consentModal(o.form, o.today) as never });
}

export function registerConsentModal(bolt: App, d: ConsentModalDeps, requester: (body: { user: { id: string; team_id?: string }; team: { id: string } | null }) => Promise<WorkspaceRequester>): void {
  bolt.view(CONSENT_MODAL, async ({ ack, body, view }) => {
    const subject = subjectOf(view.private_metadata);
    if (!subject) return void (await ack({ response_action: 'errors', errors: { decision: CONSENT_REFUSED.form_expired } }));
    const values = view.state.values;
    const picked = (block: string) => (values[block]?.['value']?.selected_options ?? []).map((o) => o.value);
    const fields = {
      decision: values['decision']?.['value']?.selected_option?.value ?? '',
      purposes: picked('purposes'),
      parties: picked('parties'),
      dataKinds: picked('kinds'),
      from: values['from']?.['value']?.selected_date ?? '',
      until: values['until']?.['value']?.selected_date ?? '',
      evidence: picked('evidence').includes('yes'),
    };
    const who = await requester(body);
    try {
      const done = await recordFromForm(d.consent, { subject, who, fields, via: 'chat_slack' });
      if (done.outcome === 'refused') return void (await ack({ response_action: 'errors', errors: { decision: CONSENT_REFUSED[done.reason] } }));
    } catch (error) {
      const problem = consentProblem(error);
      if (!problem) throw error;
      return void (await ack({ response_action: 'errors', errors: { [problemBlock(problem)]: problem } }));
    }
    await ack();
  });

  bolt.action<BlockAction<StaticSelectAction>>(CONSENT_WITHDRAW_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view;
    const subject = view ? subjectOf(view.private_metadata) : undefined;
    if (!view || !subject) return;
    const [consentId = '', reason = ''] = (action.selected_option?.value ?? '').split('|');
    const who = await requester(body);
    let notice = CONSENT_WITHDRAWN;
    try {
      const done = await withdrawFromForm(d.consent, { subject, who, consentId, reason, via: 'chat_slack' });
      if (done.outcome === 'refused') notice = CONSENT_REFUSED[done.reason];
    } catch (error) {
      const problem = consentProblem(error);
      if (!problem) throw error;
      notice = problem;
    }
    const form = await consentForm(d.consent, { subject, who });
    const target = view.external_id ? { external_id: view.external_id } : { view_id: view.id };
    const next = form.outcome === 'form' ? consentModal(form, d.consent.clock.now(), notice) : { type: 'modal', title: { type: 'plain_text', text: 'Record consent' }, blocks: [context(CONSENT_REFUSED[form.reason])] };
    // Keep the modal's own external id, which the update is addressed by.
    await client.views.update({ ...target, view: { ...next, ...(view.external_id ? { external_id: view.external_id } : {}) } as never }).catch((error: unknown) => d.logger.warn({ err: describeError(error) }, 'the consent modal could not be redrawn'));
  });
}
