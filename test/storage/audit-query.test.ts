import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditAction, type AuditEventInput, type AuditRecord } from '../../src/core/audit/event.js';
import type { AuditFilter, AuditScope } from '../../src/core/audit/filter.js';
import { AUDIT_PAGE_MAX } from '../../src/storage/audit-log.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { testEngines } from '../support/engines.js';

const W1 = '11111111-1111-4111-8111-111111111111';
const W2 = '22222222-2222-4222-8222-222222222222';
const P1 = '33333333-3333-4333-8333-333333333333';
const A1 = '44444444-4444-4444-8444-444444444444';
const BASE = Date.parse('2026-01-01T00:00:00Z');
const ACTIONS = [AuditAction.AssetViewed, AuditAction.BlobRead, AuditAction.BreakGlass, AuditAction.JobDead];
const COUNT = 260;

/** Event i, at BASE + i minutes: every field varies on its own cycle, and a third have no workspace. */
function eventInput(i: number): AuditEventInput {
  return {
    actor: { type: 'user', id: `U${i % 4}` },
    action: ACTIONS[i % ACTIONS.length]!,
    outcome: i % 5 === 0 ? 'denied' : i % 7 === 0 ? 'failure' : 'success',
    workspaceId: [W1, W2, null][i % 3],
    patientId: i % 6 === 0 ? P1 : null,
    assetId: i % 10 === 0 ? A1 : null,
  };
}

/** What a reader expects, worked out from the records themselves. */
function expected(all: AuditRecord[], f: AuditFilter, scope: AuditScope): AuditRecord[] {
  return all.filter(
    (r) =>
      (!f.since || r.at >= f.since) &&
      (!f.until || r.at < f.until) &&
      (f.actorId === undefined || r.actorId === f.actorId) &&
      (f.action === undefined || r.action === f.action) &&
      (f.outcome === undefined || r.outcome === f.outcome) &&
      (f.patientId === undefined || r.patientId === f.patientId) &&
      (f.assetId === undefined || r.assetId === f.assetId) &&
      (f.workspaceId === undefined || r.workspaceId === f.workspaceId) &&
      (scope === 'all' || (r.workspaceId !== null && scope.workspaceIds.includes(r.workspaceId))),
  );
}

const seqsOf = (records: AuditRecord[]) => records.map((r) => r.seq);

