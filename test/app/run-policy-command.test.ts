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

  it('refuses a non-admin, changing nothing', async () => {
    const { workspaceId } = await consultWithCard(s, NOW);
    expect(await runPolicyCommand(s, { workspaceId, channelId: CHANNEL, who: { userId: 'UOTHER', isAdmin: false }, text: 'set interception on' })).toEqual({ outcome: 'not_admin' });
    expect((await s.policies.effective(workspaceId, CHANNEL)).interception).toBe(false);
  });

  it('changes the channel or the workspace default for an admin, audited', async () => {
    const { workspaceId } = await consultWithCard(s, NOW);
    const changed = await runPolicyCommand(s, { workspaceId, channelId: CHANNEL, who: ADMIN, text: 'set interception on' });
    expect(changed).toMatchObject({ outcome: 'changed', scope: 'channel', policy: { interception: true } });
    expect((await s.policies.effective(workspaceId, 'C0ELSEWHERE')).interception).toBe(false);
    await runPolicyCommand(s, { workspaceId, channelId: CHANNEL, who: ADMIN, text: 'workspace set lifetime 7d' });
    expect((await s.policies.effective(workspaceId, 'C0ELSEWHERE')).cardLifetimeSeconds).toBe(7 * 86400);
    expect(await s.db.prisma.auditEvent.count({ where: { workspaceId, action: 'policy.changed', actorId: ADMIN.userId } })).toBe(2);
    expect(await runPolicyCommand(s, { workspaceId, channelId: CHANNEL, who: ADMIN, text: 'workspace' })).toMatchObject({ outcome: 'shown', scope: 'workspace', policy: { cardLifetimeSeconds: 7 * 86400 } });
  });

  it('says what was wrong with a command it did not understand', async () => {
    const { workspaceId } = await consultWithCard(s, NOW);
    expect(await runPolicyCommand(s, { workspaceId, channelId: CHANNEL, who: ADMIN, text: 'set lifetime forever' })).toEqual({ outcome: 'invalid', problem: expect.stringContaining('lifetime is like') });
    expect(await runPolicyCommand(s, { workspaceId, channelId: CHANNEL, who: ADMIN, text: 'frobnicate' })).toEqual({ outcome: 'invalid', problem: undefined });
  });
});
