// The viewer's memory of its audited decisions: an allow is audited once per
// window and basis, again after a refusal or a consent change, never left
// unaudited when its event could not be written; repeated poll refusals count
// once per short window; the chat directory is asked once per short window;
// it holds a bounded number of entries.
import { describe, expect, it } from 'vitest';
import { ViewDecisions } from '../../../src/app/viewer/view-decisions.js';
import { TestClock } from './viewer-fixture.js';

describe('view decisions', () => {
  const counter = () => {
    const c = { writes: 0, write: async () => void c.writes++ };
    return c;
  };

  it('audits an allow once per window and basis, and again after a refusal', async () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions(clock, { auditWindowMs: 1000 });
    const c = counter();
    await d.auditAllow('a', 'grant-1', null, c.write);
    clock.advance(999);
    await d.auditAllow('a', 'grant-1', null, c.write);
    expect(c.writes).toBe(1);
    // Another basis (another grant) is another decision.
    await d.auditAllow('a', 'grant-2', null, c.write);
    expect(c.writes).toBe(2);
    clock.advance(1000);
    await d.auditAllow('a', 'grant-2', null, c.write);
    expect(c.writes).toBe(3);
    expect(d.refuse('a')).toBe(true);
    await d.auditAllow('a', 'grant-2', null, c.write);
    expect(c.writes).toBe(4);
    // The page and the details are audited every time, and count for the pixels after them.
    await d.auditAllow('b', 'grant-1', null, c.write, true);
    await d.auditAllow('b', 'grant-1', null, c.write, true);
    await d.auditAllow('b', 'grant-1', null, c.write);
    expect(c.writes).toBe(6);
  });

  it('writes one event for allows at the same moment, serves none before it is written, and writes again when it failed', async () => {
    const d = new ViewDecisions(new TestClock(0));
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    let writes = 0;
    const order: string[] = [];
    const first = d.auditAllow('a', 'g', null, async () => (writes++, await slow, order.push('written')));
    const second = d.auditAllow('a', 'g', null, async () => void writes++).then(() => order.push('second served'));
    release();
    await Promise.all([first, second]);
    expect(writes).toBe(1);
    expect(order).toEqual(['written', 'second served']);

    await expect(d.auditAllow('b', 'g', null, () => Promise.reject(new Error('audit unavailable')))).rejects.toThrow('audit unavailable');
    const c = counter();
    await d.auditAllow('b', 'g', null, c.write);
    expect(c.writes).toBe(1);
  });

  it('counts a refusal once per short window', () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions(clock, { shortWindowMs: 1000 });
    expect([d.refuse('a'), d.refuse('a'), d.refuse('b')]).toEqual([true, false, true]);
    clock.advance(1000);
    expect(d.refuse('a')).toBe(true);
  });

  it('holds a bounded number of audited allows, the oldest audited afresh', async () => {
    const d = new ViewDecisions(new TestClock(0), { maxEntries: 3 });
    const c = counter();
    for (let i = 0; i < 4; i++) await d.auditAllow(`k${i}`, 'g', null, c.write);
    for (let i = 3; i >= 1; i--) await d.auditAllow(`k${i}`, 'g', null, c.write);
    expect(c.writes).toBe(4);
    await d.auditAllow('k0', 'g', null, c.write);
    expect(c.writes).toBe(5);
  });

  it('audits a patient’s next allows after their consent changes, and leaves other patients’ alone', async () => {
    const d = new ViewDecisions(new TestClock(0));
    const c = counter();
    await d.auditAllow('a', 'g', 'patient-1', c.write);
    await d.auditAllow('b', 'g', 'patient-2', c.write);
    d.forgetPatient('patient-1');
    await d.auditAllow('a', 'g', 'patient-1', c.write);
    await d.auditAllow('b', 'g', 'patient-2', c.write);
    expect(c.writes).toBe(3);
  });

  it('asks the chat directory once per short window', async () => {
    const clock = new TestClock(0);
    const d = new ViewDecisions(clock, { shortWindowMs: 1000 });
    let asked = 0;
    const ask = async () => (asked++, true);
    expect(await d.channelMember('w', 'c', 'u', ask)).toBe(true);
    expect(await d.channelMember('w', 'c', 'u', ask)).toBe(true);
    expect(asked).toBe(1);
    clock.advance(1000);
    await d.channelMember('w', 'c', 'u', ask);
    expect(asked).toBe(2);
  });
});
