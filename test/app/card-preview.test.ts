// A card's preview through its life: placed once, on the first drawing, as
// the bot's own file, when the channel's policy says "deidentified"; taken
// off the platform when the card expires, is revoked, its image is shredded,
// its patient's consent is withdrawn, or the policy goes back to none; never
// placed where the policy is none or the image may show who the patient is.
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../src/app/consent/record-consent.js';
import { redrawCard } from '../../src/app/redraw-card.js';
import { cardView } from '../../src/intake/card-view.js';
import { JobQueue } from '../../src/storage/job-queue.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { chatDeps, queued } from './chat-deps.js';
import { AppJob } from '../../src/app/job-names.js';
import { withdrawDisallowedPreviews } from '../../src/app/preview-sweep.js';
import { CHANNEL, consultWithCard } from './fixtures.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const clock = { now: () => NOW };
const ADMIN = { type: 'admin', id: 'U0ADMIN001' } as const;

/** A 512 px preview of fine black-and-white squares: detail a blur must not keep. */
const checkerboard = () => {
  const size = 512;
  const px = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) px.fill(((x >> 3) + (y >> 3)) % 2 ? 255 : 0, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return sharp(px, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
};

/** The darkest to the brightest sample. */
const range = (data: Buffer) => {
  let lo = 255;
  let hi = 0;
  for (const v of data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return hi - lo;
};

describe.each(testEngines())('card previews on %s', (engine) => {
  let s: TestStorage;
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock });
  });
  afterAll(() => s?.cleanup());

  /** A posted card of a photo with a stored preview, in a channel whose policy allows previews (unless `mode` says none). */
  async function postedCard(o: { mode?: 'none' | 'deidentified'; metadata?: Record<string, unknown>; consentRule?: 'always_required'; draw?: false; preview?: Buffer } = {}) {
    const { deps, chat } = chatDeps(s, clock);
    const c = await consultWithCard(s, NOW);
    if (o.metadata) await s.db.prisma.asset.update({ where: { id: c.assetId }, data: { metadata: o.metadata as never, kind: 'dicom_instance' } });
    await s.blobs.put({ assetId: c.assetId, kind: 'preview', mediaType: 'image/jpeg', body: Readable.from([o.preview ?? (await checkerboard())]), actor: { type: 'system', id: 'test' } });
    await s.policies.change(c.workspaceId, CHANNEL, { previewMode: o.mode ?? 'deidentified', ...(o.consentRule ? { consentRule: o.consentRule } : {}) }, ADMIN);
    const first = await row(c.cardId);
    const messageId = await chat.gateway.postCard(cardView(first, first.asset), 'https://loupe.example/view/FIRST');
    await s.db.prisma.card.update({ where: { id: c.cardId }, data: { messageId } });
    if (o.draw !== false) await redrawCard(deps, { cardId: c.cardId });
    return { deps, chat, c, messageId };
  }
  const row = (cardId: string) => s.db.prisma.card.findUniqueOrThrow({ where: { id: cardId }, include: { asset: true } });
  const lastCard = (chat: Awaited<ReturnType<typeof postedCard>>['chat'], messageId: string) => chat.messages.find((m) => m.id === messageId)!.card!;
  const events = (assetId: string, action: string) => s.db.prisma.auditEvent.findMany({ where: { assetId, action } });

  it('places a blurred photo preview once, as the bot’s own file, with its audit event', async () => {
    const p = await postedCard();
    await redrawCard(p.deps, { cardId: p.c.cardId });
    const card = await row(p.c.cardId);
    expect(card.previewRef).toBe('P1');
    expect([...p.chat.previews.keys()]).toEqual(['P1']);
    const shown = lastCard(p.chat, p.messageId).preview!;
    expect(shown.ref).toBe('P1');
    // Small, and with nothing of the squares left: from its darkest to its brightest pixel, a few shades of grey.
    const { data, info } = await sharp(shown.image.data).raw().toBuffer({ resolveWithObject: true });
    expect(Math.max(info.width, info.height)).toBeLessThanOrEqual(240);
    expect(range(data)).toBeLessThan(60);
    expect(shown.image.altText).toMatch(/blurred/i);
    const posted = await events(p.c.assetId, 'card.preview_posted');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.details).toEqual({ style: 'blurred' });
  });

  it('keeps one preview when two drawings place one at once, and deletes the other at once', async () => {
    const p = await postedCard({ draw: false });
    await Promise.all([redrawCard(p.deps, { cardId: p.c.cardId }), redrawCard(p.deps, { cardId: p.c.cardId })]);
    const standing = (await row(p.c.cardId)).previewRef;
    expect(standing).not.toBeNull();
    const placed = [...p.chat.previews.entries()];
    expect(placed.filter(([, f]) => !f.deleted).map(([ref]) => ref)).toEqual([standing]);
    expect(await events(p.c.assetId, 'card.preview_posted')).toHaveLength(1);
  });

  it('posts the card without a preview when one cannot be made, and says so in the audit trail', async () => {
    const p = await postedCard({ preview: Buffer.from('not an image at all') });
    expect(p.chat.previews.size).toBe(0);
    expect(lastCard(p.chat, p.messageId).preview).toBeUndefined();
    expect(lastCard(p.chat, p.messageId).state).toBe('active');
    const failed = await events(p.c.assetId, 'card.preview_posted');
    expect(failed.map((e) => [e.outcome, e.details])).toEqual([['failure', { style: 'blurred', code: 'LOUPE_IMAGE_CORRUPT' }]]);
  });

  it('takes down the preview of a card that died before it was ever posted, found by the card sweep', async () => {
    const p = await postedCard();
    // Its posting failed for good (the message gone), then it was revoked: no redraw had a message to redraw.
    await s.db.prisma.card.update({ where: { id: p.c.cardId }, data: { messageId: null, state: 'revoked' } });
    expect(await withdrawDisallowedPreviews({ ...p.deps, policies: s.policies })).toBe(1);
    await redrawCard(p.deps, { cardId: p.c.cardId, keepLinks: true });
    expect(p.chat.previews.get('P1')?.deleted).toBe(true);
    expect((await row(p.c.cardId)).previewRef).toBeNull();
    expect(await events(p.c.assetId, 'card.preview_removed')).toHaveLength(1);
  });

  for (const [why, change] of [
    ['expires', { state: 'expired' }],
    ['is revoked', { state: 'revoked' }],
    ['is deleted under retention', { state: 'deleted' }],
  ] as const) {
    it(`deletes the preview from the platform when the card ${why}, and redraws it without one`, async () => {
      const p = await postedCard();
      await s.db.prisma.card.update({ where: { id: p.c.cardId }, data: change });
      await redrawCard(p.deps, { cardId: p.c.cardId });
      await redrawCard(p.deps, { cardId: p.c.cardId });
      expect(p.chat.previews.get('P1')?.deleted).toBe(true);
      expect(lastCard(p.chat, p.messageId).preview).toBeUndefined();
      expect((await row(p.c.cardId)).previewRef).toBeNull();
      expect(await events(p.c.assetId, 'card.preview_removed')).toHaveLength(1);
    });
  }

  it('deletes the preview when the patient’s consent no longer covers viewing', async () => {
    const p = await postedCard();
    const queue = new JobQueue({ db: s.db, clock, audit: s.audit });
    const consent = await recordConsent(
      { ...s, clock, queue },
      {
        workspaceId: p.c.workspaceId,
        patient: { identifier: 'MRN-PREVIEW-1', issuer: 'LOCAL' },
        terms: { decision: 'deny', purposes: ['care'], parties: ['care_team'], dataKinds: ['photo'], validFrom: new Date('2026-01-01T00:00:00Z') },
        recorder: { kind: 'chat_user', id: 'U-NURSE' },
        via: 'chat_slack',
      },
    );
    await s.db.prisma.asset.update({ where: { id: p.c.assetId }, data: { patientId: consent.patientId } });
    await redrawCard(p.deps, { cardId: p.c.cardId, keepLinks: true });
    expect(p.chat.previews.get('P1')?.deleted).toBe(true);
    expect(lastCard(p.chat, p.messageId)).toMatchObject({ consentWithdrawn: true, preview: undefined });
  });

  it('deletes the preview when the channel’s policy goes back to none, found by the card sweep', async () => {
    const p = await postedCard();
    await s.policies.change(p.c.workspaceId, CHANNEL, { previewMode: 'none' }, ADMIN);
    // The card sweep finds it and queues its redraw (once), keeping its links.
    expect(await withdrawDisallowedPreviews({ ...p.deps, policies: s.policies })).toBe(1);
    const jobs = (await queued(s, AppJob.UpdateCard)).filter((j) => (j.payload as { cardId?: string }).cardId === p.c.cardId);
    expect(jobs.map((j) => j.payload)).toEqual([{ cardId: p.c.cardId, keepLinks: true }]);
    await redrawCard(p.deps, { cardId: p.c.cardId, keepLinks: true });
    expect(await withdrawDisallowedPreviews({ ...p.deps, policies: s.policies })).toBe(0);
    expect(p.chat.previews.get('P1')?.deleted).toBe(true);
    expect(lastCard(p.chat, p.messageId).preview).toBeUndefined();
  });

  it('places nothing where the policy is none, for a DICOM image not known to be free of burned-in text, or without a consent the policy requires', async () => {
    const none = await postedCard({ mode: 'none' });
    expect(none.chat.previews.size).toBe(0);
    expect((await row(none.c.cardId)).previewRef).toBeNull();
    const unknown = await postedCard({ metadata: { family: 'dicom', modality: 'US' } });
    expect(unknown.chat.previews.size).toBe(0);
    // Where every view needs a recorded consent, an image with none has no preview either.
    const unconsented = await postedCard({ consentRule: 'always_required' });
    expect(unconsented.chat.previews.size).toBe(0);
    // Known to be free of it: shown as it is (small), not blurred.
    const clean = await postedCard({ metadata: { family: 'dicom', modality: 'CT', burnedInAbsent: true } });
    expect(clean.chat.previews.size).toBe(1);
    const { data } = await sharp(lastCard(clean.chat, clean.messageId).preview!.image.data).raw().toBuffer({ resolveWithObject: true });
    expect(range(data)).toBeGreaterThan(150);
    expect((await events(clean.c.assetId, 'card.preview_posted'))[0]!.details).toEqual({ style: 'plain' });
  });
});
