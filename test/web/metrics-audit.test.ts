// /metrics shows how far the audit sealer lags: events committed but not yet
// linked into the hash chain, and how long the oldest has waited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/web/metrics.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

function gauge(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in the scrape`);
  return Number(line.slice(name.length + 1));
}

describe.each(testEngines())('audit sealing lag in /metrics on %s', (engine) => {
  let s: TestStorage;
  let clock = new Date('2026-03-01T09:00:00Z');
  beforeAll(async () => {
    s = await createTestStorage(engine, { clock: { now: () => clock } });
  });
  afterAll(() => s?.cleanup());

  it('counts unsealed events and the age of the oldest, and drops to zero once sealed', async () => {
    const metrics = createMetrics(async () => ({}), async () => ({}), () => s.audit.lag());
    let text = await metrics.registry.metrics();
    expect(gauge(text, 'loupe_audit_unsealed_events')).toBe(0);
    expect(gauge(text, 'loupe_audit_oldest_unsealed_seconds')).toBe(0);

    await s.audit.record({ actor: { type: 'system', id: 'test' }, action: 'test.event', outcome: 'success' });
    clock = new Date('2026-03-01T09:00:02Z');
    await s.audit.record({ actor: { type: 'system', id: 'test' }, action: 'test.event', outcome: 'success' });
    clock = new Date('2026-03-01T09:00:05Z');
    text = await metrics.registry.metrics();
    expect(gauge(text, 'loupe_audit_unsealed_events')).toBe(2);
    expect(gauge(text, 'loupe_audit_oldest_unsealed_seconds')).toBe(5);

    await s.audit.seal();
    text = await metrics.registry.metrics();
    expect(gauge(text, 'loupe_audit_unsealed_events')).toBe(0);
    expect(gauge(text, 'loupe_audit_oldest_unsealed_seconds')).toBe(0);
  });
});
