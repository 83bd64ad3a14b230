// Expiring cards whose time has come: once each, however many sweeps run,
// with their links revoked, an audit event and the redraw queued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDueCards } from '../../src/app/expire-cards.js';
import { AppJob } from '../../src/app/job-names.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { consultWithCard } from './fixtures.js';

const START = new Date('2026-03-01T10:00:00Z');

describe.each(testEngines())('expireDueCards on %s', (engine) => {
  let s: TestStorage;
  let now = START;
  const clock = { now: () => now };
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  it('expires a card once its lifetime is over, and only once', async () => {
    const { deps } = chatDeps(s, clock);
    const c = await consultWithCard(s, START);
    expect(await expireDueCards(deps)).toBe(0);
    now = new Date(START.getTime() + 3600_000);
    expect(await expireDueCards(deps)).toBe(1);
    expect(await expireDueCards(deps)).toBe(0);
    expect((await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId } })).state).toBe('expired');
    expect(await s.db.prisma.auditEvent.count({ where: { assetId: c.assetId, action: 'card.expired' } })).toBe(1);
    expect((await queued(s, AppJob.UpdateCard)).filter((j) => (j.payload as { cardId: string }).cardId === c.cardId)).toHaveLength(1);
  });
});
