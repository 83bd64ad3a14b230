// The card as an Adaptive Card (1.5, Universal Actions): what was shared
// (kind, modality, body part), by whom, when, until when (Teams shows each
// reader their own time zone through DATE()/TIME()), its state, and its
// buttons: View opens the viewer; the others are Action.Execute, answered by
// Loupe, which lets only the sender and admins do what only they may do.
// No patient data, and no pixels unless the channel's policy allows a
// de-identified preview (card-preview.ts).
import type { CardView } from '../../intake/card-view.js';
import { offersPacs, PACS_BUTTON, pacsLine } from '../pacs-text.js';
import type { OutgoingActivity } from './activity.js';
import { cardWhat } from '../card-what.js';

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export const CardVerb = {
  /** Teams asks for one user's own view of the card (refresh), automatically or when they press Cancel on a form. */
  Refresh: 'loupe.refresh',
  Invite: 'loupe.invite',
  InviteSubmit: 'loupe.invite.submit',
  LinkPatientSubmit: 'loupe.link_patient.submit',
  CorrectPatient: 'loupe.correct_patient',
  CorrectPatientSubmit: 'loupe.correct_patient.submit',
  /** The card's Revoke button: answered with the question, whose own button (Revoke) acts. */
  RevokeAsk: 'loupe.revoke.ask',
  Revoke: 'loupe.revoke',
  LinkPatient: 'loupe.link_patient',
  RemovalDone: 'loupe.removal_done',
  RecordConsent: 'loupe.record_consent',
  /** Share for teaching (answered by teaching-action.ts). */
  Teach: 'loupe.teach',
  /** Send to PACS: answered to the presser; its outcome shows on the card. */
  SendToPacs: 'loupe.send_to_pacs',
} as const;

const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
/** Rendered by Teams in the reader's time zone. */
const when = (d: Date) => `{{DATE(${iso(d)}, SHORT)}} at {{TIME(${iso(d)})}}`;

