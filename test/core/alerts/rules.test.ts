// Each breach rule fires at its threshold and not one below it, keeps quiet
// while its window runs, and raises nothing twice for facts it has seen.
import { describe, expect, it } from 'vitest';
import { evaluateAlertRules, RULE_TITLES, alertKey, type AlertFact, type AlertThresholds, type CoveredWindow } from '../../../src/core/alerts/rules.js';
import { AuditAction } from '../../../src/core/audit/event.js';

const W = '11111111-1111-4111-8111-111111111111';
const T: AlertThresholds = { windowMs: 60 * 60_000, distinctPatients: 5, refusedViews: 3, failedSignIns: 4 };
const start = Date.parse('2026-03-01T10:00:00Z');
const patient = (n: number) => `33333333-3333-4333-8333-${String(n).padStart(12, '0')}`;

let seq = 0n;
function fact(over: Partial<AlertFact>, minute = 0): AlertFact {
  seq += 1n;
  return { seq, at: new Date(start + minute * 60_000), action: AuditAction.AssetViewed, outcome: 'success', actorId: 'U1', workspaceId: W, patientId: patient(1), assetId: null, consultId: null, ...over };
}
const run = (facts: AlertFact[], cursor = 0n, covered: CoveredWindow[] = []) => evaluateAlertRules({ facts, cursor, covered, thresholds: T });
const views = (n: number, over: Partial<AlertFact> = {}) => Array.from({ length: n }, (_, i) => fact({ patientId: patient(i), ...over }, i));

describe('distinct patients viewed by one user', () => {
  it('fires at the threshold, naming the user, never a patient', () => {
    const drafts = run(views(5));
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ rule: 'distinct_patients', workspaceId: W, subject: 'U1', count: 5 });
    expect(JSON.stringify(drafts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('33333333');
  });
  it('does not fire one below it, nor for many views of the same patient', () => {
    expect(run(views(4))).toEqual([]);
    expect(run(views(10, { patientId: patient(1) }))).toEqual([]);
  });
  it('counts only within the window, per user and workspace', () => {
    const spread = Array.from({ length: 5 }, (_, i) => fact({ patientId: patient(i) }, i * 20));
    expect(run(spread)).toEqual([]);
    const twoUsers = [...views(3), ...views(2, { actorId: 'U2' })];
    expect(run(twoUsers)).toEqual([]);
  });
  it('keeps quiet while the window of its alert runs, then counts afresh', () => {
    const facts = views(12);
    const drafts = run(facts);
    expect(drafts.map((d) => d.count)).toEqual([5]);
    expect(drafts[0]!.windowEnd.getTime() - drafts[0]!.windowStart.getTime()).toBe(T.windowMs);
    const later = Array.from({ length: 5 }, (_, i) => fact({ patientId: patient(100 + i) }, 61 + i));
    expect(run([...facts, ...later]).map((d) => d.count)).toEqual([5, 5]);
  });
  it('raises nothing for facts at or below the cursor, and respects alerts already raised', () => {
    const facts = views(5);
    expect(run(facts, facts.at(-1)!.seq)).toEqual([]);
    const [draft] = run(facts);
    const more = [...facts, fact({ patientId: patient(50) }, 6)];
    expect(run(more, facts.at(-1)!.seq, [{ rule: 'distinct_patients', workspaceId: W, subject: 'U1', windowEnd: draft!.windowEnd }])).toEqual([]);
  });
});

describe('refused views by one user', () => {
  it('fires at the threshold and not one below it', () => {
    expect(run(views(3, { outcome: 'denied' }))).toMatchObject([{ rule: 'refused_views', subject: 'U1', count: 3 }]);
    expect(run(views(2, { outcome: 'denied' }))).toEqual([]);
  });
});

describe('failed sign-ins', () => {
  const refused = (n: number) => Array.from({ length: n }, (_, i) => fact({ action: AuditAction.ViewerSignInRefused, outcome: 'denied', actorId: null, workspaceId: null, patientId: null }, i));
  it('fires at the threshold, for everyone, and not one below it', () => {
    expect(run(refused(4))).toMatchObject([{ rule: 'failed_sign_ins', subject: 'sign-in', workspaceId: null, count: 4 }]);
    expect(run(refused(3))).toEqual([]);
  });
});

describe('one alert per event', () => {
  it('break-glass granted (not refused), an original not removable, a failed chain check, a dead job', () => {
    const facts = [
      fact({ action: AuditAction.BreakGlass, outcome: 'success', consultId: 'c1' }),
      fact({ action: AuditAction.BreakGlass, outcome: 'denied' }),
      fact({ action: AuditAction.OriginalNotRemovable, outcome: 'failure', assetId: 'a1', patientId: null }),
      fact({ action: AuditAction.AuditVerifyFailed, outcome: 'failure', actorId: 'audit-verify', workspaceId: null, patientId: null }),
      fact({ action: AuditAction.JobDead, outcome: 'failure', actorId: 'job-queue', workspaceId: null, patientId: null }),
    ];
    expect(run(facts).map((d) => [d.rule, d.subject, d.count])).toEqual([
      ['break_glass', 'U1', 1],
      ['original_not_removable', 'a1', 1],
      ['chain_verify_failed', 'audit-chain', 1],
      ['job_dead', 'jobs', 1],
    ]);
    expect(run(facts, facts.at(-1)!.seq)).toEqual([]);
  });
});

it('keys alerts by rule, workspace, subject and window start; titles carry no ids', () => {
  const [d] = run(views(5));
  expect(alertKey(d!)).toBe(`distinct_patients|${W}|U1|2026-03-01T10:00:00.000Z`);
  for (const title of Object.values(RULE_TITLES)) expect(title).not.toMatch(/[0-9]/);
  // Two dead jobs in the same millisecond are two alerts.
  const dead = [fact({ action: AuditAction.JobDead, outcome: 'failure' }), fact({ action: AuditAction.JobDead, outcome: 'failure' })];
  expect(new Set(run(dead).map(alertKey)).size).toBe(2);
});
