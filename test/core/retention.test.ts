// Retention: an asset goes only once its retention has ended, never under a
// hold on it, its patient or its channel, and never while being secured.
import { describe, expect, it } from 'vitest';
import { mayShredForRetention, retentionEnd, type RetentionFacts } from '../../src/core/policy/retention.js';

const received = new Date('2026-01-01T00:00:00Z');
const facts = (over: Partial<RetentionFacts> = {}): RetentionFacts => ({ status: 'stored', receivedAt: received, retentionDays: 30, held: { asset: false, patient: false, channel: false }, ...over });
const day = (n: number) => new Date(received.getTime() + n * 24 * 3600 * 1000);

describe('retention', () => {
  it('ends a whole number of days after Loupe received the asset; no setting keeps it', () => {
    expect(retentionEnd(received, 30)).toEqual(day(30));
    for (const none of [null, undefined, 0, -5, 1.5]) expect(retentionEnd(received, none)).toBeUndefined();
  });

  it('lets the sweep shred an asset once its retention has ended, and not a moment before', () => {
    expect(mayShredForRetention(facts(), new Date(day(30).getTime() - 1))).toEqual({ allow: false, reason: 'not_due' });
    expect(mayShredForRetention(facts(), day(30))).toEqual({ allow: true });
    expect(mayShredForRetention(facts({ status: 'revoked' }), day(31))).toEqual({ allow: true });
  });

  it('keeps an asset under a hold on it, its patient or its channel, whatever the date', () => {
    for (const held of [{ asset: true, patient: false, channel: false }, { asset: false, patient: true, channel: false }, { asset: false, patient: false, channel: true }]) {
      expect(mayShredForRetention(facts({ held }), day(3650))).toEqual({ allow: false, reason: 'held' });
    }
  });

  it('never touches an asset being secured, one already shredded, or one with no retention', () => {
    expect(mayShredForRetention(facts({ status: 'processing' }), day(90))).toEqual({ allow: false, reason: 'in_progress' });
    expect(mayShredForRetention(facts({ status: 'received' }), day(90))).toEqual({ allow: false, reason: 'in_progress' });
    expect(mayShredForRetention(facts({ status: 'shredded' }), day(90))).toEqual({ allow: false, reason: 'already_shredded' });
    expect(mayShredForRetention(facts({ retentionDays: null }), day(9000))).toEqual({ allow: false, reason: 'no_retention' });
  });
});
