import { describe, expect, it } from 'vitest';
import {
  BREAK_GLASS_DEFAULT_MINUTES,
  BREAK_GLASS_MAX_MINUTES,
  breakGlassMinutes,
  breakGlassRequest,
  checkBreakGlassReason,
  type BreakGlassRequest,
} from '../../src/core/access/break-glass.js';
import { consentFor, dataKindOf } from '../../src/core/access/consent.js';
import { decideView } from '../../src/core/access/decide.js';
import { standingGrant, type Standing } from '../../src/core/access/grants.js';
import { sessionUsedMfa } from '../../src/core/access/mfa.js';
import { mayReshare, type ReshareRequest } from '../../src/core/access/reshare.js';
import { LINK_TOKEN_BYTES, LINK_TOKEN_ENTROPY_BITS, MIN_TOKEN_ENTROPY_BITS, tokenBytesFor, tokenState } from '../../src/core/access/token.js';
import {
  DenyStatus,
  type AssetFacts,
  type AssetKind,
  type ConsentFacts,
  type ConsentRule,
  type DataKind,
  type DenyReason,
  type GrantFacts,
  type Party,
  type Purpose,
  type ViewDecision,
  type ViewRequest,
  type ViewTarget,
  type ViewVia,
} from '../../src/core/access/types.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const MIN = 60_000;
const HOUR = 60 * MIN;
const VIEWER = 'U0VIEWER';
const OTHER = 'U0OTHER';

// The HTTP status of every reason, written out here so a change to the contract shows up as a failing test.
const EXPECTED_STATUS: Record<DenyReason, number> = {
  token_unknown: 404,
  asset_shredded: 410,
  asset_revoked: 403,
  card_revoked: 403,
  token_expired: 410,
  token_revoked: 403,
  asset_failed: 410,
  asset_not_ready: 409,
  mfa_required: 401,
  waiting_for_patient: 403,
  no_grant: 403,
  grant_expired: 403,
  grant_revoked: 403,
  not_participant: 403,
  channel_members_may_not_view: 403,
  not_channel_member: 403,
  consent_refused: 403,
  consent_missing: 403,
};

// ---------------------------------------------------------------------------
// Scenarios are named by labels; `build` turns labels into database-shaped
// facts, and the oracle below reads only the labels, through truth tables.

const ROLES = [
  'requester',
  'member',
  'specialist',
  'channel_member_allowed',
  'channel_member_disallowed',
  'former_channel_member',
  'removed_participant',
  'stranger',
  'break_glass',
] as const;
const GRANT_STATES = ['live', 'expired', 'revoked', 'none'] as const;
const CONSENTS = [
  'none',
  'permit',
  'permit_other_purpose',
  'permit_other_kind',
  'permit_other_party',
  'permit_expired',
  'permit_not_yet',
  'permit_revoked',
  'refusal',
  'refusal_expired',
  'refusal_revoked',
  'refusal_and_permit',
  'refusal_elsewhere_and_permit',
] as const;
const ASSETS = ['stored', 'revoked', 'shredded', 'received', 'processing', 'failed', 'waiting_uploader', 'waiting_other'] as const;
const LINKS = ['valid', 'expired', 'revoked', 'unknown', 'card_expired', 'card_revoked'] as const;
const PURPOSES = ['care', 'education', 'research'] as const satisfies readonly Purpose[];
const MFA = ['not_required', 'required_met', 'required_missing'] as const;
const KINDS = ['photo', 'dicom_series'] as const satisfies readonly AssetKind[];
const PARTIES = ['care_team', 'institution', 'external'] as const satisfies readonly Party[];
const RULES = ['care_implied', 'always_required'] as const satisfies readonly ConsentRule[];

type Role = (typeof ROLES)[number];
type GrantState = (typeof GRANT_STATES)[number];
type ConsentLabel = (typeof CONSENTS)[number];
type AssetLabel = (typeof ASSETS)[number];
type LinkLabel = (typeof LINKS)[number];
type MfaLabel = (typeof MFA)[number];

interface Scenario {
  role: Role;
  grant: GrantState;
  consent: ConsentLabel;
  asset: AssetLabel;
  link: LinkLabel;
  purpose: Purpose;
  mfa: MfaLabel;
  kind: AssetKind;
  party: Party;
  rule: ConsentRule;
}

const VIEWER_GRANT_ID = 'grant-viewer';
const PERMIT_ID = 'consent-permit';
const ALL_KINDS: DataKind[] = ['photo', 'dicom'];
const ALL_PURPOSES: Purpose[] = ['care', 'education', 'research'];
const ALL_PARTIES: Party[] = ['care_team', 'institution', 'external'];

function consent(id: string, decision: 'permit' | 'deny', over: Partial<ConsentFacts> = {}): ConsentFacts {
  return { id, kind: 'decision', decision, dataKinds: [], purposes: [], parties: [], validFrom: at(-24 * HOUR), validUntil: null, supersededAt: null, ...over };
}

/** The party the patient's consent is asked about: channel members outside the consult and break-glass users are the hospital's others, not its care team. */
function effectiveParty(s: Scenario): Party {
  return (s.role === 'channel_member_allowed' || s.role === 'break_glass') && s.party !== 'external' ? 'institution' : s.party;
}

