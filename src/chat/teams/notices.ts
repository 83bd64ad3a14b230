// Loupe's notices (src/chat/notice-text.ts) as Teams messages: the words, and
// where the notice carries an answer, its button on a small Adaptive Card.
import type { Notice } from '../../app/notices.js';
import { noticeText, type NoticeWords } from '../notice-text.js';
import type { OutgoingActivity } from './activity.js';
import { CARD_CONTENT_TYPE, CardVerb } from './adaptive-card.js';
import { linkDialogButton } from './forms.js';

const VERB_OF = { removal_done: CardVerb.RemovalDone } as const;

/** `names` gives a person's display name by their Entra object id, for mentions. */
export function teamsNotice(notice: Notice, names: (userId: string) => string): OutgoingActivity {
  // Said in a personal chat with Loupe, apart from the conversation it is about.
  const words: NoticeWords = { platform: 'Teams', mention: (id) => names(id), howToDelete: '… > Delete on your message', here: 'the conversation where it was posted', there: 'that conversation' };
  const { text, answer } = noticeText(notice, words);
  if (!answer) return { type: 'message', text, textFormat: 'plain' };
  return {
    type: 'message',
    summary: text,
    attachments: [
      {
        contentType: CARD_CONTENT_TYPE,
        content: {
          type: 'AdaptiveCard',
          version: '1.5',
          body: [{ type: 'TextBlock', text, wrap: true }],
          // Link patient opens a dialog; "I deleted it" is answered in place.
          actions: [
            answer.kind === 'link_patient'
              ? linkDialogButton(answer.value, answer.label)
              : { type: 'Action.Execute', title: answer.label, verb: VERB_OF.removal_done, data: { value: answer.value }, ...(answer.primary ? { style: 'positive' } : {}) },
          ],
        },
      },
    ],
  };
}
