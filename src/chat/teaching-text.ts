// The words of "Share for teaching" on every platform: why nothing was
// shared, what the sharer must confirm first, and the private answer with
// the link. Slack's mrkdwn `*bold*` is stripped (`plain`) where a platform has
// none. No patient data: the answer goes to the sharer alone, never the thread.
import type { TeachingRefusal } from '../app/teaching/share-for-teaching.js';

export const TEACHING_REFUSED: Record<TeachingRefusal, string> = {
  no_patient: 'Nothing was shared: this image is not linked to a patient yet, so there is no consent to check. Link the patient first.',
  consent_missing: 'Nothing was shared: the patient’s recorded consent does not cover education. Record a consent that permits education within the hospital first.',
  consent_refused: 'Nothing was shared: the patient refused the use of this kind of image for education.',
  asset_not_stored: 'Nothing was shared: this image is not stored yet (or could not be). Try again once its card is active.',
  asset_shredded: 'Nothing was shared: this image was deleted under retention.',
  card_stale: 'Nothing was shared: this card expired or was revoked.',
  not_participant: 'Nothing was shared: only a participant of this consult or an admin can share its images for teaching.',
  no_live_grant: 'Nothing was shared: your own access to this consult has ended.',
  copy_failed: 'Nothing was shared: Loupe could not make a de-identified copy of this image.',
};

export const TEACHING_CONFIRM = {
  title: 'Share for teaching',
  intro: 'Loupe removes metadata and DICOM header identifiers, but it cannot see text burned into the pixels or recognise a face. Look at the image first.',
  checkbox: 'I have checked: no burned-in identifiers and no face',
  submit: 'Share',
  missing: 'Tick the box once you have checked the image.',
} as const;

/** The sharer's private answer: the link, until when, and who may open it. */
export function teachingShared(url: string, expiresAt: Date): string {
  const until = `${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `De-identified teaching copy ready: ${url}\nAnyone signed in at the hospital can open it until ${until}, while the patient’s consent to education stands. Share it where you teach, not in this thread.`;
}
