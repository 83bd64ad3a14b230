// Delivering an ingest's outcome to the chat: the card posted once and
// recorded with its audit event, the patient prompt while it waits for one;
// a failure told to the uploader, and to the admins when someone must look.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverCard } from '../../src/app/deliver-card.js';
import { ErrorCode } from '../../src/core/errors.js';
import { cardView } from '../../src/intake/card-view.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps } from './chat-deps.js';
import { CHANNEL, consultWithCard, REQUESTER } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };

describe.each(testEngines())('deliverCard on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  async function stored(cardState: 'active' | 'waiting_for_patient') {
    const c = await consultWithCard(s, NOW, { cardState });
    const card = await s.db.prisma.card.findUniqueOrThrow({ where: { id: c.cardId }, include: { asset: true } });
    return { c, result: { outcome: 'stored' as const, card: cardView(card, card.asset), linkToken: 'TOKEN-1', warnings: [] } };
  }
  const posted = (cardId: string) => s.db.prisma.card.findUniqueOrThrow({ where: { id: cardId } });

  it('posts an active card with its link, records its message and audits it, once', async () => {
    const { deps, chat } = chatDeps(s, clock);
    const { c, result } = await stored('active');
    await deliverCard(deps, { assetId: c.assetId, result, mayHavePosted: false });
    const cards = chat.messages.filter((m) => m.body.includes(`"card":"${c.cardId}"`));
    expect(cards).toHaveLength(1);
    expect(cards[0]!.body).toContain('https://loupe.example/view/TOKEN-1');
    expect((await posted(c.cardId)).messageId).toBe(cards[0]!.id);
    expect(await s.db.prisma.auditEvent.count({ where: { action: 'card.posted', assetId: c.assetId } })).toBe(1);
    expect(chat.notices).toEqual([]);
    // Delivered again (a retried job): the recorded card is not posted twice.
    await deliverCard(deps, { assetId: c.assetId, result, mayHavePosted: true });
    expect(chat.messages.filter((m) => m.body.includes(`"card":"${c.cardId}"`))).toHaveLength(1);
  });

  it('finds a card a run that died had posted, instead of posting it again', async () => {
    const { deps, chat } = chatDeps(s, clock);
    const { c, result } = await stored('active');
    const earlier = await chat.gateway.postCard(result.card, 'https://loupe.example/view/OLD');
    await deliverCard(deps, { assetId: c.assetId, result: { ...result, linkToken: undefined }, mayHavePosted: true });
    expect(chat.messages.filter((m) => m.body.includes(`"card":"${c.cardId}"`))).toHaveLength(1);
    expect((await posted(c.cardId)).messageId).toBe(earlier);
  });

  it('asks the uploader privately for the patient while the card waits for one', async () => {
    const { deps, chat } = chatDeps(s, clock);
    const { c, result } = await stored('waiting_for_patient');
    await deliverCard(deps, { assetId: c.assetId, result, mayHavePosted: false });
    expect(chat.notices).toEqual([{ to: { user: REQUESTER }, notice: { kind: 'patient_prompt', cardId: c.cardId } }]);
  });

  it('tells the uploader why an upload failed, and the admins when Loupe kept the original or could not finish', async () => {
    const { deps, chat } = chatDeps(s, clock);
    const corrupt = await consultWithCard(s, NOW);
    await deliverCard(deps, { assetId: corrupt.assetId, result: { outcome: 'failed', code: ErrorCode.ImageCorrupt, originalKept: false }, mayHavePosted: false });
    expect(chat.notices).toEqual([{ to: { user: REQUESTER }, notice: { kind: 'upload_failed', code: ErrorCode.ImageCorrupt, originalKept: false } }]);
    const kept = await consultWithCard(s, NOW);
    await deliverCard(deps, { assetId: kept.assetId, result: { outcome: 'failed', code: ErrorCode.ImageUnsupported, originalKept: true }, mayHavePosted: false });
    expect(chat.notices.slice(1)).toEqual([
      { to: { user: REQUESTER }, notice: { kind: 'upload_failed', code: ErrorCode.ImageUnsupported, originalKept: true } },
      { to: { admins: CHANNEL }, notice: { kind: 'upload_failed_alert', originalKept: true } },
    ]);
    expect(chat.messages.some((m) => m.body.includes('"card"'))).toBe(false);
  });

  it('tells only the uploader, privately, that the channel does not take an image of its kind, and posts no card', async () => {
    const { deps, chat } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    await deliverCard(deps, { assetId: c.assetId, result: { outcome: 'not_accepted', family: 'dicom', accepted: ['photo'] }, mayHavePosted: false });
    expect(chat.notices).toEqual([{ to: { user: REQUESTER }, notice: { kind: 'kind_not_accepted', family: 'dicom', accepted: ['photo'] } }]);
    expect(chat.messages.some((m) => m.body.includes('"card"'))).toBe(false);
  });

  it('says nothing about an upload it left alone', async () => {
    const { deps, chat } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    await deliverCard(deps, { assetId: c.assetId, result: { outcome: 'left_alone', reason: 'not an image' }, mayHavePosted: false });
    expect(chat.messages).toEqual([]);
  });
});