describe.each(testEngines())('audit trail query on %s', (engine) => {
  let s: TestStorage;
  let all: AuditRecord[];
  let minute = 0;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock: { now: () => new Date(BASE + minute * 60_000) }, checkpointInterval: 1000 });
    all = [];
    for (minute = 1; minute <= COUNT; minute++) all.push(await s.audit.record(eventInput(minute)));
  }, 180_000);
  afterAll(async () => s.cleanup());

  async function matching(filter: AuditFilter, scope: AuditScope, batchSize?: number): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    for await (const r of s.audit.matching(filter, scope, batchSize)) out.push(r);
    return out;
  }

  it('filters on each field alone, oldest first', async () => {
    const filters: AuditFilter[] = [
      { since: new Date(BASE + 100 * 60_000) },
      { until: new Date(BASE + 100 * 60_000) },
      { since: new Date(BASE + 50 * 60_000), until: new Date(BASE + 60 * 60_000) },
      { actorId: 'U2' },
      { action: AuditAction.BreakGlass },
      { outcome: 'denied' },
      { outcome: 'failure' },
      { patientId: P1 },
      { assetId: A1 },
      { workspaceId: W2 },
    ];
    for (const filter of filters) {
      const want = expected(all, filter, 'all');
      expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(want.length, JSON.stringify(filter)).toBeLessThan(COUNT);
      expect(seqsOf(await matching(filter, 'all')), JSON.stringify(filter)).toEqual(seqsOf(want));
    }
    // since is inclusive, until exclusive: event 50 is in, event 60 out.
    const window = await matching({ since: new Date(BASE + 50 * 60_000), until: new Date(BASE + 60 * 60_000) }, 'all');
    expect(seqsOf(window)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(50 + i)));
  });

  it('combines fields, and returns whole records', async () => {
    const filter: AuditFilter = { actorId: 'U0', action: AuditAction.AssetViewed, outcome: 'success', patientId: P1, since: new Date(BASE) };
    const got = await matching(filter, 'all');
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(expected(all, filter, 'all'));
    expect(await matching({ actorId: 'nobody' }, 'all')).toEqual([]);
  });

  it("keeps a workspace admin to their workspaces' events, never those without one", async () => {
    const w1 = await matching({}, { workspaceIds: [W1] });
    expect(w1.length).toBe(expected(all, {}, { workspaceIds: [W1] }).length);
    expect(new Set(w1.map((r) => r.workspaceId))).toEqual(new Set([W1]));
    expect(seqsOf(await matching({}, { workspaceIds: [W1, W2] }))).toEqual(seqsOf(all.filter((r) => r.workspaceId !== null)));
    expect(await matching({}, { workspaceIds: [] })).toEqual([]);
    // Asking for a workspace outside the scope finds nothing, not the other workspace's events.
    expect(await matching({ workspaceId: W2 }, { workspaceIds: [W1] })).toEqual([]);
    expect(seqsOf(await matching({ patientId: P1 }, { workspaceIds: [W2] }))).toEqual(seqsOf(expected(all, { patientId: P1 }, { workspaceIds: [W2] })));
    // A privacy officer sees everything, system events included.
    expect((await matching({}, 'all')).length).toBe(COUNT);
  });

  it('exports in batches without gaps or repeats', async () => {
    expect(seqsOf(await matching({ outcome: 'success' }, 'all', 7))).toEqual(seqsOf(expected(all, { outcome: 'success' }, 'all')));
    expect(seqsOf(await matching({}, { workspaceIds: [W2] }, 1))).toEqual(seqsOf(expected(all, {}, { workspaceIds: [W2] })));
  });

  it('pages newest first by seq, with no gaps or repeats, even while events are added', async () => {
    const filter: AuditFilter = { outcome: 'success' };
    const scope: AuditScope = { workspaceIds: [W1, W2] };
    const want = expected(all, filter, scope).reverse();
    const seen: AuditRecord[] = [];
    let before: bigint | undefined;
    let pages = 0;
    do {
      const page = await s.audit.page(filter, scope, { before, limit: 9 });
      expect(page.events.length).toBeLessThanOrEqual(9);
      seen.push(...page.events);
      before = page.nextBefore;
      if (pages++ === 0) {
        // A newer event arrives after the first page: it belongs to the top of the list, not to a later page.
        minute = COUNT + 1;
        await s.audit.record({ ...eventInput(3), outcome: 'success' });
      }
    } while (before !== undefined);
    expect(pages).toBe(Math.ceil(want.length / 9));
    expect(seqsOf(seen)).toEqual(seqsOf(want));
    expect(new Set(seqsOf(seen)).size).toBe(seen.length);
    const newest = await s.audit.page(filter, scope, { limit: 1 });
    expect(newest.events[0]?.seq).toBe(BigInt(COUNT + 1));
    await s.db.prisma.auditEvent.delete({ where: { seq: BigInt(COUNT + 1) } });
  });

  it(`caps a page at ${AUDIT_PAGE_MAX} events`, async () => {
    const page = await s.audit.page({}, 'all', { limit: 100_000 });
    expect(page.events.length).toBe(AUDIT_PAGE_MAX);
    expect(page.events[0]?.seq).toBe(BigInt(COUNT));
    expect(page.nextBefore).toBe(BigInt(COUNT - AUDIT_PAGE_MAX + 1));
    const rest = await s.audit.page({}, 'all', { before: page.nextBefore, limit: 100_000 });
    expect(rest.events.length).toBe(COUNT - AUDIT_PAGE_MAX);
    expect(rest.nextBefore).toBeUndefined();
    expect((await s.audit.page({}, 'all', { limit: 0 })).events.length).toBe(1);
  });

  it('pages events of several kinds at once, an outcome narrowing a kind', async () => {
    const kinds = [{ action: AuditAction.JobDead }, { action: AuditAction.BreakGlass, outcome: 'denied' as const }];
    const page = await s.audit.pageOfKinds(kinds, { workspaceIds: [W1] }, { limit: 200 });
    const want = all
      .filter((r) => r.workspaceId === W1 && (r.action === AuditAction.JobDead || (r.action === AuditAction.BreakGlass && r.outcome === 'denied')))
      .reverse();
    expect(want.length).toBeGreaterThan(0);
    expect(seqsOf(page.events)).toEqual(seqsOf(want));
    expect((await s.audit.pageOfKinds([], 'all', { limit: 10 })).events).toEqual([]);
  });
});
