// The viewer's short memory of its decisions: an allow lasts one window, a
// refusal ends it at once, repeated refusals count once per window, and it
// holds a bounded number of entries.
import { describe, expect, it } from 'vitest';
import { ViewDecisions } from '../../../src/app/viewer/view-decisions.js';
import { TestClock } from './viewer-fixture.js';

describe('view decisions', () => {
  it('reuses an allow for its window only, and forgets it at the first refusal', () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions<string>(clock, 1000);
    d.allow('a', 'allowed');
    clock.advance(999);
    expect(d.reusable('a')).toBe('allowed');
    clock.advance(1);
    expect(d.reusable('a')).toBeUndefined();
    d.allow('a', 'allowed');
    expect(d.refuse('a')).toBe(true);
    expect(d.reusable('a')).toBeUndefined();
  });

  it('counts a refusal once per window', () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions<string>(clock, 1000);
    expect([d.refuse('a'), d.refuse('a'), d.refuse('b')]).toEqual([true, false, true]);
    clock.advance(1000);
    expect(d.refuse('a')).toBe(true);
  });

  it('holds a bounded number of decisions, the oldest giving way', () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions<number>(clock, 60_000, 3);
    for (let i = 0; i < 4; i++) d.allow(`k${i}`, i);
    expect([0, 1, 2, 3].map((i) => d.reusable(`k${i}`))).toEqual([undefined, 1, 2, 3]);
  });
});
