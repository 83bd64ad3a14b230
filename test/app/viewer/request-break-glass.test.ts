// Break-glass as a use case: refused unless the workspace allows it and a
// reason is given; when granted, the grant and its audit event together, the
// reason in neither the audit trail nor the announcement, and what to
// announce returned as data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeView } from '../../../src/app/viewer/authorize-view.js';
import { requestBreakGlass } from '../../../src/app/viewer/request-break-glass.js';
import { AuditAction } from '../../../src/core/audit/event.js';
import { testEngines } from '../../support/engines.js';
import { ADMIN, CHANNEL, OTHER, SENDER, viewerFixture, type ViewerFixture } from './viewer-fixture.js';
import { asJson } from '../../support/json.js';

const REASON = 'Patient deteriorating in ED, on-call radiologist unavailable';

describe.each(testEngines())('requesting break-glass on %s', (engine) => {
  let f: ViewerFixture;
  const request = (sessionToken: string, reason: string) => requestBreakGlass({ ...f.ctx, sessionToken, token: f.token, reason, breakGlassMinutes: 30 });
  const glassGrants = () => f.storage.db.prisma.grant.findMany({ where: { userId: OTHER, source: 'break_glass' } });

  beforeAll(async () => {
    f = await viewerFixture(engine);
  });
  afterAll(() => f?.storage.cleanup());

  it('is refused, and audited, while the workspace has not turned it on', async () => {
    const outsider = await f.signIn(OTHER);
    const before = await f.count(AuditAction.BreakGlass, 'denied');
    expect(await request(outsider, REASON)).toEqual({ outcome: 'refused', reason: 'break_glass_disabled' });
    expect(await f.count(AuditAction.BreakGlass, 'denied')).toBe(before + 1);
    expect(await glassGrants()).toEqual([]);
  });

  it('is not for someone who may already view, nor for someone not signed in', async () => {
    await f.storage.policies.change(f.workspaceId, '*', { breakGlass: true }, ADMIN);
    expect(await request(await f.signIn(SENDER), REASON)).toEqual({ outcome: 'not_applicable' });
    expect(await request('not-a-session', REASON)).toEqual({ outcome: 'not_applicable' });
    expect(await f.storage.db.prisma.grant.count({ where: { source: 'break_glass' } })).toBe(0);
  });

  it('needs a reason of some length', async () => {
    expect(await request(await f.signIn(OTHER), 'urgent')).toEqual({ outcome: 'refused', reason: 'reason_too_short' });
    expect(await glassGrants()).toEqual([]);
  });

  it('grants short personal access, audited without the reason, and returns what to tell the admins', async () => {
    const outsider = await f.signIn(OTHER);
    const result = await request(outsider, REASON);
    const until = new Date(f.clock.now().getTime() + 30 * 60_000);
    expect(result).toEqual({ outcome: 'opened', announce: { workspaceId: f.workspaceId, channelId: CHANNEL, notice: { kind: 'break_glass_used', userId: OTHER, until } } });
    const [grant, ...more] = await glassGrants();
    expect(more).toEqual([]);
    expect(grant).toMatchObject({ breakGlassReason: REASON, expiresAt: until, hop: 0 });
    const events = await f.storage.db.prisma.auditEvent.findMany({ where: { action: AuditAction.BreakGlass, outcome: 'success' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: OTHER, assetId: f.assetId, details: { until: until.toISOString() } });
    expect(asJson(events[0])).not.toContain('deteriorating');
    // The page then opens.
    const view = await authorizeView({ ...f.ctx, sessionToken: outsider, token: f.token, request: 'page' });
    expect(view.outcome === 'decided' && view.decision.allow && view.decision.via).toBe('break_glass');
  });
});
