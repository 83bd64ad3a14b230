// The viewer's short memory of its own access decisions, per viewer session,
// link and asset. An allowing decision is reused for a few seconds, so the
// frames of a cine loop (one request every 100 ms) cost one decision, one
// audit event, one session write and at most one chat directory call per
// window, not one per frame. The window bounds how long a revoked card or
// lost grant can still be served to an already open page: keep it short.
// Memory only, one per router; a denial is never reused.
import type { Clock } from '../../core/clock.js';

/** Five seconds: the page's status poll interval, so a revocation blanks the page about as fast as before. */
export const VIEW_DECISION_WINDOW_MS = 5_000;

class Expiring<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ms: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until > this.clock.now().getTime()) return e.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T): void {
    const now = this.clock.now().getTime();
    if (this.entries.size >= this.maxEntries) {
      for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
      // Still full: the oldest goes (Map keeps insertion order); it is decided afresh next time.
      const oldest = this.entries.keys().next();
      if (this.entries.size >= this.maxEntries && !oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + this.ms });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export class ViewDecisions<T> {
  private readonly allowed: Expiring<T>;
  private readonly refused: Expiring<true>;

  /** At most `maxEntries` of each kind: past that the oldest is decided afresh next time. */
  constructor(clock: Clock, windowMs: number = VIEW_DECISION_WINDOW_MS, maxEntries = 10_000) {
    this.allowed = new Expiring(clock, windowMs, maxEntries);
    this.refused = new Expiring(clock, windowMs, maxEntries);
  }

  /** An allowing decision made (and audited) within the window. */
  reusable(key: string): T | undefined {
    return this.allowed.get(key);
  }

  allow(key: string, decided: T): void {
    this.allowed.set(key, decided);
  }

  /** A refusal ends reuse at once; true when it is the first for this key in the window (worth an audit event where repeats are not). */
  refuse(key: string): boolean {
    this.allowed.delete(key);
    if (this.refused.get(key)) return false;
    this.refused.set(key, true);
    return true;
  }
}
