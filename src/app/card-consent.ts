// Whether a card's image is no longer covered by its patient's consent for
// what a card is for: care viewing by the consult's care team, under the
// channel policy's consent rule, as the viewer decides it (consentFor). Only
// once something was recorded for the patient: an image whose patient has no
// consent on record is not "withdrawn" (the viewer still refuses it where the
// policy requires a permit).
import { consentFor, dataKindOf } from '../core/access/consent.js';
import type { AssetKind } from '../core/access/types.js';
import type { Clock } from '../core/clock.js';
import type { ChannelPolicies } from '../storage/channel-policies.js';
import type { Database } from '../storage/database.js';
import type { Tx } from '../storage/transaction.js';

export interface CardConsentDeps {
  db: Database;
  clock: Clock;
  policies: Pick<ChannelPolicies, 'effective'>;
}

export async function consentWithdrawnFor(
  deps: CardConsentDeps,
  card: { workspaceId: string; channelId: string },
  asset: { patientId: string | null; kind: AssetKind | null },
): Promise<boolean> {
  if (!asset.patientId || !asset.kind) return false;
  const consents = await deps.db.prisma.consent.findMany({ where: { patientId: asset.patientId } });
  if (consents.length === 0) return false;
  const policy = await deps.policies.effective(card.workspaceId, card.channelId);
  const outcome = consentFor(consents, { kind: dataKindOf(asset.kind), purpose: 'care', party: 'care_team', rule: policy.consentRule }, deps.clock.now());
  return !outcome.ok;
}

/**
 * Whether the patient's recorded consent, under the channel's rule, lets the
 * care team see the image now: what a card's preview needs (card-preview.ts).
 * Stricter than "not withdrawn": where every view needs a recorded consent, an
 * image with none (or with no patient yet) has no preview. `tx`: asked inside
 * the transaction that is changing the card.
 */
export async function consentCoversCare(
  deps: CardConsentDeps,
  card: { workspaceId: string; channelId: string },
  asset: { patientId: string | null; kind: AssetKind | null },
  tx?: Tx,
): Promise<boolean> {
  const policy = await deps.policies.effective(card.workspaceId, card.channelId, tx);
  if (!asset.patientId || !asset.kind) return policy.consentRule === 'care_implied';
  const consents = await (tx ?? deps.db.prisma).consent.findMany({ where: { patientId: asset.patientId } });
  return consentFor(consents, { kind: dataKindOf(asset.kind), purpose: 'care', party: 'care_team', rule: policy.consentRule }, deps.clock.now()).ok;
}
