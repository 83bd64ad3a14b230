// The consent form in Teams, as an Adaptive Card for one user: a card's
// Record consent (Action.Execute: Teams shows the answer to the presser
// only) or `consent IDENTIFIER [ISSUER]` in the user's personal chat with
// Loupe (a channel message would show the identifier to the channel). The
// card carries its subject: the card id, or the typed patient sealed for
// this user. Each current decision has Withdraw buttons, one per reason.
import { consentForm, recordFromForm, withdrawFromForm, type ConsentFormDeps, type ConsentFormResult, type ConsentFormSubject } from '../../app/consent/consent-form.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import {
  CONSENT_COMMAND_INTRO,
  CONSENT_FORM_INTRO,
  CONSENT_RECORDED,
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
import { CardVerb } from './adaptive-card.js';

export const ConsentVerb = {
  Submit: 'loupe.consent.submit',
  Withdraw: 'loupe.consent.withdraw',
} as const;

type Choices = readonly (readonly [string, string])[];
const choices = (list: Choices) => list.map(([value, title]) => ({ title, value }));
const text = (v: unknown) => (typeof v === 'string' ? v : '');
const many = (v: unknown) => text(v).split(',').map((s) => s.trim()).filter(Boolean);

/** The card's data naming its subject. */
const subjectData = (s: ConsentFormSubject) => (s.kind === 'card' ? { cardId: s.cardId } : { consentForm: s.sealed });

export function subjectFrom(data: Record<string, unknown>): ConsentFormSubject | undefined {
  if (typeof data['consentForm'] === 'string') return { kind: 'typed', sealed: data['consentForm'] };
  if (typeof data['cardId'] === 'string') return { kind: 'card', cardId: data['cardId'] };
  return undefined;
}

export function consentFormCard(form: Extract<ConsentFormResult, { outcome: 'form' }>, today: Date, notice?: string): Record<string, unknown> {
  const data = subjectData(form.subject);
  const current = form.current.flatMap((v) => [
    { type: 'TextBlock', text: describeTerms(v), wrap: true, separator: true },
    {
      type: 'ActionSet',
      actions: WITHDRAW_CHOICES.map(([reason, title]) => ({ type: 'Action.Execute', title: `Withdraw: ${title}`, verb: ConsentVerb.Withdraw, data: { ...data, consentId: v.id, reason }, associatedInputs: 'none' })),
    },
  ]);
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'Record consent', weight: 'Bolder', size: 'Medium' },
      { type: 'TextBlock', text: form.subject.kind === 'card' ? CONSENT_FORM_INTRO : CONSENT_COMMAND_INTRO, wrap: true, isSubtle: true },
      ...(notice ? [{ type: 'TextBlock', text: notice, wrap: true, weight: 'Bolder', color: 'Attention' }] : []),
      { type: 'TextBlock', text: 'Current decisions', weight: 'Bolder' },
      ...(current.length ? current : [{ type: 'TextBlock', text: 'None recorded.', isSubtle: true }]),
      { type: 'TextBlock', text: 'New decision', weight: 'Bolder', separator: true },
      { type: 'Input.ChoiceSet', id: 'decision', label: 'Decision', style: 'expanded', isRequired: true, errorMessage: 'Choose permit or deny.', choices: choices(DECISION_CHOICES) },
      { type: 'Input.ChoiceSet', id: 'purposes', label: 'For (at least one)', style: 'expanded', isMultiSelect: true, isRequired: true, errorMessage: 'Choose at least one.', choices: choices(PURPOSE_CHOICES) },
      { type: 'Input.ChoiceSet', id: 'parties', label: 'Seen by (at least one)', style: 'expanded', isMultiSelect: true, isRequired: true, errorMessage: 'Choose at least one.', choices: choices(PARTY_CHOICES) },
      { type: 'Input.ChoiceSet', id: 'dataKinds', label: 'Images (at least one)', style: 'expanded', isMultiSelect: true, isRequired: true, errorMessage: 'Choose at least one.', choices: choices(KIND_CHOICES) },
      { type: 'Input.Date', id: 'from', label: 'From', value: today.toISOString().slice(0, 10) },
      { type: 'Input.Date', id: 'until', label: 'Until (last day; empty for no end)' },
      ...(form.evidenceOffered ? [{ type: 'Input.Toggle', id: 'evidence', title: EVIDENCE_LABEL, valueOn: 'true', valueOff: 'false', value: 'false' }] : []),
    ],
    actions: [
      { type: 'Action.Execute', title: 'Record', verb: ConsentVerb.Submit, data, style: 'positive' },
      ...(form.subject.kind === 'card' ? [{ type: 'Action.Execute', title: 'Close', verb: CardVerb.Refresh, data, associatedInputs: 'none' }] : []),
    ],
  };
}

/** What a consent press answers with: a card (the form again), or a short message. */
export type ConsentAnswer = { card: Record<string, unknown> } | { says: string };

export async function onConsentPress(deps: ConsentFormDeps, who: WorkspaceRequester, verb: string, data: Record<string, unknown>): Promise<ConsentAnswer> {
  const subject = subjectFrom(data);
  if (!subject) return { says: CONSENT_REFUSED.form_expired };
  const today = deps.clock.now();
  let notice: string | undefined;
  try {
    const done =
      verb === ConsentVerb.Withdraw
        ? await withdrawFromForm(deps, { subject, who, consentId: text(data['consentId']), reason: text(data['reason']), via: 'chat_teams' })
        : verb === ConsentVerb.Submit
          ? await recordFromForm(deps, {
              subject,
              who,
              fields: { decision: text(data['decision']), purposes: many(data['purposes']), parties: many(data['parties']), dataKinds: many(data['dataKinds']), from: text(data['from']), until: text(data['until']), evidence: data['evidence'] === 'true' },
              via: 'chat_teams',
            })
          : undefined;
    if (done?.outcome === 'refused') return { says: CONSENT_REFUSED[done.reason] };
    if (done) notice = verb === ConsentVerb.Withdraw ? CONSENT_WITHDRAWN : CONSENT_RECORDED;
  } catch (error) {
    notice = consentProblem(error);
    if (!notice) throw error;
  }
  const form = await consentForm(deps, { subject, who });
  if (form.outcome === 'refused') return { says: CONSENT_REFUSED[form.reason] };
  return { card: consentFormCard(form, today, notice) };
}
