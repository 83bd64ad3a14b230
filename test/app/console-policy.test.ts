// The console's policy and hold use cases decide by the workspace they
// touch: an admin of one workspace is refused another's ids, audited, and
// nothing changes; a privacy officer holds but does not change policies; a
// Teams team's owner runs their team's channels and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePolicy, policyForEdit } from '../../src/app/console/change-policy.js';
import type { ConsoleCaller } from '../../src/app/console/console-caller.js';
import { consoleAccess } from '../../src/app/console/console-access.js';
import { holdsView, liftHold, placeHold } from '../../src/app/console/legal-hold.js';
import { policyOverview } from '../../src/app/console/channels.js';
import { ErrorCode } from '../../src/core/errors.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { JobQueue } from '../../src/storage/job-queue.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const RULES = { privacyOfficerGroups: ['privacy'], requireMfa: true };

describe.each(testEngines())('console policy and hold use cases on %s', (engine) => {
  let s: TestStorage;
  let a: string;
  let b: string;
  let admin: ConsoleCaller;
  let officer: ConsoleCaller;
  let owner: ConsoleCaller;
  const forbidden = { code: ErrorCode.Forbidden };

  beforeAll(async () => {
    s = await createTestStorage(engine, { clock: { now: () => NOW } });
    a = (await s.workspaces.ensure('slack', 'T0A', 'Hospital A', { type: 'system', id: 'test' })).id;
    b = (await s.workspaces.ensure('slack', 'T0B', 'Hospital B', { type: 'system', id: 'test' })).id;
    // The admin's sign-in is linked to a chat account in workspace A, whose platform names it an admin; the officer's to none;
    // the team owner's to one in A and one in B, whose platform names it the owner of a team with channels C0A-TEAM and C0A-TEAM2 in A.
    const deps = (id: string): Parameters<typeof consoleAccess>[0] => ({
      links: {
        linksOf: async () =>
          id === 'admin-sub' ? [{ workspaceId: a, chatUserId: 'UADMIN' }] : id === 'owner-sub' ? [{ workspaceId: a, chatUserId: 'UOWNER' }, { workspaceId: b, chatUserId: 'UOWNER' }] : [],
      },
      directory: {
        isAdmin: async (ws, user) => ws === a && user === 'UADMIN',
        channelsAdministered: async (ws, user) => (ws === a && user === 'UOWNER' ? ['C0A-TEAM', 'C0A-TEAM2'] : []),
      },
      rules: RULES,
      mfaAcr: ['mfa'],
    });
    const caller = async (groups: string[], id: string): Promise<ConsoleCaller> => ({
      storage: s,
      queue: new JobQueue({ db: s.db, clock: { now: () => NOW }, audit: s.audit }),
      access: await consoleAccess(deps(id), { issuer: 'https://idp', subject: id, groups, acr: 'mfa', amr: [] }),
      actor: { type: 'user', id },
      requestId: 'req-1',
      clock: { now: () => NOW },
    });
    admin = await caller([], 'admin-sub');
    officer = await caller(['privacy'], 'officer-sub');
    owner = await caller([], 'owner-sub');
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
    // The console request that asked, so the trail ties the change to the page's request id.
    expect(event.requestId).toBe('req-1');
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
    // A reason naming a patient (found by the workspace's identifier pattern) is a form problem, and nothing is held.
    await s.policies.change(a, 'C0A-MRN', { identifierPattern: '\\b(MRN\\d{6})\\b' }, { type: 'admin', id: 'test' });
    expect(await placeHold(admin, { workspaceId: a, scope: 'channel', targetId: 'C0A', reason: 'complaint by MRN123456' })).toEqual({ ok: false, problem: 'names_patient' });
  });

  it('lets a team’s owner change their team’s channels only: not another channel, not the workspace default, not break-glass', async () => {
    const refusedBefore = await s.db.prisma.auditEvent.count({ where: { action: 'console.refused', actorId: 'owner-sub' } });
    expect(await changePolicy(owner, { workspaceId: a, channelId: 'C0A-TEAM', change: { cardLifetimeSeconds: 1800 }, inherit: [] })).toBe('saved');
    expect((await s.policies.effective(a, 'C0A-TEAM')).cardLifetimeSeconds).toBe(1800);
    await expect(changePolicy(owner, { workspaceId: a, channelId: 'C0A', change: { cardLifetimeSeconds: 1800 }, inherit: [] })).rejects.toMatchObject(forbidden);
    await expect(changePolicy(owner, { workspaceId: a, channelId: '*', change: { cardLifetimeSeconds: 1800 }, inherit: [] })).rejects.toMatchObject(forbidden);
    await expect(policyForEdit(owner, a, '*')).rejects.toMatchObject(forbidden);
    await expect(changePolicy(owner, { workspaceId: b, channelId: 'C0A-TEAM', change: { cardLifetimeSeconds: 1800 }, inherit: [] })).rejects.toMatchObject(forbidden);
    await expect(changePolicy(owner, { workspaceId: a, channelId: 'C0A-TEAM', change: { breakGlass: true }, inherit: [] })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    expect((await s.policies.resolved(a, 'C0A-TEAM')).policy.breakGlass).toBe(false);
    expect(await s.db.prisma.auditEvent.count({ where: { action: 'console.refused', actorId: 'owner-sub' } })).toBe(refusedBefore + 4);
    // The overview shows them their own channels, nothing of B, and the workspace default not at all.
    const overview = await policyOverview(owner);
    expect(overview.map((w) => [w.workspace.id, w.mayChange, w.rows.map((r) => [r.channelId, r.mayChange])])).toEqual([[a, false, [['C0A-TEAM', true], ['C0A-TEAM2', true]]]]);
  });

  it('lets a team’s owner hold their channels and their channels’ images only, and lift only their own holds', async () => {
    const consult = async (channelId: string) => s.db.prisma.consult.create({ data: { workspaceId: a, channelId, threadId: `${channelId}-${Math.random()}`, requesterId: 'U1' } });
    const inTeam = await s.db.prisma.asset.create({ data: { workspaceId: a, consultId: (await consult('C0A-TEAM')).id, uploaderId: 'U1', kind: 'photo', status: 'stored', sourceRef: 'F-team' } });
    const elsewhere = await s.db.prisma.asset.create({ data: { workspaceId: a, consultId: (await consult('C0A')).id, uploaderId: 'U1', kind: 'photo', status: 'stored', sourceRef: 'F-else' } });
    const patient = await s.patients.link(a, { identifier: 'MRN-OWNER-1', issuer: 'NORTH' }, { type: 'system', id: 'test' });
    expect(await placeHold(owner, { workspaceId: a, scope: 'channel', targetId: 'C0A-TEAM', reason: 'complaint 41' })).toEqual({ ok: true });
    expect(await placeHold(owner, { workspaceId: a, scope: 'asset', targetId: inTeam.id, reason: 'complaint 41' })).toEqual({ ok: true });
    await expect(placeHold(owner, { workspaceId: a, scope: 'asset', targetId: elsewhere.id, reason: 'x' })).rejects.toMatchObject(forbidden);
    await expect(placeHold(owner, { workspaceId: a, scope: 'channel', targetId: 'C0A', reason: 'x' })).rejects.toMatchObject(forbidden);
    await expect(placeHold(owner, { workspaceId: a, scope: 'channel', targetId: '*', reason: 'x' })).rejects.toMatchObject(forbidden);
    await expect(placeHold(owner, { workspaceId: a, scope: 'patient', targetId: patient, reason: 'x' })).rejects.toMatchObject(forbidden);
    await expect(placeHold(owner, { workspaceId: b, scope: 'channel', targetId: 'C0A-TEAM', reason: 'x' })).rejects.toMatchObject(forbidden);
    // A typing slip in their own workspace is a form problem, not a refusal.
    expect(await placeHold(owner, { workspaceId: a, scope: 'asset', targetId: 'not-an-id', reason: 'x' })).toEqual({ ok: false, problem: 'target' });
    // The admin's hold on the owner's channel and on another channel: the owner sees the first, lifts neither.
    const admins = await s.legalHolds.place(a, { scope: 'channel', targetId: 'C0A-TEAM2' }, 'claim', { type: 'user', id: 'admin-sub' });
    const other = await s.legalHolds.place(a, { scope: 'asset', targetId: elsewhere.id }, 'claim', { type: 'user', id: 'admin-sub' });
    await expect(liftHold(owner, { holdId: admins.id, reason: 'done' })).rejects.toMatchObject(forbidden);
    await expect(liftHold(owner, { holdId: other.id, reason: 'done' })).rejects.toMatchObject(forbidden);
    const view = await holdsView(owner);
    const shown = view.inForce.map((h) => h.targetId);
    expect(shown).toEqual(expect.arrayContaining(['C0A-TEAM', inTeam.id, 'C0A-TEAM2']));
    expect(shown).not.toContain(elsewhere.id);
    expect(shown).not.toContain('C0A');
    expect(view.workspaces).toEqual([{ id: a, name: 'Hospital A', channels: ['C0A-TEAM', 'C0A-TEAM2'], whole: false }]);
    const mine = view.inForce.find((h) => h.targetId === 'C0A-TEAM')!;
    expect(await liftHold(owner, { holdId: mine.id, reason: 'resolved' })).toEqual({ ok: true });
    expect((await s.legalHolds.list([a])).some((h) => h.id === mine.id)).toBe(false);
    expect((await s.legalHolds.list([a])).some((h) => h.id === admins.id)).toBe(true);
  });

  it('says when a chat platform did not answer, rather than that the person has no role', async () => {
    const ask = (fails: boolean) =>
      consoleAccess(
        {
          links: { linksOf: async () => [{ workspaceId: a, chatUserId: 'UOWNER' }] },
          directory: {
            isAdmin: async () => false,
            channelsAdministered: async () => {
              if (fails) throw new Error('Microsoft Graph refused to list the user’s teams (HTTP 429)');
              return [];
            },
          },
          rules: RULES,
          mfaAcr: ['mfa'],
        },
        { issuer: 'https://idp', subject: 'owner-sub', groups: [], acr: 'mfa', amr: [] },
      );
    const unanswered = await ask(true);
    expect([unanswered.may('read_policies').allow, unanswered.platformUnanswered]).toEqual([false, true]);
    expect((await ask(false)).platformUnanswered).toBe(false);
  });
});
