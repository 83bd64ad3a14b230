// Redrawing a posted card: a live card gets a fresh link (earlier ones stop
// working), a dead one is redrawn without one; an unposted card is left be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redrawCard } from '../../src/app/redraw-card.js';
import { cardView } from '../../src/intake/card-view.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps } from './chat-deps.js';
import { consultWithCard } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };

describe.each(testEngines())('redrawCard on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  async function postedCard() {
    const { deps, chat } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    const row = await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId }, include: { asset: true } });
    const messageId = await chat.gateway.postCard(cardView(row, row.asset), 'https://loupe.example/view/FIRST');
    await s.db.prisma.card.update({ where: { id: c.cardId }, data: { messageId } });
    return { deps, chat, c, messageId };
  }

  it('gives a live card a fresh link, and only that one works', async () => {
    const p = await postedCard();
    await redrawCard(p.deps, { cardId: p.c.cardId });
    await redrawCard(p.deps, { cardId: p.c.cardId });
    const body = p.chat.messages.find((m) => m.id === p.messageId)!.body;
    expect(body).toMatch(/"viewUrl":"https:\/\/loupe\.example\/view\/[A-Za-z0-9_-]{43}"/);
    expect(body).not.toContain('FIRST');
    expect(await s.db.prisma.linkToken.count({ where: { cardId: p.c.cardId, revokedAt: null } })).toBe(1);
  });

  it('redraws a revoked card without a link', async () => {
    const p = await postedCard();
    await s.db.prisma.card.update({ where: { id: p.c.cardId }, data: { state: 'revoked' } });
    await redrawCard(p.deps, { cardId: p.c.cardId });
    const body = p.chat.messages.find((m) => m.id === p.messageId)!.body;
    expect(body).toContain('"state":"revoked"');
    expect(body).not.toContain('viewUrl');
  });

  it('leaves a card that was never posted alone', async () => {
    const { deps, chat } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    await redrawCard(deps, { cardId: c.cardId });
    expect(chat.messages).toEqual([]);
  });
});