function consentsFor(s: Scenario): ConsentFacts[] {
  const kind: DataKind = s.kind === 'photo' ? 'photo' : 'dicom';
  const party = effectiveParty(s);
  const covering = { dataKinds: [kind], purposes: [s.purpose], parties: [party] };
  const permit = consent(PERMIT_ID, 'permit', { ...covering, validFrom: NOW }); // validFrom == now is in force
  const refusal = consent('consent-refusal', 'deny', { dataKinds: ALL_KINDS, purposes: [s.purpose], parties: ALL_PARTIES });
  switch (s.consent) {
    case 'none':
      return [];
    case 'permit':
      return [permit];
    case 'permit_other_purpose':
      return [{ ...permit, purposes: ALL_PURPOSES.filter((p) => p !== s.purpose) }];
    case 'permit_other_kind':
      return [{ ...permit, dataKinds: ALL_KINDS.filter((k) => k !== kind) }];
    case 'permit_other_party':
      return [{ ...permit, parties: ALL_PARTIES.filter((p) => p !== party) }];
    case 'permit_expired':
      return [{ ...permit, validFrom: at(-48 * HOUR), validUntil: NOW }]; // validUntil == now is over
    case 'permit_not_yet':
      return [{ ...permit, validFrom: at(1) }];
    case 'permit_revoked':
      return [{ ...permit, supersededAt: at(-MIN) }];
    case 'refusal':
      return [refusal];
    case 'refusal_expired':
      return [{ ...refusal, validUntil: at(-MIN) }];
    case 'refusal_revoked':
      return [{ ...refusal, supersededAt: at(-MIN) }];
    case 'refusal_and_permit':
      return [permit, refusal];
    case 'refusal_elsewhere_and_permit':
      return [{ ...refusal, purposes: ALL_PURPOSES.filter((p) => p !== s.purpose) }, permit];
  }
}

function grantSourceOf(role: Role): GrantFacts['source'] {
  if (role === 'specialist') return 'invitation';
  if (role === 'break_glass') return 'break_glass';
  if (role === 'channel_member_allowed' || role === 'channel_member_disallowed' || role === 'former_channel_member') return 'channel_member';
  return 'participant';
}

function build(s: Scenario): ViewRequest {
  const waiting = s.asset === 'waiting_uploader' || s.asset === 'waiting_other';
  const consult = { id: 'consult-1', requesterId: s.role === 'requester' ? VIEWER : OTHER };
  const cardState = s.link === 'card_expired' ? 'expired' : s.link === 'card_revoked' ? 'revoked' : waiting ? 'waiting_for_patient' : 'active';
  const card = { id: 'card-1', assetId: 'asset-1', consultId: consult.id, state: cardState, expiresAt: s.link === 'card_expired' ? at(-HOUR) : at(HOUR) } as const;
  const token = {
    valid: { cardId: card.id, expiresAt: at(HOUR), revokedAt: null },
    expired: { cardId: card.id, expiresAt: NOW, revokedAt: null },
    revoked: { cardId: card.id, expiresAt: at(HOUR), revokedAt: at(-MIN) },
    unknown: null,
    // The expiry sweep revokes the links of an expired card after the fact.
    card_expired: { cardId: card.id, expiresAt: at(-HOUR), revokedAt: at(-MIN) },
    card_revoked: { cardId: card.id, expiresAt: at(HOUR), revokedAt: at(-MIN) },
  }[s.link];
  const asset: AssetFacts = {
    id: 'asset-1',
    patientId: waiting ? null : 'patient-1',
    uploaderId: s.asset === 'waiting_uploader' ? VIEWER : OTHER,
    kind: s.asset === 'received' || s.asset === 'failed' ? null : s.kind,
    status: s.asset === 'waiting_uploader' || s.asset === 'waiting_other' ? 'stored' : s.asset,
    revokedAt: s.asset === 'revoked' ? at(-MIN) : null,
    shreddedAt: s.asset === 'shredded' ? at(-MIN) : null,
  };
  const participant =
    s.role === 'requester'
      ? { userId: VIEWER, role: 'requester' as const, removedAt: null }
      : s.role === 'member'
        ? { userId: VIEWER, role: 'member' as const, removedAt: null }
        : s.role === 'specialist'
          ? { userId: VIEWER, role: 'specialist' as const, removedAt: null }
          : s.role === 'removed_participant'
            ? { userId: VIEWER, role: 'member' as const, removedAt: at(-MIN) }
            : null;
  const grants: GrantFacts[] = [
    // Noise: someone else's live grant on this consult, and the viewer's own on another consult.
    { id: 'grant-other-user', consultId: consult.id, userId: OTHER, source: 'participant', hop: 0, expiresAt: at(HOUR), revokedAt: null },
    { id: 'grant-other-consult', consultId: 'consult-2', userId: VIEWER, source: 'participant', hop: 0, expiresAt: at(HOUR), revokedAt: null },
  ];
  if (s.grant !== 'none') {
    grants.push({
      id: VIEWER_GRANT_ID,
      consultId: consult.id,
      userId: VIEWER,
      source: grantSourceOf(s.role),
      hop: s.role === 'specialist' ? 1 : 0,
      expiresAt: s.grant === 'expired' ? NOW : at(HOUR), // expiresAt == now is over
      revokedAt: s.grant === 'revoked' ? at(-MIN) : null,
    });
  }
  const target: ViewTarget | null = token && {
    token,
    card,
    asset,
    consult,
    policy: { membersMayView: s.role !== 'channel_member_disallowed', requireMfa: s.mfa !== 'not_required', consentRule: s.rule },
    participant,
    isChannelMember: s.role === 'channel_member_allowed' || s.role === 'channel_member_disallowed' || s.role === 'requester' || s.role === 'member',
    grants,
    consents: consentsFor(s),
  };
  return { viewer: { chatUserId: VIEWER, mfa: s.mfa === 'required_met' }, purpose: s.purpose, party: s.party, target };
}

// --- The oracle: ordered gates, each a table over labels. ---

type Expected = { allow: true; via: ViewVia; consent: 'implied' | 'permit' } | { allow: false; reason: DenyReason };

