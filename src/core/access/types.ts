// What the viewer's authorization rules read and what they answer. Inputs are
// plain facts the caller loads from the database (structurally compatible with
// the Prisma rows); answers carry stable reason codes that go into audit
// events, so they name states, never people or patients.

export type Purpose = 'care' | 'education' | 'research';
/** Who the data is disclosed to: the consult's care team, others of the same organisation, or another organisation's people (e.g. Slack Connect guests). */
export type Party = 'care_team' | 'institution' | 'external';
/** The kinds a consent speaks of. */
export type DataKind = 'photo' | 'dicom';

export type AssetKind = 'photo' | 'dicom_instance' | 'dicom_series' | 'dicom_study';
export type AssetStatus = 'received' | 'processing' | 'stored' | 'failed' | 'revoked' | 'shredded';
export type CardState = 'pending' | 'waiting_for_patient' | 'active' | 'expired' | 'revoked' | 'deleted';
export type GrantSource = 'participant' | 'invitation' | 'channel_member' | 'break_glass';
export type ParticipantRole = 'requester' | 'specialist' | 'member';
export type ConsentRule = 'care_implied' | 'always_required';

export interface LinkTokenFacts {
  cardId: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface CardFacts {
  id: string;
  assetId: string;
  consultId: string;
  state: CardState;
  expiresAt: Date;
}

export interface AssetFacts {
  id: string;
  /** Null while the asset waits for a patient link. */
  patientId: string | null;
  uploaderId: string;
  /** Unknown until the upload's bytes are read. */
  kind: AssetKind | null;
  status: AssetStatus;
  revokedAt: Date | null;
  shreddedAt: Date | null;
}

export interface ConsultFacts {
  id: string;
  requesterId: string;
}

export interface ParticipantFacts {
  userId: string;
  role: ParticipantRole;
  removedAt: Date | null;
}

export interface GrantFacts {
  id: string;
  consultId: string;
  userId: string;
  source: GrantSource;
  /** 0 for direct participants (and break-glass), 1 for someone they invited. */
  hop: number;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** One version of a patient's consent, as the rules read it. */
export interface ConsentFacts {
  id: string;
  /** A withdrawal ends its chain and grants nothing. */
  kind: 'decision' | 'withdrawal';
  /** Null exactly for a withdrawal. */
  decision: 'permit' | 'deny' | null;
  /** photo, dicom */
  dataKinds: readonly string[];
  /** care, education, research */
  purposes: readonly string[];
  /** care_team, institution, external */
  parties: readonly string[];
  validFrom: Date;
  validUntil: Date | null;
  /** Set once a later version (a change or a withdrawal) replaced this one: it is then inactive. */
  supersededAt: Date | null;
}

/** The parts of the effective channel policy the viewer obeys. */
export interface ViewPolicy {
  membersMayView: boolean;
  requireMfa: boolean;
  consentRule: ConsentRule;
}

export interface ViewerFacts {
  /** The signed-in user's chat user id, already matched through their identity link. */
  chatUserId: string;
  /** The viewer session was established with multi-factor authentication (see `sessionUsedMfa`). */
  mfa: boolean;
}

/** Everything a genuine link token leads to, loaded by the caller. */
export interface ViewTarget {
  token: LinkTokenFacts;
  card: CardFacts;
  asset: AssetFacts;
  /** The card's consult: grants are scoped to it. */
  consult: ConsultFacts;
  /** The effective policy of the consult's channel. */
  policy: ViewPolicy;
  /** The viewer's participation in the consult, if any. */
  participant: ParticipantFacts | null;
  /** The viewer is currently a member of the consult's channel. */
  isChannelMember: boolean;
  /** The viewer's grants on the consult (others are ignored). */
  grants: readonly GrantFacts[];
  /** The asset's patient's recorded consents; empty while no patient is linked. */
  consents: readonly ConsentFacts[];
}

export interface ViewRequest {
  viewer: ViewerFacts;
  purpose: Purpose;
  party: Party;
  /** Null when no link token has the presented value's hash. */
  target: ViewTarget | null;
}

export type ViewVia = 'requester' | 'participant' | 'specialist' | 'channel_member' | 'break_glass';

/**
 * Every reason a view is refused, with the HTTP status the viewer answers.
 * The codes are stable: audit consumers key on them.
 */
export const DenyStatus = {
  /** No such link, or one whose card, asset or consult does not match: nothing else is revealed. */
  token_unknown: 404,
  asset_shredded: 410,
  asset_revoked: 403,
  card_revoked: 403,
  /** The link or its card has expired. */
  token_expired: 410,
  token_revoked: 403,
  /** The asset could not be secured; it will never be viewable. */
  asset_failed: 410,
  /** Still being received or processed: try again shortly. */
  asset_not_ready: 409,
  /** The channel requires multi-factor sign-in and this session lacks it: sign in again with MFA. */
  mfa_required: 401,
  /** No patient linked yet: only the uploader may view. */
  waiting_for_patient: 403,
  no_grant: 403,
  grant_expired: 403,
  grant_revoked: 403,
  /** A participant's or specialist's grant, but the viewer is no longer (or never was) a participant. */
  not_participant: 403,
  /** A channel member's grant, but the channel policy no longer lets members view. */
  channel_members_may_not_view: 403,
  /** A channel member's grant, but the viewer has left the channel. */
  not_channel_member: 403,
  consent_refused: 403,
  consent_missing: 403,
} as const satisfies Record<string, 401 | 403 | 404 | 409 | 410>;

export type DenyReason = keyof typeof DenyStatus;
export type DenyHttpStatus = (typeof DenyStatus)[DenyReason];

export type ViewDecision =
  | {
      allow: true;
      reason: 'allowed';
      via: ViewVia;
      /** The grant that carried the decision, for the audit event. */
      grantId: string;
      /** Care by the care team without a recorded consent, or a recorded permit. */
      consent: 'implied' | 'permit';
      consentId: string | null;
    }
  | { allow: false; reason: DenyReason; status: DenyHttpStatus };

export function deny(reason: DenyReason): Extract<ViewDecision, { allow: false }> {
  return { allow: false, reason, status: DenyStatus[reason] };
}
