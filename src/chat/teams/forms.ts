// The forms Loupe answers a card's buttons with, as Adaptive Cards drawn for
// the one user who pressed: Invite specialist (a people picker of the
// conversation's members), Link patient (identifier, issuer, an encrypted
// note), Correct patient (the right patient, a reason, what happened) and
// Revoke's question before it acts, in the card itself (Action.Execute) or in
// a dialog (task module, Action.Submit) from the sender's private prompt.
import { CORRECTION_REASONS } from '../../core/consult/patient-link.js';
import { REVOKE_CONFIRM } from '../answer-text.js';
import { CARD_CONTENT_TYPE, CardVerb } from './adaptive-card.js';

const card = (body: Record<string, unknown>[], actions: Record<string, unknown>[]) => ({ type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body, actions });
const problem = (error: string | undefined) => (error ? [{ type: 'TextBlock', text: error, wrap: true, color: 'Attention' }] : []);

export function inviteForm(cardId: string, error?: string): Record<string, unknown> {
  return card(
    [
      { type: 'TextBlock', text: 'Invite a specialist', weight: 'Bolder', size: 'Medium' },
      ...problem(error),
      // Teams' people picker: the Entra object id of someone in this conversation.
      { type: 'Input.ChoiceSet', id: 'specialist', label: 'Specialist', isRequired: true, errorMessage: 'Choose a person.', choices: [], 'choices.data': { type: 'Data.Query', dataset: 'graph.microsoft.com/users?scope=currentContext' } },
      { type: 'TextBlock', text: 'They can open this consult’s images after hospital sign-in. They cannot invite others.', wrap: true, isSubtle: true },
    ],
    [
      { type: 'Action.Execute', title: 'Invite', verb: CardVerb.InviteSubmit, data: { cardId }, style: 'positive' },
      { type: 'Action.Execute', title: 'Cancel', verb: CardVerb.Refresh, data: { cardId }, associatedInputs: 'none' },
    ],
  );
}

const patientInputs = (issuer: string) => [
  { type: 'Input.Text', id: 'identifier', label: 'Patient identifier (MRN)', isRequired: true, maxLength: 64, errorMessage: 'Give the identifier.' },
  { type: 'Input.Text', id: 'issuer', label: 'Issued by', isRequired: true, maxLength: 64, value: issuer, errorMessage: 'Give who issued it.' },
  { type: 'Input.Text', id: 'note', label: 'Note (kept encrypted with the image, never shown in chat)', isMultiline: true, maxLength: 1000 },
];

/**
 * Revoke's second step: Adaptive Cards have no confirmation dialog, so the
 * press is answered with this question, drawn for the presser alone. Only
 * its own button revokes (decided again by the use case); Cancel redraws
 * the card.
 */
export function revokeConfirmForm(cardId: string): Record<string, unknown> {
  return card(
    [
      { type: 'TextBlock', text: REVOKE_CONFIRM.title, weight: 'Bolder', size: 'Medium' },
      { type: 'TextBlock', text: REVOKE_CONFIRM.text, wrap: true },
    ],
    [
      { type: 'Action.Execute', title: REVOKE_CONFIRM.confirm, verb: CardVerb.Revoke, data: { cardId }, style: 'destructive' },
      { type: 'Action.Execute', title: REVOKE_CONFIRM.deny, verb: CardVerb.Refresh, data: { cardId } },
    ],
  );
}

/** In the card itself, for its sender. */
export function linkForm(cardId: string, issuer: string, error?: string): Record<string, unknown> {
  return card(
    [{ type: 'TextBlock', text: 'Link patient', weight: 'Bolder', size: 'Medium' }, ...problem(error), ...patientInputs(issuer)],
    [
      { type: 'Action.Execute', title: 'Link', verb: CardVerb.LinkPatientSubmit, data: { cardId }, style: 'positive' },
      { type: 'Action.Execute', title: 'Cancel', verb: CardVerb.Refresh, data: { cardId }, associatedInputs: 'none' },
    ],
  );
}

/** Moving an image to the right patient, for its sender or an admin: both patients and the reason go to the audit trail. */
export function correctForm(cardId: string, issuer: string, error?: string): Record<string, unknown> {
  const reasons = Object.entries(CORRECTION_REASONS).map(([value, title]) => ({ title, value }));
  return card(
    [
      { type: 'TextBlock', text: 'Correct patient', weight: 'Bolder', size: 'Medium' },
      { type: 'TextBlock', text: 'Moves this image to the right patient. Links already shared stop working; the card gets a new one. Both patients and the reason are recorded in the audit trail.', wrap: true, isSubtle: true },
      ...problem(error),
      ...patientInputs(issuer).slice(0, 2),
      { type: 'Input.ChoiceSet', id: 'reason', label: 'Reason', isRequired: true, errorMessage: 'Choose a reason.', choices: reasons },
      { type: 'Input.Text', id: 'explanation', label: 'What happened (kept encrypted with the image, never shown in chat)', isMultiline: true, isRequired: true, maxLength: 1000, errorMessage: 'Say what happened.' },
    ],
    [
      { type: 'Action.Execute', title: 'Move image', verb: CardVerb.CorrectPatientSubmit, data: { cardId }, style: 'destructive' },
      { type: 'Action.Execute', title: 'Cancel', verb: CardVerb.Refresh, data: { cardId }, associatedInputs: 'none' },
    ],
  );
}

/** In a dialog (task module): Action.Submit sends the form as task/submit. */
export function linkDialog(cardId: string, issuer: string, error?: string) {
  return {
    task: {
      type: 'continue',
      value: {
        title: 'Link patient',
        width: 'medium',
        card: { contentType: CARD_CONTENT_TYPE, content: card([...problem(error), ...patientInputs(issuer)], [{ type: 'Action.Submit', title: 'Link', data: { cardId } }]) },
      },
    },
  };
}

/** Opens the Link patient dialog from a private prompt. */
export const linkDialogButton = (cardId: string, title: string) => ({ type: 'Action.Submit', title, style: 'positive', data: { msteams: { type: 'task/fetch' }, cardId } });
