// Channel policies as stored: each value says where it comes from (the
// channel's own row, the workspace default, Loupe's default); a channel
// follows later changes of the workspace default for what it did not set
// itself; `inherit` hands a setting back; every change is audited with its
// before and after values; break-glass is the workspace's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_DAYS } from '../../src/core/policy/channel-policy.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const ADMIN = { type: 'admin' as const, id: 'UADMIN' };
const WARD = 'C0WARD';

describe.each(testEngines())('channel policies on %s', (engine) => {
  let s: TestStorage;
  let n = 0;
  const workspace = async () => (await s.workspaces.ensure('slack', `TPOL${++n}`, 'Ward', { type: 'system', id: 'test' })).id;
  const lastChange = async (workspaceId: string) =>
    (await s.db.prisma.auditEvent.findFirstOrThrow({ where: { workspaceId, action: 'policy.changed' }, orderBy: { seq: 'desc' } })).details;
  beforeAll(async () => {
    s = await createTestStorage(engine);
  });
  afterAll(() => s?.cleanup());

  it("says where each value comes from: Loupe's default, the workspace default, the channel", async () => {
    const ws = await workspace();
    const fresh = await s.policies.resolved(ws, WARD);
    expect(fresh.policy.retentionDays).toBe(DEFAULT_RETENTION_DAYS);
    expect(fresh.source).toMatchObject({ retentionDays: 'loupe', interception: 'loupe', cardLifetimeSeconds: 'loupe' });
    await s.policies.change(ws, '*', { retentionDays: 90 }, ADMIN);
    await s.policies.change(ws, WARD, { interception: true }, ADMIN);
    const r = await s.policies.resolved(ws, WARD);
    expect(r.policy).toMatchObject({ retentionDays: 90, interception: true });
    expect(r.source).toMatchObject({ retentionDays: 'workspace', interception: 'channel', cardLifetimeSeconds: 'loupe' });
  });

  it('lets a channel follow a later change of the workspace default, unless it set that setting itself', async () => {
    const ws = await workspace();
    await s.policies.change(ws, WARD, { interception: true }, ADMIN);
    await s.policies.change(ws, 'C0OWN', { retentionDays: 30 }, ADMIN);
    await s.policies.change(ws, '*', { retentionDays: 730 }, ADMIN);
    expect((await s.policies.effective(ws, WARD)).retentionDays).toBe(730);
    expect((await s.policies.effective(ws, 'C0OWN')).retentionDays).toBe(30);
  });

  it('returns a setting to the workspace default with inherit, keeping the others', async () => {
    const ws = await workspace();
    await s.policies.change(ws, '*', { retentionDays: 100 }, ADMIN);
    await s.policies.change(ws, WARD, { retentionDays: 10, interception: true }, ADMIN);
    await s.policies.change(ws, WARD, {}, ADMIN, { inherit: ['retentionDays'] });
    const r = await s.policies.resolved(ws, WARD);
    expect(r.policy).toMatchObject({ retentionDays: 100, interception: true });
    expect(r.source).toMatchObject({ retentionDays: 'workspace', interception: 'channel' });
    expect(await lastChange(ws)).toMatchObject({ channelId: WARD, inherited: ['retentionDays'], before: { retentionDays: 10 }, after: { retentionDays: 100 } });
  });

  it('stores Send to PACS by policy: on request until set, automatic for a channel or as the workspace default, handed back with inherit', async () => {
    const ws = await workspace();
    expect((await s.policies.resolved(ws, WARD)).policy.pacsExport).toBe('on_request');
    await s.policies.change(ws, '*', { pacsExport: 'automatic' }, ADMIN);
    expect(await lastChange(ws)).toMatchObject({ channelId: '*', changed: ['pacsExport'], before: { pacsExport: 'on_request' }, after: { pacsExport: 'automatic' } });
    await s.policies.change(ws, WARD, { pacsExport: 'on_request' }, ADMIN);
    expect((await s.policies.resolved(ws, WARD)).source.pacsExport).toBe('channel');
    expect((await s.policies.effective(ws, WARD)).pacsExport).toBe('on_request');
    expect((await s.policies.effective(ws, 'C0OTHER')).pacsExport).toBe('automatic');
    await s.policies.change(ws, WARD, {}, ADMIN, { inherit: ['pacsExport'] });
    expect(await s.policies.resolved(ws, WARD)).toMatchObject({ policy: { pacsExport: 'automatic' }, source: { pacsExport: 'workspace' } });
  });

  it('audits each change with the before and after values of what changed', async () => {
    const ws = await workspace();
    await s.policies.change(ws, WARD, { retentionDays: 30, cardLifetimeSeconds: 3600 }, ADMIN);
    const details = (await lastChange(ws)) as { changed: string[]; before: Record<string, unknown>; after: Record<string, unknown> };
    expect(details.changed).toEqual(expect.arrayContaining(['cardLifetimeSeconds', 'retentionDays']));
    expect(details.before).toMatchObject({ retentionDays: DEFAULT_RETENTION_DAYS, cardLifetimeSeconds: 48 * 3600 });
    expect(details.after).toMatchObject({ retentionDays: 30, cardLifetimeSeconds: 3600 });
    await s.policies.change(ws, WARD, { retentionDays: null }, ADMIN);
    expect(await lastChange(ws)).toMatchObject({ before: { retentionDays: 30 }, after: { retentionDays: null } });
    expect((await s.policies.effective(ws, WARD)).retentionDays).toBeNull();
  });

  it("keeps break-glass the workspace's, from Loupe's default until an admin sets it as the workspace default", async () => {
    const ws = await workspace();
    expect(await s.policies.resolved(ws, WARD)).toMatchObject({ policy: { breakGlass: false }, source: { breakGlass: 'loupe' } });
    // Never through a channel: whoever may change one channel may not thereby change every channel's.
    await expect(s.policies.change(ws, WARD, { breakGlass: true }, ADMIN)).rejects.toMatchObject({ code: 'LOUPE_INVALID_INPUT' });
    expect((await s.policies.resolved(ws, WARD)).policy.breakGlass).toBe(false);
    await s.policies.change(ws, '*', { breakGlass: true }, ADMIN);
    for (const channel of [WARD, 'C0OTHER', '*']) expect(await s.policies.resolved(ws, channel)).toMatchObject({ policy: { breakGlass: true }, source: { breakGlass: 'workspace' } });
    expect(await lastChange(ws)).toMatchObject({ changed: ['breakGlass'], before: { breakGlass: false }, after: { breakGlass: true } });
  });
});
