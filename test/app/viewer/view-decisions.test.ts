// The viewer's short memory of its decisions: an allow lasts one window from
// when its facts were read and no longer than they last, a refusal ends it at
// once (and outweighs an allow read before it), repeated refusals count once
// per window, and it holds a bounded number of entries.
import { describe, expect, it } from 'vitest';
import { ViewDecisions } from '../../../src/app/viewer/view-decisions.js';
import { TestClock } from './viewer-fixture.js';

describe('view decisions', () => {
  it('reuses an allow for its window only, and forgets it at the first refusal', () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions<string>(clock, 1000);
    d.allow('a', 'allowed', 0, Infinity);
    clock.advance(999);
    expect(d.reusable('a')).toBe('allowed');
    clock.advance(1);
    expect(d.reusable('a')).toBeUndefined();
    d.allow('a', 'allowed', clock.now().getTime(), Infinity);
    expect(d.refuse('a')).toBe(true);
    expect(d.reusable('a')).toBeUndefined();
  });

  it('counts the window from when the decision read its facts, and ends it when they expire', () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions<string>(clock, 1000);
    // A decision that read at 0 and took 700 ms (a slow directory call) stands until 1000, not 1700.
    clock.advance(700);
    d.allow('a', 'allowed', 0, Infinity);
    clock.advance(299);
    expect(d.reusable('a')).toBe('allowed');
    clock.advance(1);
    expect(d.reusable('a')).toBeUndefined();
    // One that took longer than the window is not kept at all.
    d.allow('b', 'allowed', 0, Infinity);
    expect(d.reusable('b')).toBeUndefined();
    // The card (or grant, or session) it read expires in 200 ms: so does the decision.
    d.allow('c', 'allowed', clock.now().getTime(), clock.now().getTime() + 200);
    clock.advance(200);
    expect(d.reusable('c')).toBeUndefined();
  });

  it('does not keep an allow read before a refusal of the same key, and audits the refusal after a new allow', () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions<string>(clock, 1000);
    const readAt = clock.now().getTime();
    clock.advance(10);
    // Meanwhile the card was revoked and another request refused.
    expect(d.refuse('a')).toBe(true);
    clock.advance(10);
    d.allow('a', 'allowed', readAt, Infinity);
    expect(d.reusable('a')).toBeUndefined();
    // A decision that read after the refusal and allowed stands; a refusal after it is the first again.
    d.allow('a', 'allowed', clock.now().getTime(), Infinity);
    expect(d.reusable('a')).toBe('allowed');
    expect(d.refuse('a')).toBe(true);
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
    for (let i = 0; i < 4; i++) d.allow(`k${i}`, i, 0, Infinity);
    expect([0, 1, 2, 3].map((i) => d.reusable(`k${i}`))).toEqual([undefined, 1, 2, 3]);
  });

  it('forgets a patient’s allows when their consent changes, keeps no allow read before the change, and leaves other patients’ alone', () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions<string>(clock, 1000);
    d.allow('a', 'allowed', 0, Infinity, 'patient-1');
    d.allow('b', 'allowed', 0, Infinity, 'patient-2');
    clock.advance(100);
    d.forgetPatient('patient-1');
    expect(d.reusable('a')).toBeUndefined();
    expect(d.reusable('b')).toBe('allowed');
    // A decision that read the consents just before the change and finished just after it is not kept.
    d.allow('a', 'allowed', 50, Infinity, 'patient-1');
    expect(d.reusable('a')).toBeUndefined();
    // One that read after it is.
    clock.advance(1);
    d.allow('a', 'allowed', clock.now().getTime(), Infinity, 'patient-1');
    expect(d.reusable('a')).toBe('allowed');
  });
});
