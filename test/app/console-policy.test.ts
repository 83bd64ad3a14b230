// The console's policy and hold use cases decide by the workspace they
// touch: an admin of one workspace is refused another's ids, audited, and
// nothing changes; a privacy officer holds but does not change policies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePolicy, policyForEdit, type ConsoleCaller } from '../../src/app/console/change-policy.js';
import { consoleAccess } from '../../src/app/console/console-access.js';
import { liftHold, placeHold } from '../../src/app/console/legal-hold.js';
import { ErrorCode } from '../../src/core/errors.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const RULES = { privacyOfficerGroups: ['privacy'], requireMfa: true };

describe.each(testEngines())('console policy and hold use cases on %s', (engine) => {
  let s: TestStorage;
  let a: string;
  let b: string;
  let admin: ConsoleCaller;
  let officer: ConsoleCaller;
  const forbidden = { code: ErrorCode.Forbidden };

  beforeAll(async () => {
    s = await createTestStorage(engine, { clock: { now: () => NOW } });
    a = (await s.workspaces.ensure('slack', 'T0A', 'Hospital A', { type: 'system', id: 'test' })).id;
    b = (await s.workspaces.ensure('slack', 'T0B', 'Hospital B', { type: 'system', id: 'test' })).id;
    // The admin's sign-in is linked to a chat account in workspace A, whose platform names it an admin; the officer's to none.
    const deps = (linked: boolean) =>
      ({
        links: { linksOf: async () => (linked ? [{ workspaceId: a, chatUserId: 'UADMIN' }] : []) },
        directory: { isAdmin: async (ws: string) => ws === a },
        rules: RULES,
        mfaAcr: ['mfa'],
      }) as unknown as Parameters<typeof consoleAccess>[0];
    const caller = async (groups: string[], id: string): Promise<ConsoleCaller> => ({
      storage: s,
      access: await consoleAccess(deps(groups.length === 0), { issuer: 'https://idp', subject: id, groups, acr: 'mfa', amr: [] }),
      actor: { type: 'user', id },
      requestId: 'req-1',
      clock: { now: () => NOW },
    });
    admin = await caller([], 'admin-sub');
    officer = await caller(['privacy'], 'officer-sub');
  });
  afterAll(() => s?.cleanup());

  it('refuses an admin another workspace’s policy, audited, changing nothing', async () => {
    await expect(changePolicy(admin, { workspaceId: b, channelId: 'C0B', change: { interception: true }, inherit: [] })).rejects.toMatchObject(forbidden);
    await expect(policyForEdit(admin, b, '*')).rejects.toMatchObject(forbidden);
    expect((await s.policies.effective(b, 'C0B')).interception).toBe(false);
    expect(await s.db.prisma.auditEvent.count({ where: { action: 'console.refused', reason: 'not_allowed', actorId: 'admin-sub' } })).toBe(2);
  });

  it('changes the admin’s own workspace, and writes nothing when the form says what already is', async () => {
    expect(await changePolicy(admin, { workspaceId: a, channelId: 'C0A', change: { interception: true, requireMfa: false }, inherit: ['retentionDays'] })).toBe('saved');
    const event = await s.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'policy.changed', workspaceId: a }, orderBy: { seq: 'desc' } });
    expect(event.details).toMatchObject({ channelId: 'C0A', changed: ['interception', 'requireMfa'], before: { interception: false }, after: { interception: true } });
    const count = await s.db.prisma.auditEvent.count({ where: { action: 'policy.changed' } });
    expect(await changePolicy(admin, { workspaceId: a, channelId: 'C0A', change: { interception: true, requireMfa: false }, inherit: ['retentionDays'] })).toBe('unchanged');
    expect(await s.db.prisma.auditEvent.count({ where: { action: 'policy.changed' } })).toBe(count);
    await expect(changePolicy(admin, { workspaceId: a, channelId: 'C0 A;drop', change: { interception: true }, inherit: [] })).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('lets a privacy officer hold in any workspace but not change a policy', async () => {
    await expect(changePolicy(officer, { workspaceId: a, channelId: 'C0A', change: { interception: false }, inherit: [] })).rejects.toMatchObject(forbidden);
    expect(await placeHold(officer, { workspaceId: b, scope: 'channel', targetId: 'C0B', reason: 'records request' })).toEqual({ ok: true });
  });

  it('refuses an admin a hold in another workspace, placing or lifting, whatever the ids', async () => {
    await expect(placeHold(admin, { workspaceId: b, scope: 'channel', targetId: '*', reason: 'x' })).rejects.toMatchObject(forbidden);
    const held = await s.legalHolds.place(b, { scope: 'channel', targetId: 'C0B2' }, 'claim', { type: 'user', id: 'officer-sub' });
    await expect(liftHold(admin, { holdId: held.id, reason: 'done' })).rejects.toMatchObject(forbidden);
    expect((await s.legalHolds.list([b])).some((h) => h.id === held.id)).toBe(true);
    expect(await placeHold(admin, { workspaceId: a, scope: 'channel', targetId: 'C0A', reason: '   ' })).toEqual({ ok: false, problem: 'reason' });
    expect(await placeHold(admin, { workspaceId: a, scope: 'asset', targetId: 'not-an-id', reason: 'claim' })).toEqual({ ok: false, problem: 'target' });
  });
});
