// The viewer's decision for one request to see an asset. Deny by default:
// a view is allowed only when every rule holds. The checks run in a fixed
// order so the reason given is the most specific one that reveals nothing
// the requester could not already know:
//   1. the link itself (unknown links reveal nothing about any asset);
//   2. the lifecycle of what it leads to (shredded, revoked, expired), which
//      the card in the thread shows anyway;
//   3. whether there is anything to view yet (failed, still processing);
//   4. the strength of the sign-in (MFA step-up), before anything about the
//      user's own standing is evaluated;
//   5. the patient link (only the uploader sees an unlinked asset);
//   6. the user's grant;
//   7. the patient's consent, for the party the standing makes the viewer
//      (partyOf: channel members and break-glass are the hospital's others).
import { consentFor, dataKindOf } from './consent.js';
import { standingGrant } from './grants.js';
import { tokenState } from './token.js';
import { deny, type Party, type ViewDecision, type ViewRequest, type ViewVia } from './types.js';

/**
 * Who the view discloses to, as the patient's consent names parties: the
 * consult's own people (requester, participants, invited specialists) are the
 * request's party (the care team); a channel member outside the consult, or
 * someone in through break-glass, is another of the hospital's people.
 */
export function partyOf(via: ViewVia, party: Party): Party {
  return via === 'channel_member' || via === 'break_glass' ? (party === 'external' ? 'external' : 'institution') : party;
}

export function decideView(request: ViewRequest, now: Date): ViewDecision {
  const { viewer, target } = request;
  if (!target) return deny('token_unknown');
  const { token, card, asset, consult, policy } = target;
  // A link that does not lead, row by row, to this asset is treated as no link.
  if (token.cardId !== card.id || card.assetId !== asset.id || card.consultId !== consult.id) return deny('token_unknown');

  if (asset.status === 'shredded' || asset.shreddedAt !== null) return deny('asset_shredded');
  if (asset.status === 'revoked' || asset.revokedAt !== null) return deny('asset_revoked');
  if (card.state === 'revoked') return deny('card_revoked');
  // An expired card is an expired link, even though the expiry sweep also revokes its tokens.
  if (card.state === 'expired' || now.getTime() >= card.expiresAt.getTime()) return deny('token_expired');
  const state = tokenState(token, now);
  if (state === 'expired') return deny('token_expired');
  if (state !== 'valid') return deny('token_revoked');

  if (asset.status === 'failed') return deny('asset_failed');
  if (asset.status !== 'stored' || asset.kind === null) return deny('asset_not_ready');

  if (policy.requireMfa && !viewer.mfa) return deny('mfa_required');

  const waiting = asset.patientId === null || card.state === 'waiting_for_patient';
  if (waiting && viewer.chatUserId !== asset.uploaderId) return deny('waiting_for_patient');

  const standing = standingGrant(
    {
      userId: viewer.chatUserId,
      consult,
      participant: target.participant,
      isChannelMember: target.isChannelMember,
      membersMayView: policy.membersMayView,
      grants: target.grants,
    },
    now,
  );
  if (!standing.ok) return deny(standing.reason);

  // Without a linked patient there is no one whose consent could be recorded.
  const consents = asset.patientId === null ? [] : target.consents;
  const consent = consentFor(consents, { kind: dataKindOf(asset.kind), purpose: request.purpose, party: partyOf(standing.via, request.party), rule: policy.consentRule }, now);
  if (!consent.ok) return deny(consent.reason);

  return { allow: true, reason: 'allowed', via: standing.via, grantId: standing.grant.id, consent: consent.basis, consentId: consent.consentId };
}
