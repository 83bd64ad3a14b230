// The words of the consent form on every chat platform: its choices, a
// current decision's terms (terms only, nothing about the patient), why the
// form refused, and what a problem with the answers was (the use cases'
// messages name the field, never a value).
import type { ConsentFormRefusal } from '../core/consent/recording.js';
import { ErrorCode, isLoupeError } from '../core/errors.js';
import type { Consent } from '../storage/prisma/client.js';

export const DECISION_CHOICES = [
  ['permit', 'Permit'],
  ['deny', 'Deny'],
] as const;
export const PURPOSE_CHOICES = [
  ['care', 'Treatment'],
  ['education', 'Education'],
  ['research', 'Research'],
] as const;
export const PARTY_CHOICES = [
  ['care_team', 'The care team'],
  ['institution', 'Others in the hospital'],
  ['external', 'Providers outside the hospital'],
] as const;
export const KIND_CHOICES = [
  ['photo', 'Photos'],
  ['dicom', 'DICOM images'],
] as const;
export const WITHDRAW_CHOICES = [
  ['patient_withdrew', 'The patient withdrew'],
  ['recorded_in_error', 'Recorded in error'],
] as const;

export const EVIDENCE_LABEL = 'This image is the signed consent form';
export const CONSENT_FORM_INTRO = 'Records the decision of the patient linked to this image. Nothing about the patient is shown here.';
export const CONSENT_COMMAND_INTRO = 'Records the decision of the patient you named. The identifier is not shown here or anywhere in chat.';
export const CONSENT_RECORDED = 'Consent recorded.';
export const CONSENT_WITHDRAWN = 'Consent withdrawn.';

export function consentUsage(command: string): string {
  return `\`${command ? `${command} ` : ''}consent IDENTIFIER [ISSUER]\` opens the consent form for that patient (the issuer defaults to the channel’s).`;
}

export const CONSENT_REFUSED: Record<ConsentFormRefusal, string> = {
  no_standing: 'Only a participant of this consult or an admin can record consent here.',
  not_their_patient: 'Only someone taking part in a consult with this patient’s images, or an admin, can see or record their consent. Nothing was opened.',
  no_patient: 'This image is not linked to a patient yet: link the patient first, then record their consent.',
  card_revoked: 'This card was revoked: nothing was recorded.',
  card_expired: 'This card has expired: nothing was recorded.',
  asset_shredded: 'This image was deleted under retention: nothing was recorded.',
  form_expired: 'This form has expired: send the consent command again.',
};

/** The command's own refusal: it names no card. */
export const CONSENT_COMMAND_REFUSED = 'Only people taking part in a consult here, or admins, can record consent.';

/** The words for a list of codes, in the list's order. */
export const choiceLabels = (choices: readonly (readonly [string, string])[], values: readonly string[]) => values.map((v) => choices.find(([c]) => c === v)?.[1] ?? v).join(', ');
/** A day as forms write it, YYYY-MM-DD (UTC). */
export const ymd = (d: Date) => d.toISOString().slice(0, 10);
/** The last day a version covers: the day before its exclusive end. */
export const lastDay = (validUntil: Date | null) => (validUntil ? ymd(new Date(validUntil.getTime() - 86_400_000)) : undefined);

/** One decision's terms in a line: "Permit · Treatment, Research · The care team · Photos · from 2026-12-01 until 2027-11-30". */
export function describeTerms(v: Pick<Consent, 'decision' | 'purposes' | 'parties' | 'dataKinds' | 'validFrom' | 'validUntil'>): string {
  const last = lastDay(v.validUntil);
  return [
    choiceLabels(DECISION_CHOICES, v.decision ? [v.decision] : []),
    choiceLabels(PURPOSE_CHOICES, v.purposes),
    choiceLabels(PARTY_CHOICES, v.parties),
    choiceLabels(KIND_CHOICES, v.dataKinds),
    `from ${ymd(v.validFrom)}${last ? ` until ${last}` : ''}`,
  ].join(' · ');
}

/** A problem with the answers, in the words the form shows; undefined for anything else, to throw on. */
export function consentProblem(error: unknown): string | undefined {
  if (isLoupeError(error, ErrorCode.ConsentInvalid)) return `Nothing was recorded: ${error.message}.`;
  if (isLoupeError(error, ErrorCode.ConsentEvidenceInvalid)) return 'Nothing was recorded: only a stored photo of this workspace can be the signed form.';
  if (isLoupeError(error, ErrorCode.ConsentSuperseded)) return 'That decision was changed or withdrawn meanwhile: nothing was changed.';
  if (isLoupeError(error, ErrorCode.NotFound)) return 'That decision is not one of this patient’s: nothing was changed.';
  if (isLoupeError(error, ErrorCode.InvalidInput)) return 'Nothing was recorded: give the identifier and who issued it.';
  return undefined;
}