const LINK_UNKNOWN: Partial<Record<LinkLabel, DenyReason>> = { unknown: 'token_unknown' };
const ASSET_GONE: Partial<Record<AssetLabel, DenyReason>> = { shredded: 'asset_shredded', revoked: 'asset_revoked' };
const LINK_DEAD: Partial<Record<LinkLabel, DenyReason>> = { card_revoked: 'card_revoked', card_expired: 'token_expired', expired: 'token_expired', revoked: 'token_revoked' };
const ASSET_UNREADY: Partial<Record<AssetLabel, DenyReason>> = { failed: 'asset_failed', received: 'asset_not_ready', processing: 'asset_not_ready' };
const MFA_GATE: Partial<Record<MfaLabel, DenyReason>> = { required_missing: 'mfa_required' };
const PATIENT_GATE: Partial<Record<AssetLabel, DenyReason>> = { waiting_other: 'waiting_for_patient' };

// Role x grant state -> the route that lets the viewer in, or why not.
const G = (reason: DenyReason) => ({ reason });
const V = (via: ViewVia) => ({ via });
const GRANT_TABLE: Record<Role, Record<GrantState, { via: ViewVia } | { reason: DenyReason }>> = {
  requester: { live: V('requester'), expired: G('grant_expired'), revoked: G('grant_revoked'), none: G('no_grant') },
  member: { live: V('participant'), expired: G('grant_expired'), revoked: G('grant_revoked'), none: G('no_grant') },
  specialist: { live: V('specialist'), expired: G('grant_expired'), revoked: G('grant_revoked'), none: G('no_grant') },
  channel_member_allowed: { live: V('channel_member'), expired: G('grant_expired'), revoked: G('grant_revoked'), none: G('no_grant') },
  channel_member_disallowed: { live: G('channel_members_may_not_view'), expired: G('grant_expired'), revoked: G('grant_revoked'), none: G('no_grant') },
  former_channel_member: { live: G('not_channel_member'), expired: G('grant_expired'), revoked: G('grant_revoked'), none: G('no_grant') },
  removed_participant: { live: G('not_participant'), expired: G('grant_expired'), revoked: G('grant_revoked'), none: G('no_grant') },
  stranger: { live: G('not_participant'), expired: G('grant_expired'), revoked: G('grant_revoked'), none: G('no_grant') },
  break_glass: { live: V('break_glass'), expired: G('grant_expired'), revoked: G('grant_revoked'), none: G('no_grant') },
};

// Consent label -> outcome [when care within the hospital is implied, when a recorded permit is needed].
type C = 'implied' | 'permit' | 'refused' | 'missing';
const CONSENT_TABLE: Record<ConsentLabel, readonly [C, C]> = {
  none: ['implied', 'missing'],
  permit: ['implied', 'permit'],
  permit_other_purpose: ['implied', 'missing'],
  permit_other_kind: ['implied', 'missing'],
  permit_other_party: ['implied', 'missing'],
  permit_expired: ['implied', 'missing'],
  permit_not_yet: ['implied', 'missing'],
  permit_revoked: ['implied', 'missing'],
  refusal: ['refused', 'refused'],
  refusal_expired: ['implied', 'missing'],
  refusal_revoked: ['implied', 'missing'],
  refusal_and_permit: ['refused', 'refused'],
  refusal_elsewhere_and_permit: ['implied', 'permit'],
};

function oracle(s: Scenario): Expected {
  const gates: (DenyReason | undefined)[] = [
    LINK_UNKNOWN[s.link],
    ASSET_GONE[s.asset],
    LINK_DEAD[s.link],
    ASSET_UNREADY[s.asset],
    MFA_GATE[s.mfa],
    PATIENT_GATE[s.asset],
  ];
  const closed = gates.find((g) => g !== undefined);
  if (closed) return { allow: false, reason: closed };
  const route = GRANT_TABLE[s.role][s.grant];
  if ('reason' in route) return { allow: false, reason: route.reason };
  const implied = s.rule === 'care_implied' && s.purpose === 'care' && effectiveParty(s) !== 'external';
  // No patient linked: no consent can have been recorded for this asset.
  const label: ConsentLabel = s.asset === 'waiting_uploader' ? 'none' : s.consent;
  const c = CONSENT_TABLE[label][implied ? 0 : 1];
  if (c === 'refused') return { allow: false, reason: 'consent_refused' };
  if (c === 'missing') return { allow: false, reason: 'consent_missing' };
  return { allow: true, via: route.via, consent: c };
}

