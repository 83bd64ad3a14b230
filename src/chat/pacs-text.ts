// The words of "Send to PACS" on every platform: what the card says of it,
// and the requester's private answer. No patient data, and never the PACS's
// own words (they may quote the patient): only what Loupe knows happened.
import type { RequestPacsExportResult } from '../app/pacs/request-pacs-export.js';
import type { PacsExportRefusal } from '../core/access/pacs-export.js';
import { ErrorCode } from '../core/errors.js';
import type { CardPacs } from '../intake/card-view.js';

export const PACS_BUTTON = 'Send to PACS';

export const PACS_REFUSED: Record<PacsExportRefusal, string> = {
  pacs_not_configured: 'Nothing was sent: no PACS is configured for Loupe. An admin can set one up.',
  asset_shredded: 'Nothing was sent: this image was deleted under retention.',
  card_stale: 'Nothing was sent: this card expired or was revoked.',
  asset_not_stored: 'Nothing was sent: this image is still being secured (or could not be). Try again in a moment.',
  no_patient: 'Nothing was sent: this image is not linked to a patient yet. Link the patient first.',
  consent_refused: 'Nothing was sent: the patient’s recorded consent does not cover this image’s use for their care.',
  not_participant: 'Nothing was sent: only a participant of this consult or an admin can send its images to the PACS.',
  no_live_grant: 'Nothing was sent: your own access to this consult has ended.',
  already_sent: 'This image is already in the PACS.',
  in_progress: 'This image is already being sent to the PACS.',
};

export function pacsAnswer(result: RequestPacsExportResult): string {
  return result.outcome === 'queued' ? 'Sending this image to the PACS. Its card will say when it is there.' : PACS_REFUSED[result.reason];
}

/** Why an export failed, in words; the code itself is in the audit trail. */
function failure(code: string | undefined): string {
  switch (code) {
    case ErrorCode.PacsAuthRefused:
      return 'the PACS refused Loupe’s credentials; an admin must check them';
    case ErrorCode.PacsRefused:
      return 'the PACS refused the image';
    case ErrorCode.PacsUnavailable:
      return 'the PACS did not answer';
    case ErrorCode.Forbidden:
      return 'the patient’s recorded consent no longer covers it';
    default:
      return 'Loupe could not make it into what the PACS takes';
  }
}

/** The card's line about the PACS, given how each platform writes a date and bold text. */
export function pacsLine(pacs: CardPacs, f: { date: (d: Date) => string; bold: (text: string) => string }): string {
  switch (pacs.status) {
    case 'queued':
      return 'Being sent to the PACS…';
    case 'sent':
      return pacs.sentAt ? `${f.bold('In the PACS')}: sent ${f.date(pacs.sentAt)}.` : `${f.bold('In the PACS')}.`;
    default:
      return `${f.bold('Not sent to the PACS')}: ${failure(pacs.failureCode)}. ${f.bold(PACS_BUTTON)} tries again.`;
  }
}

/** Whether a live card offers the button: a PACS is configured, and the image is neither there nor on its way. */
export function offersPacs(configured: boolean, card: { state: string; pacs?: CardPacs | undefined }): boolean {
  return configured && card.state === 'active' && card.pacs?.status !== 'queued' && card.pacs?.status !== 'sent';
}
