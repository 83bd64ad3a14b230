// Consent evaluation over every combination of decision, purpose, party, data
// kind, period, version state and consent rule, each request also asked of
// every purpose, party and kind. The expected answer comes from the labels of
// the scenario through a short statement of the rules below, never from the
// code under test.
import { describe, expect, it } from 'vitest';
import { consentFor, type ConsentOutcome } from '../../src/core/access/consent.js';
import type { ConsentFacts, ConsentRule, DataKind, Party, Purpose } from '../../src/core/access/types.js';

const DECISIONS = ['permit', 'deny'] as const;
const PURPOSES = ['care', 'education', 'research'] as const satisfies readonly Purpose[];
const PARTIES = ['care_team', 'institution', 'external'] as const satisfies readonly Party[];
const KINDS = ['photo', 'dicom'] as const satisfies readonly DataKind[];
/** Where now falls in the version's period; validFrom is inclusive, validUntil exclusive. */
const PERIODS = ['before', 'starts_now', 'within', 'open_ended', 'ends_now', 'after'] as const;
/** active: the chain's current version; superseded: a change replaced it; withdrawn: a withdrawal replaced it. */
const STATES = ['active', 'superseded', 'withdrawn'] as const;
const RULES = ['care_implied', 'always_required'] as const satisfies readonly ConsentRule[];
/** Another chain of the same patient, live and speaking of everything. */
const ALONGSIDE = ['nothing', 'permit_all', 'deny_all'] as const;

type Period = (typeof PERIODS)[number];
type State = (typeof STATES)[number];
type Alongside = (typeof ALONGSIDE)[number];

interface Scenario {
  decision: 'permit' | 'deny';
  /** What the version speaks of. */
  purpose: Purpose;
  party: Party;
  kind: DataKind;
  period: Period;
  state: State;
  rule: ConsentRule;
  alongside: Alongside;
  /** What is asked. */
  ask: { purpose: Purpose; party: Party; kind: DataKind };
}

const NOW = new Date('2026-06-15T12:00:00Z');
const DAY = 24 * 3600 * 1000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);
const PERIOD_DATES: Record<Period, { validFrom: Date; validUntil: Date | null }> = {
  before: { validFrom: at(1), validUntil: at(30) },
  starts_now: { validFrom: NOW, validUntil: at(30) },
  within: { validFrom: at(-30), validUntil: at(30) },
  open_ended: { validFrom: at(-30), validUntil: null },
  ends_now: { validFrom: at(-30), validUntil: NOW },
  after: { validFrom: at(-60), validUntil: at(-1) },
};

const VERSION = 'v1';
const SUCCESSOR = 'v2';
const OTHER_CHAIN = 'other';

function version(s: Scenario): ConsentFacts {
  return { id: VERSION, kind: 'decision', decision: s.decision, purposes: [s.purpose], parties: [s.party], dataKinds: [s.kind], ...PERIOD_DATES[s.period], supersededAt: null };
}

/** The patient's versions for a scenario, in the order storage would list them. */
function versionsOf(s: Scenario): ConsentFacts[] {
  const v1 = version(s);
  const out: ConsentFacts[] = [];
  if (s.state === 'active') out.push(v1);
  if (s.state === 'superseded') {
    // The change keeps the decision, purpose and party but speaks of the other kind from now on.
    const other = s.kind === 'photo' ? 'dicom' : 'photo';
    out.push({ ...v1, supersededAt: at(-1) }, { ...v1, id: SUCCESSOR, dataKinds: [other], validFrom: at(-1), validUntil: null });
  }
  if (s.state === 'withdrawn') {
    // A withdrawal grants and refuses nothing, even were it to name what it withdrew.
    out.push({ ...v1, supersededAt: at(-1) }, { ...v1, id: SUCCESSOR, kind: 'withdrawal', decision: null, validFrom: at(-1), validUntil: null });
  }
  if (s.alongside !== 'nothing') {
    out.push({ id: OTHER_CHAIN, kind: 'decision', decision: s.alongside === 'permit_all' ? 'permit' : 'deny', purposes: [...PURPOSES], parties: [...PARTIES], dataKinds: [...KINDS], validFrom: at(-90), validUntil: null, supersededAt: null });
  }
  return out;
}