function mismatch(s: Scenario, actual: ViewDecision, expected: Expected): string | undefined {
  if (expected.allow) {
    if (actual.allow && actual.via === expected.via && actual.consent === expected.consent && actual.grantId === VIEWER_GRANT_ID && actual.consentId === (expected.consent === 'permit' ? PERMIT_ID : null)) return undefined;
  } else if (!actual.allow && actual.reason === expected.reason && actual.status === EXPECTED_STATUS[expected.reason]) {
    return undefined;
  }
  return `${JSON.stringify(s)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

const seen = new Map<string, number>();
let scenariosRun = 0;

function runAll(scenarios: Iterable<Scenario>): { count: number; failures: string[] } {
  let count = 0;
  const failures: string[] = [];
  for (const s of scenarios) {
    count++;
    const expected = oracle(s);
    const actual = decideView(build(s), NOW);
    const wrong = mismatch(s, actual, expected);
    if (wrong && failures.length < 5) failures.push(wrong);
    const key = actual.allow ? `allow:${actual.via}:${actual.consent}` : actual.reason;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  scenariosRun += count;
  return { count, failures };
}

function* mainProduct(role: Role, link: LinkLabel): Generator<Scenario> {
  for (const grant of GRANT_STATES)
    for (const consent of CONSENTS)
      for (const asset of ASSETS)
        for (const purpose of PURPOSES)
          for (const mfa of MFA)
            for (const kind of KINDS) yield { role, grant, consent, asset, link, purpose, mfa, kind, party: 'care_team', rule: 'care_implied' };
}

function* consentProduct(): Generator<Scenario> {
  for (const role of ROLES)
    for (const consent of CONSENTS)
      for (const purpose of PURPOSES)
        for (const party of PARTIES)
          for (const rule of RULES)
            for (const kind of KINDS) yield { role, grant: 'live', consent, asset: 'stored', link: 'valid', purpose, mfa: 'not_required', kind, party, rule };
}

const PER_GROUP = GRANT_STATES.length * CONSENTS.length * ASSETS.length * PURPOSES.length * MFA.length * KINDS.length;
const CONSENT_COMBOS = ROLES.length * CONSENTS.length * PURPOSES.length * PARTIES.length * RULES.length * KINDS.length;
const TOTAL = ROLES.length * LINKS.length * PER_GROUP + CONSENT_COMBOS;

describe('decideView over every combination', () => {
  for (const role of ROLES) {
    for (const link of LINKS) {
      it(`${role} with a ${link} link: every grant, consent, asset, purpose, MFA and kind`, () => {
        const { count, failures } = runAll(mainProduct(role, link));
        expect(failures).toEqual([]);
        expect(count).toBe(PER_GROUP);
      });
    }
  }

  it('every role, consent, purpose, party, consent rule and kind with a live grant on a stored asset', () => {
    const { count, failures } = runAll(consentProduct());
    expect(failures).toEqual([]);
    expect(count).toBe(CONSENT_COMBOS);
  });

  it('ran every combination and met every reason and every route', () => {
    expect(scenariosRun).toBe(TOTAL);
    expect(TOTAL).toBe(408_564);
    for (const reason of Object.keys(EXPECTED_STATUS)) expect(seen.get(reason), reason).toBeGreaterThan(0);
    for (const via of ['requester', 'participant', 'specialist', 'channel_member', 'break_glass']) {
      expect(seen.get(`allow:${via}:implied`), via).toBeGreaterThan(0);
      expect(seen.get(`allow:${via}:permit`), via).toBeGreaterThan(0);
    }
  });

  it('answers each reason with its documented status', () => {
    expect(DenyStatus).toEqual(EXPECTED_STATUS);
  });
});

// ---------------------------------------------------------------------------

function allowedScenario(over: Partial<Scenario> = {}): Scenario {
  return { role: 'member', grant: 'live', consent: 'none', asset: 'stored', link: 'valid', purpose: 'care', mfa: 'not_required', kind: 'photo', party: 'care_team', rule: 'care_implied', ...over };
}

function targetOf(r: ViewRequest): ViewTarget {
  if (!r.target) throw new Error('scenario has no target');
  return r.target;
}

describe('decideView: links and lifecycle', () => {
  it('treats a link whose rows do not line up as unknown, revealing nothing about the asset', () => {
    for (const broken of [
      (t: ViewTarget) => ({ ...t, token: { ...t.token, cardId: 'card-9' } }),
      (t: ViewTarget) => ({ ...t, card: { ...t.card, assetId: 'asset-9' } }),
      (t: ViewTarget) => ({ ...t, card: { ...t.card, consultId: 'consult-9' } }),
    ]) {
      const r = build(allowedScenario({ asset: 'shredded' }));
      expect(decideView({ ...r, target: broken(targetOf(r)) }, NOW)).toEqual({ allow: false, reason: 'token_unknown', status: 404 });
    }
  });

  it('trusts the revocation and shredding times as much as the status', () => {
    const r = build(allowedScenario());
    const t = targetOf(r);
    expect(decideView({ ...r, target: { ...t, asset: { ...t.asset, revokedAt: at(-MIN) } } }, NOW)).toMatchObject({ reason: 'asset_revoked', status: 403 });
    expect(decideView({ ...r, target: { ...t, asset: { ...t.asset, shreddedAt: at(-MIN) } } }, NOW)).toMatchObject({ reason: 'asset_shredded', status: 410 });
  });

  it('expires a card at its expiry time even before the sweep marks it', () => {
    const r = build(allowedScenario());
    const t = targetOf(r);
    const card = { ...t.card, expiresAt: NOW };
    expect(decideView({ ...r, target: { ...t, card } }, NOW)).toMatchObject({ reason: 'token_expired', status: 410 });
    expect(decideView({ ...r, target: { ...t, card } }, at(-1)).allow).toBe(true);
  });

  it('lets a pending card be viewed (the link exists before the card message is posted)', () => {
    const r = build(allowedScenario());
    const t = targetOf(r);
    expect(decideView({ ...r, target: { ...t, card: { ...t.card, state: 'pending' } } }, NOW).allow).toBe(true);
  });

  it('holds an asset for its uploader when either the asset has no patient or the card still waits for one', () => {
    const r = build(allowedScenario());
    const t = targetOf(r);
    const noPatient = { ...t, asset: { ...t.asset, patientId: null } };
    const cardWaits = { ...t, card: { ...t.card, state: 'waiting_for_patient' as const } };
    for (const target of [noPatient, cardWaits]) {
      expect(decideView({ ...r, target }, NOW)).toMatchObject({ reason: 'waiting_for_patient', status: 403 });
      expect(decideView({ ...r, target: { ...target, asset: { ...target.asset, uploaderId: VIEWER } } }, NOW).allow).toBe(true);
    }
  });

  it('still requires the uploader of an unlinked asset to hold a live grant', () => {
    const r = build(allowedScenario({ asset: 'waiting_uploader', grant: 'expired' }));
    expect(decideView(r, NOW)).toMatchObject({ reason: 'grant_expired' });
  });

  it('needs a recorded permit for teaching even from the uploader of an unlinked asset', () => {
    expect(decideView(build(allowedScenario({ asset: 'waiting_uploader', purpose: 'education', consent: 'permit' })), NOW)).toMatchObject({ reason: 'consent_missing' });
  });
});

describe('decideView: grants', () => {
  const standing = (grants: GrantFacts[], over: Partial<Standing> = {}): Standing => ({
    userId: VIEWER,
    consult: { id: 'consult-1', requesterId: OTHER },
    participant: { userId: VIEWER, role: 'member', removedAt: null },
    isChannelMember: true,
    membersMayView: true,
    grants,
    ...over,
  });
  const grant = (id: string, over: Partial<GrantFacts>): GrantFacts => ({ id, consultId: 'consult-1', userId: VIEWER, source: 'participant', hop: 0, expiresAt: at(HOUR), revokedAt: null, ...over });

  it('prefers the ordinary right over break-glass when the user holds both', () => {
    const r = standingGrant(standing([grant('bg', { source: 'break_glass' }), grant('p', {})]), NOW);
    expect(r).toMatchObject({ ok: true, via: 'participant', grant: { id: 'p' } });
  });

  it('falls back to a live break-glass grant when the ordinary one has lapsed', () => {
    const r = standingGrant(standing([grant('p', { expiresAt: at(-MIN) }), grant('bg', { source: 'break_glass', expiresAt: at(MIN) })]), NOW);
    expect(r).toMatchObject({ ok: true, via: 'break_glass', grant: { id: 'bg' } });
  });

  it('reports a revocation before an expiry when no grant counts', () => {
    expect(standingGrant(standing([grant('a', { expiresAt: at(-MIN) }), grant('b', { revokedAt: at(-MIN) })]), NOW)).toEqual({ ok: false, reason: 'grant_revoked' });
  });

  it('counts a grant up to, not at, its expiry', () => {
    const s = standing([grant('p', { expiresAt: NOW })]);
    expect(standingGrant(s, at(-1)).ok).toBe(true);
    expect(standingGrant(s, NOW)).toEqual({ ok: false, reason: 'grant_expired' });
  });

  it('ignores grants of other users and consults, and an empty user id matches nothing', () => {
    expect(standingGrant(standing([grant('x', { userId: OTHER }), grant('y', { consultId: 'consult-2' })]), NOW)).toEqual({ ok: false, reason: 'no_grant' });
    expect(standingGrant(standing([grant('z', { userId: '' })], { userId: '', participant: { userId: '', role: 'member', removedAt: null } }), NOW)).toEqual({ ok: false, reason: 'no_grant' });
  });

  it('does not let a participant row of someone else stand in for the viewer', () => {
    expect(standingGrant(standing([grant('p', {})], { participant: { userId: OTHER, role: 'member', removedAt: null } }), NOW)).toEqual({ ok: false, reason: 'not_participant' });
  });

  it('counts a grant of an unknown source for nothing', () => {
    expect(standingGrant(standing([grant('p', { source: 'admin' as GrantFacts['source'] })]), NOW)).toEqual({ ok: false, reason: 'no_grant' });
  });
});

describe('decideView: the party a consent is asked about', () => {
  const view = (role: Role, consents: ConsentFacts[]) => {
    const r = build(allowedScenario({ role }));
    return decideView({ ...r, target: { ...targetOf(r), consents } }, NOW);
  };
  const refuse = (parties: Party[]) => consent('deny-1', 'deny', { dataKinds: ALL_KINDS, purposes: ['care'], parties });

  it('keeps channel members and break-glass out when the patient refused care by others in the hospital, and lets the consult’s own people in', () => {
    for (const role of ['channel_member_allowed', 'break_glass'] as const) expect(view(role, [refuse(['institution'])])).toMatchObject({ allow: false, reason: 'consent_refused' });
    for (const role of ['requester', 'member', 'specialist'] as const) expect(view(role, [refuse(['institution'])])).toMatchObject({ allow: true, consent: 'implied' });
  });

  it('keeps the consult’s own people out when the patient refused care by the care team, and not the hospital’s others', () => {
    for (const role of ['requester', 'member', 'specialist'] as const) expect(view(role, [refuse(['care_team'])])).toMatchObject({ allow: false, reason: 'consent_refused' });
    expect(view('channel_member_allowed', [refuse(['care_team'])])).toMatchObject({ allow: true, via: 'channel_member', consent: 'implied' });
  });
});

describe('decideView: multi-factor sign-in', () => {
  it('asks for MFA before saying anything about the user’s own standing', () => {
    const r = build(allowedScenario({ role: 'stranger', grant: 'none', mfa: 'required_missing' }));
    expect(decideView(r, NOW)).toEqual({ allow: false, reason: 'mfa_required', status: 401 });
  });

  it('allows the same user once the session was established with MFA', () => {
    expect(decideView(build(allowedScenario({ mfa: 'required_missing' })), NOW)).toMatchObject({ reason: 'mfa_required', status: 401 });
    expect(decideView(build(allowedScenario({ mfa: 'required_met' })), NOW).allow).toBe(true);
    expect(decideView(build(allowedScenario({ mfa: 'not_required' })), NOW).allow).toBe(true);
  });

  it('does not ask for MFA to then say the link is dead', () => {
    expect(decideView(build(allowedScenario({ mfa: 'required_missing', link: 'expired' })), NOW)).toMatchObject({ reason: 'token_expired', status: 410 });
  });

  it('reads multi-factor sign-in from amr and acr', () => {
    expect(sessionUsedMfa({ amr: [] })).toBe(false);
    expect(sessionUsedMfa({ amr: ['pwd'] })).toBe(false);
    expect(sessionUsedMfa({ amr: ['pwd', 'mfa'] })).toBe(true);
    expect(sessionUsedMfa({ amr: ['pwd', 'otp'] })).toBe(true);
    expect(sessionUsedMfa({ amr: ['hwk', 'fpt'] })).toBe(true);
    expect(sessionUsedMfa({ amr: ['otp', 'sms'] })).toBe(false); // two possession factors are one kind
    expect(sessionUsedMfa({ amr: ['pwd', 'pin'] })).toBe(false);
    expect(sessionUsedMfa({ amr: ['pwd', 'mca', 'rba'] })).toBe(false);
    expect(sessionUsedMfa({ amr: ['pwd'], acr: 'urn:hospital:mfa' }, ['urn:hospital:mfa'])).toBe(true);
    expect(sessionUsedMfa({ amr: ['pwd'], acr: 'urn:hospital:mfa' })).toBe(false);
  });
});

describe('consent', () => {
  const q = { kind: 'photo' as const, purpose: 'care' as const, party: 'care_team' as const, rule: 'care_implied' as const };

  it('maps DICOM instances and series to the consent kind "dicom"', () => {
    expect([dataKindOf('photo'), dataKindOf('dicom_instance'), dataKindOf('dicom_series')]).toEqual(['photo', 'dicom', 'dicom']);
  });

  it('needs a recorded permit for care by an external party, or when the channel always requires consent; care within the hospital is implied', () => {
    expect(consentFor([], { ...q, party: 'institution' }, NOW)).toEqual({ ok: true, basis: 'implied', consentId: null });
    expect(consentFor([], { ...q, party: 'external' }, NOW)).toEqual({ ok: false, reason: 'consent_missing' });
    expect(consentFor([], { ...q, rule: 'always_required' }, NOW)).toEqual({ ok: false, reason: 'consent_missing' });
    const permit = consent('c1', 'permit', { dataKinds: ['photo'], purposes: ['care'], parties: ['external'] });
    expect(consentFor([permit], { ...q, party: 'external' }, NOW)).toEqual({ ok: true, basis: 'permit', consentId: 'c1' });
  });

  it('lets a refusal block only the parties it names', () => {
    const refusal = consent('r1', 'deny', { dataKinds: ALL_KINDS, purposes: ['care'], parties: ['external'] });
    expect(consentFor([refusal], q, NOW)).toMatchObject({ ok: true, basis: 'implied' });
    expect(consentFor([refusal], { ...q, party: 'external' }, NOW)).toEqual({ ok: false, reason: 'consent_refused' });
  });

  it('reads a decision it does not know as a refusal', () => {
    const odd = consent('o1', 'maybe' as 'permit', { dataKinds: ALL_KINDS, purposes: ALL_PURPOSES, parties: ALL_PARTIES });
    expect(consentFor([odd], q, NOW)).toEqual({ ok: false, reason: 'consent_refused' });
  });

  it('holds a consent in force from validFrom up to, not at, validUntil', () => {
    const permit = consent('c1', 'permit', { dataKinds: ['photo'], purposes: ['research'], parties: ['institution'], validFrom: NOW, validUntil: at(HOUR) });
    const research = { ...q, purpose: 'research' as const, party: 'institution' as const };
    expect(consentFor([permit], research, at(-1)).ok).toBe(false);
    expect(consentFor([permit], research, NOW).ok).toBe(true);
    expect(consentFor([permit], research, at(HOUR - 1)).ok).toBe(true);
    expect(consentFor([permit], research, at(HOUR)).ok).toBe(false);
  });
});

describe('link tokens', () => {
  it('generates 256-bit tokens and refuses anything under 128 bits', () => {
    expect(LINK_TOKEN_ENTROPY_BITS).toBe(256);
    expect(MIN_TOKEN_ENTROPY_BITS).toBe(128);
    expect(LINK_TOKEN_BYTES).toBe(32);
    expect(tokenBytesFor()).toBe(32);
    expect(tokenBytesFor(128)).toBe(16);
    expect(() => tokenBytesFor(127)).toThrow(RangeError);
    expect(() => tokenBytesFor(64)).toThrow(RangeError);
  });

  it('states a token as valid, expired, revoked or unknown', () => {
    expect(tokenState(null, NOW)).toBe('unknown');
    expect(tokenState(undefined, NOW)).toBe('unknown');
    expect(tokenState({ expiresAt: at(1), revokedAt: null }, NOW)).toBe('valid');
    expect(tokenState({ expiresAt: NOW, revokedAt: null }, NOW)).toBe('expired');
    expect(tokenState({ expiresAt: at(HOUR), revokedAt: at(-MIN) }, NOW)).toBe('revoked');
  });

  it('keeps a token withdrawn while valid "revoked" after its expiry, and one revoked by the expiry sweep "expired"', () => {
    expect(tokenState({ expiresAt: at(-MIN), revokedAt: at(-HOUR) }, NOW)).toBe('revoked');
    expect(tokenState({ expiresAt: at(-HOUR), revokedAt: at(-MIN) }, NOW)).toBe('expired');
    expect(tokenState({ expiresAt: at(-HOUR), revokedAt: at(-HOUR) }, NOW)).toBe('expired');
  });
});

describe('breakGlassRequest', () => {
  const base = (over: Partial<BreakGlassRequest> = {}): BreakGlassRequest => ({
    standing: { userId: VIEWER, consult: { id: 'consult-1', requesterId: OTHER }, participant: null, isChannelMember: false, membersMayView: false, grants: [] },
    asset: { status: 'stored', kind: 'photo', patientId: 'patient-1', revokedAt: null, shreddedAt: null },
    policy: { allowed: true },
    reason: '  Patient deteriorating in ED, wound review needed now  ',
    ...over,
  });

  it('returns a one-hour break-glass grant with the trimmed reason', () => {
    expect(breakGlassRequest(base(), NOW)).toEqual({
      allow: true,
      grant: {
        consultId: 'consult-1',
        userId: VIEWER,
        source: 'break_glass',
        grantedBy: VIEWER,
        parentGrantId: null,
        hop: 0,
        breakGlassReason: 'Patient deteriorating in ED, wound review needed now',
        expiresAt: at(60 * MIN),
      },
    });
  });

  it('lets the new grant open the viewer for care, until it expires', () => {
    const decision = breakGlassRequest(base(), NOW);
    if (!decision.allow) throw new Error('expected a grant');
    const r = build(allowedScenario({ role: 'break_glass', grant: 'none' }));
    const t = targetOf(r);
    // As stored: the database gives the row its id and an empty revocation.
    const link = { card: { ...t.card, expiresAt: at(2 * HOUR) }, token: { ...t.token, expiresAt: at(2 * HOUR) } };
    const target = { ...t, ...link, grants: [{ ...decision.grant, id: 'bg-1', revokedAt: null }] };
    expect(decideView({ ...r, target }, at(59 * MIN))).toMatchObject({ allow: true, via: 'break_glass', grantId: 'bg-1' });
    expect(decideView({ ...r, target }, at(60 * MIN))).toMatchObject({ allow: false, reason: 'grant_expired' });
  });

  it('takes its duration from the policy, defaulting to 60 minutes and capped at 4 hours', () => {
    expect(BREAK_GLASS_DEFAULT_MINUTES).toBe(60);
    expect(BREAK_GLASS_MAX_MINUTES).toBe(240);
    expect(breakGlassMinutes({ allowed: true })).toBe(60);
    expect(breakGlassMinutes({ allowed: true, durationMinutes: 15 })).toBe(15);
    expect(breakGlassMinutes({ allowed: true, durationMinutes: 240 })).toBe(240);
    expect(breakGlassMinutes({ allowed: true, durationMinutes: 10_000 })).toBe(240);
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(breakGlassMinutes({ allowed: true, durationMinutes: bad })).toBe(60);
    const granted = breakGlassRequest(base({ policy: { allowed: true, durationMinutes: 600 } }), NOW);
    expect(granted.allow && granted.grant.expiresAt).toEqual(at(240 * MIN));
  });

  it('validates the reason: 10 to 500 characters after trimming, counted as a person sees them', () => {
    expect(checkBreakGlassReason('')).toEqual({ ok: false, reason: 'reason_missing' });
    expect(checkBreakGlassReason(' \n\t ')).toEqual({ ok: false, reason: 'reason_missing' });
    expect(checkBreakGlassReason('  123456789  ')).toEqual({ ok: false, reason: 'reason_too_short' });
    expect(checkBreakGlassReason('  1234567890  ')).toEqual({ ok: true, reason: '1234567890' });
    expect(checkBreakGlassReason('🚑'.repeat(9))).toEqual({ ok: false, reason: 'reason_too_short' }); // 18 UTF-16 units, 9 characters
    expect(checkBreakGlassReason('🚑'.repeat(10)).ok).toBe(true);
    expect(checkBreakGlassReason('x'.repeat(500)).ok).toBe(true);
    expect(checkBreakGlassReason('x'.repeat(501))).toEqual({ ok: false, reason: 'reason_too_long' });
    expect(breakGlassRequest(base({ reason: 'urgent' }), NOW)).toEqual({ allow: false, reason: 'reason_too_short' });
  });

  it('is off unless the workspace policy allows it, whatever the reason', () => {
    expect(breakGlassRequest(base({ policy: { allowed: false } }), NOW)).toEqual({ allow: false, reason: 'break_glass_disabled' });
    expect(breakGlassRequest(base({ policy: { allowed: false }, reason: '' }), NOW)).toEqual({ allow: false, reason: 'break_glass_disabled' });
  });

  it('refuses when there is nothing to see', () => {
    const asset = base().asset;
    const cases: [BreakGlassRequest['asset'], string][] = [
      [{ ...asset, status: 'revoked', revokedAt: at(-MIN) }, 'asset_revoked'],
      [{ ...asset, revokedAt: at(-MIN) }, 'asset_revoked'],
      [{ ...asset, status: 'shredded', shreddedAt: at(-MIN) }, 'asset_shredded'],
      [{ ...asset, status: 'failed', kind: null }, 'asset_failed'],
      [{ ...asset, status: 'processing' }, 'asset_not_ready'],
      [{ ...asset, status: 'received', kind: null }, 'asset_not_ready'],
      [{ ...asset, patientId: null }, 'waiting_for_patient'],
    ];
    for (const [a, reason] of cases) expect(breakGlassRequest(base({ asset: a }), NOW), reason).toEqual({ allow: false, reason });
  });

  it('is not needed by someone whose grant already lets them view, and is by someone whose grant does not', () => {
    const live: GrantFacts = { id: 'g', consultId: 'consult-1', userId: VIEWER, source: 'participant', hop: 0, expiresAt: at(HOUR), revokedAt: null };
    const withGrant = (g: GrantFacts, over: Partial<Standing> = {}) => base({ standing: { ...base().standing, participant: { userId: VIEWER, role: 'member', removedAt: null }, grants: [g], ...over } });
    expect(breakGlassRequest(withGrant(live), NOW)).toEqual({ allow: false, reason: 'grant_not_needed' });
    expect(breakGlassRequest(withGrant({ ...live, source: 'break_glass' }), NOW)).toEqual({ allow: false, reason: 'grant_not_needed' });
    expect(breakGlassRequest(withGrant({ ...live, expiresAt: NOW }), NOW).allow).toBe(true);
    expect(breakGlassRequest(withGrant({ ...live, revokedAt: at(-MIN) }), NOW).allow).toBe(true);
    expect(breakGlassRequest(withGrant({ ...live, source: 'channel_member' }, { membersMayView: false, isChannelMember: true }), NOW).allow).toBe(true);
  });
});

describe('mayReshare', () => {
  const grant = (id: string, over: Partial<GrantFacts> = {}): GrantFacts => ({ id, consultId: 'consult-1', userId: VIEWER, source: 'participant', hop: 0, expiresAt: at(HOUR), revokedAt: null, ...over });
  const req = (over: Partial<ReshareRequest> = {}): ReshareRequest => ({
    inviter: { userId: VIEWER, isAdmin: false },
    consultId: 'consult-1',
    participant: { userId: VIEWER, role: 'requester', removedAt: null },
    grants: [grant('g0')],
    ...over,
  });

  it('lets the requester or a member with a live hop-0 grant invite one more provider at hop 1', () => {
    expect(mayReshare(req(), NOW)).toEqual({ allow: true, hop: 1, parentGrantId: 'g0' });
    expect(mayReshare(req({ participant: { userId: VIEWER, role: 'member', removedAt: null } }), NOW)).toEqual({ allow: true, hop: 1, parentGrantId: 'g0' });
  });

  it('stops the chain at the invited specialist', () => {
    const specialist = { userId: VIEWER, role: 'specialist' as const, removedAt: null };
    expect(mayReshare(req({ participant: specialist, grants: [grant('g1', { source: 'invitation', hop: 1 })] }), NOW)).toEqual({ allow: false, reason: 'hop_limit' });
    // The hop of the grant decides, whatever the participant row says.
    expect(mayReshare(req({ participant: { userId: VIEWER, role: 'member', removedAt: null }, grants: [grant('g1', { source: 'invitation', hop: 1 })] }), NOW)).toEqual({ allow: false, reason: 'hop_limit' });
  });

  it('follows a whole chain: requester invites, the invitee cannot', () => {
    const first = mayReshare(req(), NOW);
    if (!first.allow) throw new Error('expected the requester to invite');
    const invitee: ReshareRequest = {
      inviter: { userId: OTHER, isAdmin: false },
      consultId: 'consult-1',
      participant: { userId: OTHER, role: 'specialist', removedAt: null },
      grants: [{ id: 'g-invitee', consultId: 'consult-1', userId: OTHER, source: 'invitation', hop: first.hop, expiresAt: at(HOUR), revokedAt: null }],
    };
    expect(mayReshare(invitee, NOW)).toEqual({ allow: false, reason: 'hop_limit' });
  });

  it('refuses someone with no live grant, or whose only live grant is break-glass or a channel member’s', () => {
    expect(mayReshare(req({ grants: [] }), NOW)).toEqual({ allow: false, reason: 'no_live_grant' });
    expect(mayReshare(req({ grants: [grant('g0', { expiresAt: NOW })] }), NOW)).toEqual({ allow: false, reason: 'no_live_grant' });
    expect(mayReshare(req({ grants: [grant('g0', { revokedAt: at(-MIN) })] }), NOW)).toEqual({ allow: false, reason: 'no_live_grant' });
    expect(mayReshare(req({ grants: [grant('g0', { userId: OTHER }), grant('g9', { consultId: 'consult-2' })] }), NOW)).toEqual({ allow: false, reason: 'no_live_grant' });
    expect(mayReshare(req({ grants: [grant('bg', { source: 'break_glass' })] }), NOW)).toEqual({ allow: false, reason: 'break_glass_cannot_reshare' });
    expect(mayReshare(req({ grants: [grant('cm', { source: 'channel_member' })] }), NOW)).toEqual({ allow: false, reason: 'no_live_grant' });
  });

  it('refuses someone who is not, or no longer, a participant', () => {
    expect(mayReshare(req({ participant: null }), NOW)).toEqual({ allow: false, reason: 'not_participant' });
    expect(mayReshare(req({ participant: { userId: VIEWER, role: 'member', removedAt: at(-MIN) } }), NOW)).toEqual({ allow: false, reason: 'not_participant' });
    expect(mayReshare(req({ participant: { userId: OTHER, role: 'member', removedAt: null } }), NOW)).toEqual({ allow: false, reason: 'not_participant' });
  });

  it('lets an admin invite, chained to their own closest live grant when they hold one', () => {
    const admin = { userId: VIEWER, isAdmin: true };
    expect(mayReshare(req({ inviter: admin, participant: null, grants: [] }), NOW)).toEqual({ allow: true, hop: 1, parentGrantId: null });
    expect(mayReshare(req({ inviter: admin, grants: [grant('g1', { source: 'invitation', hop: 1 }), grant('g0')] }), NOW)).toEqual({ allow: true, hop: 1, parentGrantId: 'g0' });
    expect(mayReshare(req({ inviter: admin, participant: { userId: VIEWER, role: 'specialist', removedAt: null }, grants: [grant('g1', { source: 'invitation', hop: 1 })] }), NOW)).toEqual({
      allow: true,
      hop: 2,
      parentGrantId: 'g1',
    });
  });

  /** The participation-only rule invitations ran on before (mayInvite): an admin, or a direct participant still in the consult. */
  const formerInviteRule = (isAdmin: boolean, role: string, removed: boolean) => isAdmin || (!removed && role !== 'specialist');

  it('agrees with mayInvite on who may invite whenever the inviter holds the live grant their role comes with', () => {
    for (const isAdmin of [false, true])
      for (const role of ['requester', 'member', 'specialist'] as const)
        for (const removed of [false, true]) {
          const participant = { userId: VIEWER, role, removedAt: removed ? at(-MIN) : null };
          const grants = [grant('g', role === 'specialist' ? { source: 'invitation', hop: 1 } : {})];
          const expected = formerInviteRule(isAdmin, role, removed);
          expect(mayReshare(req({ inviter: { userId: VIEWER, isAdmin }, participant, grants }), NOW).allow, `${role} admin=${isAdmin} removed=${removed}`).toBe(expected);
        }
  });
});
