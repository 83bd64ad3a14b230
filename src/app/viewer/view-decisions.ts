// The viewer's short memory of its own access decisions, per viewer session,
// link and asset. An allowing decision is reused for a few seconds, so the
// frames of a cine loop (one request every 100 ms) cost one decision, one
// audit event, one session write and at most one chat directory call per
// window, not one per frame. The window is counted from when the decision
// read the card, grants and session (not from when it finished), and ends no
// later than anything it read expires; an allow read before a refusal of the
// same key is not kept. So a revoked card or lost grant is served to an
// already open page for at most the window after the change. A change to a
// patient's consents is different: it is told (forgetPatient, after commit)
// and every remembered allow for that patient's assets goes at once, and an
// allow whose facts were read before the change is not kept. Memory only,
// one per router; a denial is never reused.
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

  /** `until` (ms since the epoch) defaults to the window from now. */
  set(key: string, value: T, until?: number): void {
    const now = this.clock.now().getTime();
    if (this.entries.size >= this.maxEntries) {
      for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
      // Still full: the oldest goes (Map keeps insertion order); it is decided afresh next time.
      const oldest = this.entries.keys().next();
      if (this.entries.size >= this.maxEntries && !oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(key);
    this.entries.set(key, { value, until: until ?? now + this.ms });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  deleteWhere(test: (value: T) => boolean): void {
    for (const [k, e] of this.entries) if (test(e.value)) this.entries.delete(k);
  }
}

export class ViewDecisions<T> {
  private readonly allowed: Expiring<{ decided: T; patientId: string | null }>;
  /** When each key was last refused (ms since the epoch). */
  private readonly refused: Expiring<number>;
  /** When each patient's consents last changed (ms since the epoch): kept a window, as no allow read earlier could still be kept. */
  private readonly consentChanged: Expiring<number>;
  private readonly windowMs: number;

  /** At most `maxEntries` of each kind: past that the oldest is decided afresh next time. */
  constructor(
    private readonly clock: Clock,
    windowMs: number = VIEW_DECISION_WINDOW_MS,
    maxEntries = 10_000,
  ) {
    this.windowMs = windowMs;
    this.allowed = new Expiring(clock, windowMs, maxEntries);
    this.refused = new Expiring(clock, windowMs, maxEntries);
    this.consentChanged = new Expiring(clock, windowMs, maxEntries);
  }

  /** An allowing decision made (and audited) within the window. */
  reusable(key: string): T | undefined {
    return this.allowed.get(key)?.decided;
  }

  /**
   * Keeps an allowing decision whose facts were read at `readAt`, for the
   * window from then but not past `notAfter` (the earliest expiry it read);
   * not at all when the key was refused after the read, the patient's
   * consents changed after the read, or the window is over.
   */
  allow(key: string, decided: T, readAt: number, notAfter: number, patientId: string | null = null): void {
    const refusedAt = this.refused.get(key);
    if (refusedAt !== undefined && refusedAt >= readAt) return;
    const changedAt = patientId === null ? undefined : this.consentChanged.get(patientId);
    if (changedAt !== undefined && changedAt >= readAt) return;
    const until = Math.min(readAt + this.windowMs, notAfter);
    if (until <= this.clock.now().getTime()) return;
    this.allowed.set(key, { decided, patientId }, until);
    // Allowed again: the next refusal is news, and audited.
    this.refused.delete(key);
  }

  /** A refusal ends reuse at once; true when it is the first for this key in the window (worth an audit event where repeats are not). */
  refuse(key: string): boolean {
    this.allowed.delete(key);
    const first = this.refused.get(key) === undefined;
    this.refused.set(key, this.clock.now().getTime());
    return first;
  }

  /** The patient's consents changed (told after commit): nothing remembered for their assets is reused, and nothing read before now is kept. */
  forgetPatient(patientId: string): void {
    this.consentChanged.set(patientId, this.clock.now().getTime());
    this.allowed.deleteWhere((e) => e.patientId === patientId);
  }
}
