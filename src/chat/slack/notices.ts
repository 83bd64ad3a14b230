// Loupe's notices (src/chat/notice-text.ts) as Slack messages: mrkdwn text
// and, where the notice carries an answer, its button.
import type { Notice } from '../../app/notices.js';
import { noticeText, type NoticeWords } from '../notice-text.js';

export const RemovalAction = { Done: 'loupe_removal_done' } as const;
export const PatientAction = { Link: 'loupe_link_patient' } as const;

export interface SlackText {
  text: string;
  blocks?: Record<string, unknown>[];
}

const SLACK_WORDS: NoticeWords = { platform: 'Slack', mention: (id) => `<@${id}>`, howToDelete: '… > Delete file', here: 'this channel', there: 'the channel' };
const ACTION_OF = { removal_done: RemovalAction.Done, link_patient: PatientAction.Link } as const;

export function slackNotice(notice: Notice): SlackText {
  const { text, answer } = noticeText(notice, SLACK_WORDS);
  if (!answer) return { text };
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: ACTION_OF[answer.kind], text: { type: 'plain_text', text: answer.label }, value: answer.value, ...(answer.primary ? { style: 'primary' } : {}) }],
      },
    ],
  };
}
