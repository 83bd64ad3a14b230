// The card as Slack Block Kit: what was shared (kind, modality, body part),
// by whom, when, until when (each reader sees their own time zone through
// <!date>), its state, and its buttons. No patient data, and no pixels unless
// the channel's policy allows a de-identified preview (card-preview.ts).
import type { CardView } from '../../intake/card-view.js';
import { REVOKE_CONFIRM } from '../answer-text.js';
import { offersPacs, PACS_BUTTON, pacsLine } from '../pacs-text.js';
import { cardWhat } from '../card-what.js';

export const CardAction = {
  Invite: 'loupe_invite',
  Revoke: 'loupe_revoke',
  View: 'loupe_view',
  CorrectPatient: 'loupe_correct_patient',
  RecordConsent: 'loupe_record_consent',
  Teach: 'loupe_teach',
  SendToPacs: 'loupe_send_to_pacs',
} as const;

export interface SlackCard {
  text: string;
  blocks: Record<string, unknown>[];
}

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);
/** Rendered in each reader's own time zone; the fallback is UTC. */
const slackDate = (d: Date) => `<!date^${epoch(d)}^{date_short_pretty} at {time}|${d.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;

/** Slack's mrkdwn control characters, escaped as Slack asks. */
const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const what = (card: CardView): string => escapeMrkdwn(cardWhat(card.facts));

/** Its clean-up failed after the card was posted: nothing to open, and the admins have been told. */
const UNAVAILABLE = '*Could not be prepared for viewing*: Loupe keeps the encrypted original, and the admins have been told.';

/** The patient's consent no longer covers viewing: said plainly, and no View button (the link is refused anyway). */
const CONSENT_WITHDRAWN = '*Consent withdrawn*: the patient’s recorded consent no longer covers viewing this image.';

function stateLine(card: CardView): string {
  if (card.unavailable && (card.state === 'active' || card.state === 'waiting_for_patient')) return UNAVAILABLE;
  if (card.consentWithdrawn && (card.state === 'active' || card.state === 'waiting_for_patient')) return CONSENT_WITHDRAWN;
  switch (card.state) {
    case 'active':
      return `Available until ${slackDate(card.expiresAt)}. *View* opens it after hospital sign-in.`;
    case 'waiting_for_patient':
      return `Waiting for a patient link: only its sender can open it until then. Available until ${slackDate(card.expiresAt)}.`;
    case 'expired':
      return `Expired ${slackDate(card.expiresAt)}: no longer available here.`;
    case 'revoked':
      return 'Revoked: no longer available here.';
    case 'deleted':
      return 'Deleted under retention: this image no longer exists.';
    default:
      return 'Being secured…';
  }
}

/** `viewUrl` is the link with its one-card token; absent once the card is expired or revoked. `pacs`: a PACS is configured. */
export function cardBlocks(card: CardView, viewUrl: string | undefined, o: { pacs?: boolean } = {}): SlackCard {
  const open = (card.state === 'active' || card.state === 'waiting_for_patient') && !card.unavailable;
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `:lock: *${what(card)}* secured by Loupe` } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `From <@${card.uploaderId}> · ${slackDate(card.createdAt)}` }],
    },
    { type: 'section', text: { type: 'mrkdwn', text: stateLine(card) } },
  ];
  // The bot's own file (card-preview.ts), only while the card is open.
  if (open && card.preview) {
    blocks.push({ type: 'image', slack_file: { id: card.preview.ref }, alt_text: card.preview.image.altText });
  }
  if (card.pacs && card.state !== 'deleted') {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: pacsLine(card.pacs, { date: slackDate, bold: (t) => `*${t}*` }) }] });
  }
  if (card.burnedInText) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'No preview: text may be burned into the image.' }] });
  }
  if (open && viewUrl) {
    blocks.push({
      type: 'actions',
      block_id: `loupe_card_${card.cardId}`,
      elements: [
        ...(card.consentWithdrawn ? [] : [{ type: 'button', action_id: CardAction.View, text: { type: 'plain_text', text: 'View' }, style: 'primary', url: viewUrl }]),
        { type: 'button', action_id: CardAction.Invite, text: { type: 'plain_text', text: 'Invite specialist' }, value: card.cardId },
        // Only once linked: a card still waiting is linked from its sender's private prompt.
        ...(card.state === 'active' ? [{ type: 'button', action_id: CardAction.CorrectPatient, text: { type: 'plain_text', text: 'Correct patient' }, value: card.cardId }] : []),
        // The patient's consent, once there is a patient: the form checks standing and the card again.
        ...(card.state === 'active' ? [{ type: 'button', action_id: CardAction.RecordConsent, text: { type: 'plain_text', text: 'Record consent' }, value: card.cardId }] : []),
        // Answered privately: a de-identified copy's link, or why not.
        { type: 'button', action_id: CardAction.Teach, text: { type: 'plain_text', text: 'Share for teaching' }, value: card.cardId },
        // Into the patient's record at the hospital: answered privately, its outcome shown on the card.
        ...(offersPacs(o.pacs === true, card) ? [{ type: 'button', action_id: CardAction.SendToPacs, text: { type: 'plain_text', text: PACS_BUTTON }, value: card.cardId }] : []),
        {
          type: 'button',
          action_id: CardAction.Revoke,
          text: { type: 'plain_text', text: 'Revoke' },
          style: 'danger',
          value: card.cardId,
          // Slack asks before it sends the press; Loupe still decides who may revoke.
          confirm: {
            title: { type: 'plain_text', text: REVOKE_CONFIRM.title },
            text: { type: 'plain_text', text: REVOKE_CONFIRM.text },
            confirm: { type: 'plain_text', text: REVOKE_CONFIRM.confirm },
            deny: { type: 'plain_text', text: REVOKE_CONFIRM.deny },
            style: 'danger',
          },
        },
      ],
    });
  }
  return { text: `${what(card)} secured by Loupe`, blocks };
}
