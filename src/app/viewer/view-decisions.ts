// The viewer's short memory of its own access decisions, per viewer session,
// link and asset. Every request is decided afresh (a consent withdrawn, a
// card or grant revoked, a link or session expired takes effect at the next
// request), but an allowing decision is audited once per window: the frames
// of a cine loop, and the page's description-then-pixels, are one audit
// event, not one per request. An allow is audited again when the window is
// over, when its basis differs (another chat user, grant, consent), after a
// refusal of the same key, and after the patient's consents changed (told
// after commit: forgetPatient). A refusal is audited every time for the page,
// pixels and details, and once per short window for the status poll. The
// memory also keeps the chat directory's answer to "is this person in the
// channel" for a few seconds, so a cine loop does not call the chat platform
// for each frame. Memory only, one per router, bounded in entries.
import type { Clock } from '../../core/clock.js';

/** Five minutes: one audit event per viewer session, image and basis in that time; a new sign-in is a new session, so audited anew. */
export const VIEW_AUDIT_WINDOW_MS = 5 * 60_000;

/** Five seconds: the page's status poll interval, for repeated refusals of the poll and the chat directory's membership answers. */
export const VIEW_SHORT_WINDOW_MS = 5_000;

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
      // Still full: the oldest goes (Map keeps insertion order); it is audited afresh next time.
      const oldest = this.entries.keys().next();
      if (this.entries.size >= this.maxEntries && !oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + this.ms });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  deleteWhere(test: (value: T) => boolean): void {
    for (const [k, e] of this.entries) if (test(e.value)) this.entries.delete(k);
  }
}

export class ViewDecisions {
  /** The allows audited in the window: their basis, and whose image. */
  private readonly audited: Expiring<{ basis: string; patientId: string | null; written: Promise<unknown> }>;
  /** Keys refused within the short window (the poll's repeated refusals). */
  private readonly refused: Expiring<true>;
  private readonly members: Expiring<boolean>;

  /** At most `maxEntries` of each kind: past that the oldest is audited (or asked) afresh next time. */
  constructor(
    clock: Clock,
    o: { auditWindowMs?: number; shortWindowMs?: number; maxEntries?: number } = {},
  ) {
    const max = o.maxEntries ?? 10_000;
    this.audited = new Expiring(clock, o.auditWindowMs ?? VIEW_AUDIT_WINDOW_MS, max);
    this.refused = new Expiring(clock, o.shortWindowMs ?? VIEW_SHORT_WINDOW_MS, max);
    this.members = new Expiring(clock, o.shortWindowMs ?? VIEW_SHORT_WINDOW_MS, max);
  }

  /**
   * Audits an allow just decided for `key` through `write`, unless one with
   * the same basis was audited within the window; then it waits for that
   * event to be written (a request is served only once its decision's event
   * is), and writes its own if that one failed. `always` writes it anyway
   * (the page, the patient's details), and it counts for the pixels after.
   */
  async auditAllow(key: string, basis: string, patientId: string | null, write: () => Promise<unknown>, always = false): Promise<void> {
    const known = always ? undefined : this.audited.get(key);
    if (known?.basis === basis && (await known.written.then(() => true, () => false))) return;
    const written = write();
    const entry = { basis, patientId, written };
    this.audited.set(key, entry);
    // Allowed again: the next refusal of the poll is news.
    this.refused.delete(key);
    try {
      await written;
    } catch (error) {
      if (this.audited.get(key) === entry) this.audited.delete(key);
      throw error;
    }
  }

  /** A refusal: the next allow is audited; true when it is the first for this key in the short window. */
  refuse(key: string): boolean {
    this.audited.delete(key);
    const first = this.refused.get(key) === undefined;
    this.refused.set(key, true);
    return first;
  }

  /** The patient's consents changed (told after commit): the next allow of their images is audited, with the consent it now goes by. */
  forgetPatient(patientId: string): void {
    this.audited.deleteWhere((e) => e.patientId === patientId);
  }

  /** Whether the person is in the channel, as the chat directory said within the short window, else asked now. */
  async channelMember(workspaceId: string, channelId: string, userId: string, ask: () => Promise<boolean>): Promise<boolean> {
    const key = [workspaceId, channelId, userId].join('\0');
    const known = this.members.get(key);
    if (known !== undefined) return known;
    const member = await ask();
    this.members.set(key, member);
    return member;
  }
}
