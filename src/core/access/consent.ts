// Whether the patient's recorded consents let this view happen. Only active
// decision versions in their period count: a superseded version and a
// withdrawal say nothing. A live refusal that covers the request always wins;
// care within the hospital (the consult's care team, or the hospital's other
// people: channel members, break-glass) is implied under the channel policy's
// `care_implied` unless refused; everything else needs a live permit that
// covers the data kind, the purpose and the party. Deny by default.
import type { AssetKind, ConsentFacts, ConsentRule, DataKind, Party, Purpose } from './types.js';

export interface ConsentQuestion {
  kind: DataKind;
  purpose: Purpose;
  party: Party;
  rule: ConsentRule;
}

export type ConsentOutcome =
  | { ok: true; basis: 'implied'; consentId: null }
  | { ok: true; basis: 'permit'; consentId: string }
  | { ok: false; reason: 'consent_refused' | 'consent_missing' };

export function dataKindOf(kind: AssetKind): DataKind {
  return kind === 'photo' ? 'photo' : 'dicom';
}

/** Not superseded by a later version. */
export function isConsentActive(c: Pick<ConsentFacts, 'supersededAt'>): boolean {
  return c.supersededAt === null;
}

/** In force at `now`: an active decision (not a withdrawal) with validFrom <= now < validUntil. */
export function isConsentLive(c: ConsentFacts, now: Date): boolean {
  const t = now.getTime();
  return isConsentActive(c) && c.kind === 'decision' && c.validFrom.getTime() <= t && (c.validUntil === null || t < c.validUntil.getTime());
}

/** Speaks of this kind, purpose and party; an empty list speaks of nothing. */
export function consentCovers(c: ConsentFacts, q: Pick<ConsentQuestion, 'kind' | 'purpose' | 'party'>): boolean {
  return c.dataKinds.includes(q.kind) && c.purposes.includes(q.purpose) && c.parties.includes(q.party);
}

/** Care within the hospital (its care team, or its other people, e.g. channel members and break-glass) under `care_implied`; never disclosure outside it. */
export function isCareImplied(q: ConsentQuestion): boolean {
  return q.rule === 'care_implied' && q.purpose === 'care' && q.party !== 'external';
}

export function consentFor(consents: readonly ConsentFacts[], q: ConsentQuestion, now: Date): ConsentOutcome {
  const applicable = consents.filter((c) => isConsentLive(c, now) && consentCovers(c, q));
  // Anything that is not an explicit permit is read as a refusal.
  if (applicable.some((c) => c.decision !== 'permit')) return { ok: false, reason: 'consent_refused' };
  if (isCareImplied(q)) return { ok: true, basis: 'implied', consentId: null };
  const permit = applicable[0];
  return permit ? { ok: true, basis: 'permit', consentId: permit.id } : { ok: false, reason: 'consent_missing' };
}
