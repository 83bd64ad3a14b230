// "Share for teaching" in Teams: the card's Action.Execute asks the use case;
// an image that may show identifiers is answered first with a form, drawn
// for the pressing user only, where they confirm they checked it. The link,
// or why not, is a message to that user alone (the invoke's answer), never
// a post in the thread.
import { shareForTeaching } from '../../app/teaching/share-for-teaching.js';
import type { TeachingDeps } from '../../app/teaching/teaching-deps.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import { plain } from '../answer-text.js';
import { TEACHING_CONFIRM, TEACHING_REFUSED, teachingShared } from '../teaching-text.js';
import { CardVerb } from './adaptive-card.js';

export const TeachingVerb = {
  Share: CardVerb.Teach,
  Confirm: 'loupe.teach.confirm',
} as const;

export interface TeachingAnswers {
  says: (text: string) => unknown;
  shows: (card: Record<string, unknown>) => unknown;
}

export async function teachingAction(deps: TeachingDeps, a: TeachingAnswers, o: { verb: string; cardId: string; who: WorkspaceRequester; data: Record<string, unknown> }): Promise<unknown> {
  const confirming = o.verb === TeachingVerb.Confirm;
  // Input.Toggle sends its valueOn when ticked.
  if (confirming && o.data['checked'] !== 'true') return a.shows(confirmForm(o.cardId, TEACHING_CONFIRM.missing));
  try {
    const result = await shareForTeaching(deps, { cardId: o.cardId, who: o.who, confirmed: confirming });
    if (result.outcome === 'needs_confirmation') return a.shows(confirmForm(o.cardId));
    if (result.outcome === 'refused') return a.says(plain(TEACHING_REFUSED[result.reason]));
    return a.says(teachingShared(result.url, result.expiresAt));
  } catch (error) {
    if (isLoupeError(error, ErrorCode.NotFound)) return a.says('This card is no longer known to Loupe.');
    throw error;
  }
}

function confirmForm(cardId: string, error?: string): Record<string, unknown> {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: TEACHING_CONFIRM.title, weight: 'Bolder', size: 'Medium' },
      ...(error ? [{ type: 'TextBlock', text: error, wrap: true, color: 'Attention' }] : []),
      { type: 'TextBlock', text: TEACHING_CONFIRM.intro, wrap: true },
      { type: 'Input.Toggle', id: 'checked', title: TEACHING_CONFIRM.checkbox, valueOn: 'true', valueOff: 'false', isRequired: true, errorMessage: TEACHING_CONFIRM.missing },
    ],
    actions: [
      { type: 'Action.Execute', title: TEACHING_CONFIRM.submit, verb: TeachingVerb.Confirm, data: { cardId }, style: 'positive' },
      { type: 'Action.Execute', title: 'Cancel', verb: CardVerb.Refresh, data: { cardId }, associatedInputs: 'none' },
    ],
  };
}
