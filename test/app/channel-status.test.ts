// A channel's status: counts and settings only, for that channel alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelStatus } from '../../src/app/channel-status.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { CHANNEL, consultWithCard } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');

describe.each(testEngines())('channelStatus on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock: { now: () => NOW } });
  });
  afterAll(() => s?.cleanup());

  it('counts uploads by outcome, cards by state and originals still in the channel', async () => {
    const team = 'T0STATUS';
    const first = await consultWithCard(s, NOW, { team });
    const second = await consultWithCard(s, NOW, { team, cardState: 'waiting_for_patient' });
    await s.db.prisma.asset.update({ where: { id: second.assetId }, data: { removal: 'requested' } });
    await s.policies.change(first.workspaceId, CHANNEL, { interception: true }, { type: 'admin', id: 'UADMIN' });
    expect(await channelStatus(s, { workspaceId: first.workspaceId, channelId: CHANNEL })).toEqual({
      interception: true,
      uploads: { seen: 2, stored: 2, failed: 0, revoked: 0 },
      cards: { active: 1, waitingForPatient: 1, expired: 0, revoked: 0 },
      originalsInChannel: 1,
    });
    expect((await channelStatus(s, { workspaceId: first.workspaceId, channelId: 'C0ELSEWHERE' })).uploads.seen).toBe(0);
  });
});