// The rules, stated over the labels:
// - a version speaks only while it is the chain's current decision and now is in [validFrom, validUntil);
// - it speaks of a request when its purpose, party and kind are the ones asked;
// - a refusal that speaks of the request wins; then care within the hospital (not external) is implied under care_implied;
//   then a permit that speaks of it allows (the first listed); otherwise consent is missing.
function expected(s: Scenario): ConsentOutcome {
  const inForce = s.period === 'starts_now' || s.period === 'within' || s.period === 'open_ended';
  const sameAsk = s.purpose === s.ask.purpose && s.party === s.ask.party;
  const v1Speaks = s.state === 'active' && inForce && sameAsk && s.kind === s.ask.kind;
  const v2Speaks = s.state === 'superseded' && sameAsk && s.kind !== s.ask.kind;
  const refusals = (v1Speaks && s.decision === 'deny') || (v2Speaks && s.decision === 'deny') || s.alongside === 'deny_all';
  if (refusals) return { ok: false, reason: 'consent_refused' };
  if (s.rule === 'care_implied' && s.ask.purpose === 'care' && s.ask.party !== 'external') return { ok: true, basis: 'implied', consentId: null };
  if (v1Speaks && s.decision === 'permit') return { ok: true, basis: 'permit', consentId: VERSION };
  if (v2Speaks && s.decision === 'permit') return { ok: true, basis: 'permit', consentId: SUCCESSOR };
  if (s.alongside === 'permit_all') return { ok: true, basis: 'permit', consentId: OTHER_CHAIN };
  return { ok: false, reason: 'consent_missing' };
}

function* scenarios(): Generator<Scenario> {
  for (const decision of DECISIONS)
    for (const purpose of PURPOSES)
      for (const party of PARTIES)
        for (const kind of KINDS)
          for (const period of PERIODS)
            for (const state of STATES)
              for (const rule of RULES)
                for (const alongside of ALONGSIDE)
                  for (const askPurpose of PURPOSES)
                    for (const askParty of PARTIES)
                      for (const askKind of KINDS)
                        yield { decision, purpose, party, kind, period, state, rule, alongside, ask: { purpose: askPurpose, party: askParty, kind: askKind } };
}

const TOTAL = DECISIONS.length * (PURPOSES.length * PARTIES.length * KINDS.length) ** 2 * PERIODS.length * STATES.length * RULES.length * ALONGSIDE.length;

describe('consent evaluation', () => {
  it('answers every combination as the rules say', () => {
    let count = 0;
    const failures: string[] = [];
    const seen = new Map<string, number>();
    for (const s of scenarios()) {
      count++;
      const actual = consentFor(versionsOf(s), { ...s.ask, rule: s.rule }, NOW);
      const want = expected(s);
      const key = want.ok ? `${want.basis}:${want.consentId ?? '-'}` : want.reason;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (JSON.stringify(actual) !== JSON.stringify(want) && failures.length < 10) failures.push(`${JSON.stringify(s)}: got ${JSON.stringify(actual)}, want ${JSON.stringify(want)}`);
    }
    expect(failures).toEqual([]);
    expect(count).toBe(TOTAL);
    // Every answer the rules can give is reached, so no branch goes untested.
    expect([...seen.keys()].sort()).toEqual(['consent_missing', 'consent_refused', 'implied:-', `permit:${OTHER_CHAIN}`, `permit:${SUCCESSOR}`, `permit:${VERSION}`].sort());
  });

  it('denies by default: no versions, no permit, except care within the hospital under care_implied', () => {
    for (const purpose of PURPOSES)
      for (const party of PARTIES)
        for (const kind of KINDS)
          for (const rule of RULES) {
            const implied = rule === 'care_implied' && purpose === 'care' && party !== 'external';
            expect(consentFor([], { purpose, party, kind, rule }, NOW)).toEqual(implied ? { ok: true, basis: 'implied', consentId: null } : { ok: false, reason: 'consent_missing' });
          }
  });

  it('reads a version whose decision is not a permit (a corrupted row) as a refusal', () => {
    const odd = { id: 'x', kind: 'decision', decision: null, purposes: ['research'], parties: ['external'], dataKinds: ['photo'], validFrom: at(-1), validUntil: null, supersededAt: null } as const;
    expect(consentFor([odd], { purpose: 'research', party: 'external', kind: 'photo', rule: 'care_implied' }, NOW)).toEqual({ ok: false, reason: 'consent_refused' });
  });
});
