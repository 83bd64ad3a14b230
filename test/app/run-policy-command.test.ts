// The policy command: only admins see or change a policy; `workspace` scopes
// it to the default; a change is audited; a command not understood says what
// was wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPolicyCommand } from '../../src/app/run-policy-command.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { CHANNEL, consultWithCard } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const ADMIN = { userId: 'UADMIN', isAdmin: true };

describe.each(testEngines())('runPolicyCommand on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock: { now: () => NOW } });
  });
  afterAll(() => s?.cleanup());
  const deps = (pacsConfigured = false) => ({ policies: s.policies, db: s.db, clock: { now: () => NOW }, pacsConfigured });

  it('refuses a non-admin, changing nothing', async () => {
    const { workspaceId } = await consultWithCard(s, NOW);
    expect(await runPolicyCommand(deps(), { workspaceId, channelId: CHANNEL, who: { userId: 'UOTHER', isAdmin: false }, wholeWorkspace: false, text: 'set interception on' })).toEqual({ outcome: 'not_admin' });
    expect((await s.policies.effective(workspaceId, CHANNEL)).interception).toBe(false);
  });

  it('changes the channel or the workspace default for an admin, audited', async () => {
    const { workspaceId } = await consultWithCard(s, NOW);
    const changed = await runPolicyCommand(deps(), { workspaceId, channelId: CHANNEL, who: ADMIN, wholeWorkspace: true, text: 'set interception on' });
    expect(changed).toMatchObject({ outcome: 'changed', scope: 'channel', policy: { interception: true } });
    expect((await s.policies.effective(workspaceId, 'C0ELSEWHERE')).interception).toBe(false);
    await runPolicyCommand(deps(), { workspaceId, channelId: CHANNEL, who: ADMIN, wholeWorkspace: true, text: 'workspace set lifetime 7d' });
    expect((await s.policies.effective(workspaceId, 'C0ELSEWHERE')).cardLifetimeSeconds).toBe(7 * 86400);
    expect(await s.db.prisma.auditEvent.count({ where: { workspaceId, action: 'policy.changed', actorId: ADMIN.userId } })).toBe(2);
    expect(await runPolicyCommand(deps(), { workspaceId, channelId: CHANNEL, who: ADMIN, wholeWorkspace: true, text: 'workspace' })).toMatchObject({ outcome: 'shown', scope: 'workspace', policy: { cardLifetimeSeconds: 7 * 86400 } });
  });

  it('warns, when images go to the PACS automatically, that none is configured (and not when one is)', async () => {
    const { workspaceId } = await consultWithCard(s, NOW);
    const run = (text: string, pacsConfigured: boolean) => runPolicyCommand(deps(pacsConfigured), { workspaceId, channelId: CHANNEL, who: ADMIN, wholeWorkspace: true, text });
    expect(await run('set pacs automatic', false)).toMatchObject({ outcome: 'changed', policy: { pacsExport: 'automatic' }, noPacs: true });
    expect(await run('', false)).toMatchObject({ outcome: 'shown', noPacs: true });
    expect(await run('', true)).toMatchObject({ outcome: 'shown', noPacs: false });
    expect(await run('set pacs on_request', false)).toMatchObject({ outcome: 'changed', policy: { pacsExport: 'on_request' }, noPacs: false });
  });

  it('says what was wrong with a command it did not understand', async () => {
    const { workspaceId } = await consultWithCard(s, NOW);
    expect(await runPolicyCommand(deps(), { workspaceId, channelId: CHANNEL, who: ADMIN, wholeWorkspace: true, text: 'set lifetime forever' })).toEqual({ outcome: 'invalid', problem: expect.stringContaining('lifetime is like') });
    expect(await runPolicyCommand(deps(), { workspaceId, channelId: CHANNEL, who: ADMIN, wholeWorkspace: true, text: 'frobnicate' })).toEqual({ outcome: 'invalid', problem: undefined });
  });

  it('lets an admin of this channel only (a Teams team’s owner) change it, but not the workspace default or break-glass', async () => {
    const { workspaceId } = await consultWithCard(s, NOW);
    const owner = { userId: 'UOWNER', isAdmin: true };
    const run = (text: string) => runPolicyCommand(deps(), { workspaceId, channelId: CHANNEL, who: owner, wholeWorkspace: false, text });
    expect(await run('set interception on')).toMatchObject({ outcome: 'changed', scope: 'channel' });
    expect(await run('workspace set retention 1d')).toEqual({ outcome: 'not_workspace_admin' });
    expect(await run('set breakglass on')).toEqual({ outcome: 'not_workspace_admin' });
    const after = await s.policies.resolved(workspaceId, 'C0ELSEWHERE');
    expect([after.policy.retentionDays, after.policy.breakGlass]).toEqual([365, false]);
    // Reading the default every channel follows is harmless.
    expect(await run('workspace')).toMatchObject({ outcome: 'shown', scope: 'workspace' });
    // A whole-workspace admin's break-glass, typed in a channel, is the workspace's, and says so.
    expect(await runPolicyCommand(deps(), { workspaceId, channelId: CHANNEL, who: ADMIN, wholeWorkspace: true, text: 'set breakglass on' })).toMatchObject({ outcome: 'changed', scope: 'workspace', policy: { breakGlass: true } });
  });

  it('asks before a shorter retention destroys images, and goes ahead with confirm', async () => {
    const { workspaceId, assetId } = await consultWithCard(s, NOW);
    await s.db.prisma.asset.update({ where: { id: assetId }, data: { status: 'stored', createdAt: new Date(NOW.getTime() - 40 * 86_400_000) } });
    const run = (text: string) => runPolicyCommand(deps(), { workspaceId, channelId: CHANNEL, who: ADMIN, wholeWorkspace: true, text });
    expect(await run('set retention 30d')).toEqual({ outcome: 'confirm_retention', due: 1, days: 30 });
    expect((await s.policies.effective(workspaceId, CHANNEL)).retentionDays).toBe(365);
    // Longer, or nothing old enough: no question.
    expect(await run('set retention 60d')).toMatchObject({ outcome: 'changed', policy: { retentionDays: 60 } });
    expect(await run('set retention 30d confirm')).toMatchObject({ outcome: 'changed', policy: { retentionDays: 30 } });
  });
});