/** Adaptive Card text is markdown: its control characters are shown as typed. */
const plain = (s: string) => s.replace(/[\\*_~`[\]<>#]/g, (c) => `\\${c}`);

const what = (card: CardView): string => plain(cardWhat(card.facts));

/** Its clean-up failed after the card was posted: nothing to open, and the admins have been told. */
const UNAVAILABLE = '**Could not be prepared for viewing**: Loupe keeps the encrypted original, and the admins have been told.';

/** The patient's consent no longer covers viewing: said plainly, and no View button (the link is refused anyway). */
const CONSENT_WITHDRAWN = '**Consent withdrawn**: the patient’s recorded consent no longer covers viewing this image.';

function stateLine(card: CardView): string {
  if (card.unavailable && (card.state === 'active' || card.state === 'waiting_for_patient')) return UNAVAILABLE;
  if (card.consentWithdrawn && (card.state === 'active' || card.state === 'waiting_for_patient')) return CONSENT_WITHDRAWN;
  switch (card.state) {
    case 'active':
      return `Available until ${when(card.expiresAt)}. **View** opens it after hospital sign-in.`;
    case 'waiting_for_patient':
      return `Waiting for a patient link: only its sender can open it until then. Available until ${when(card.expiresAt)}.`;
    case 'expired':
      return `Expired ${when(card.expiresAt)}: no longer available here.`;
    case 'revoked':
      return 'Revoked: no longer available here.';
    case 'deleted':
      return 'Deleted under retention: this image no longer exists.';
    default:
      return 'Being secured…';
  }
}

const execute = (title: string, verb: string, cardId: string, style?: 'positive' | 'destructive') => ({ type: 'Action.Execute', title, verb, data: { cardId }, ...(style ? { style } : {}) });

export interface CardAudience {
  /** Its sender (a mention). */
  uploader: { id: string; name: string } | undefined;
  /** This drawing is for its sender or an admin: it carries Revoke and Link patient. */
  manage: boolean;
  /** Who gets their own drawing (Teams' refresh.userIds: at most 60): the sender and the admins. */
  refreshFor: string[];
  /** A PACS is configured: the card offers Send to PACS. */
  pacs?: boolean;
}

/**
 * The card's Adaptive Card; `viewUrl` is the link with its one-card token,
 * absent once the card is expired or revoked. Everyone's drawing has View and
 * Invite specialist; the sender's and admins' (asked for by Teams through
 * refresh) add what only they may do. Loupe checks every press again.
 */
export function adaptiveCard(card: CardView, viewUrl: string | undefined, audience: CardAudience): Record<string, unknown> {
  const { uploader } = audience;
  const open = (card.state === 'active' || card.state === 'waiting_for_patient') && !card.unavailable;
  const from = uploader ? `<at>${plain(uploader.name)}</at>` : 'its sender';
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: `🔒 **${what(card)}** secured by Loupe`, wrap: true, size: 'Medium' },
    { type: 'TextBlock', text: `From ${from} · ${when(card.createdAt)}`, wrap: true, isSubtle: true, spacing: 'None' },
    { type: 'TextBlock', text: stateLine(card), wrap: true },
    // Carried inside the card (a data URI): redrawing the card without it takes it off Teams.
    ...(open && card.preview ? [{ type: 'Image', url: `data:${card.preview.image.mediaType};base64,${card.preview.image.data.toString('base64')}`, altText: card.preview.image.altText, size: 'Large' }] : []),
    ...(card.pacs && card.state !== 'deleted' ? [{ type: 'TextBlock', text: pacsLine(card.pacs, { date: when, bold: (t) => `**${t}**` }), wrap: true, isSubtle: true }] : []),
    ...(card.burnedInText ? [{ type: 'TextBlock', text: 'No preview: text may be burned into the image.', wrap: true, isSubtle: true }] : []),
  ];
  const actions =
    open && viewUrl
      ? [
          ...(card.consentWithdrawn ? [] : [{ type: 'Action.OpenUrl', title: 'View', url: viewUrl, style: 'positive' }]),
          execute('Invite specialist', CardVerb.Invite, card.cardId),
          // Answered to the presser alone: a de-identified copy's link, or why not.
          execute('Share for teaching', CardVerb.Teach, card.cardId),
          // Into the patient's record at the hospital: answered privately, its outcome shown on the card.
          ...(offersPacs(audience.pacs === true, card) ? [execute(PACS_BUTTON, CardVerb.SendToPacs, card.cardId)] : []),
          ...(audience.manage && card.state === 'waiting_for_patient' ? [execute('Link patient', CardVerb.LinkPatient, card.cardId)] : []),
          // Only once linked: a card still waiting is linked instead.
          ...(audience.manage && card.state === 'active' ? [execute('Correct patient', CardVerb.CorrectPatient, card.cardId)] : []),
          // For anyone with standing on the consult, once there is a patient: checked on press.
          ...(card.state === 'active' ? [execute('Record consent', CardVerb.RecordConsent, card.cardId)] : []),
          ...(audience.manage ? [execute('Revoke', CardVerb.RevokeAsk, card.cardId, 'destructive')] : []),
        ]
      : [];
  const refresh = open && audience.refreshFor.length ? { refresh: { action: { type: 'Action.Execute', verb: CardVerb.Refresh, data: { cardId: card.cardId } }, userIds: audience.refreshFor.slice(0, 60) } } : {};
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    actions,
    // The card's id, for finding a posted card again.
    metadata: { loupeCardId: card.cardId },
    ...refresh,
    ...(uploader ? { msteams: { entities: [{ type: 'mention', text: `<at>${plain(uploader.name)}</at>`, mentioned: { id: uploader.id, name: uploader.name } }] } } : {}),
  };
}

export function cardActivity(card: CardView, viewUrl: string | undefined, audience: CardAudience): OutgoingActivity {
  return { type: 'message', summary: `${what(card)} secured by Loupe`, attachments: [{ contentType: CARD_CONTENT_TYPE, content: adaptiveCard(card, viewUrl, audience) }] };
}
