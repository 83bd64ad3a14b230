// What the viewer decrypted or decoded in the last minute: an image's
// original (to send to a sandbox child that no longer holds it), its
// description, its decoded frames, a photo's cleaned copy. So twenty people
// opening one card, or one person stepping through its frames, decrypt and
// decode it once, not once each. Concurrent first reads of one entry share
// one load. Memory only (never on disk), bounded in bytes, least recently
// used out first, and each entry dropped a minute after it was read (a timer
// sweeps them, so an idle server keeps no pixels). Every request is still
// authorized, and its decision audited, before it is served from here.

export interface Sized {
  /** What the entry holds in memory, in bytes. */
  bytes: number;
}

export class RecentViews {
  private readonly entries = new Map<string, { value: Sized; until: number }>();
  private readonly loading = new Map<string, Promise<Sized>>();
  private total = 0;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The entry under `key`, loaded once by whichever request asks first. */
  async get<T extends Sized>(key: string, load: () => Promise<T>): Promise<T> {
    this.evict();
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last, so eviction takes the oldest first.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as T;
    }
    const pending = this.loading.get(key);
    if (pending) return pending as Promise<T>;
    const loaded = load().then(
      (value) => {
        this.loading.delete(key);
        this.keep(key, value);
        return value;
      },
      (error: unknown) => {
        // A failure is not remembered: the next request tries again.
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  /** Held now, in bytes. */
  get heldBytes(): number {
    return this.total;
  }

  /** Drops everything (shutdown). */
  clear(): void {
    this.entries.clear();
    this.total = 0;
    clearTimeout(this.sweep);
    this.sweep = undefined;
  }

  private keep(key: string, value: Sized): void {
    if (value.bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) this.drop(key, old.value.bytes);
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
    this.total += value.bytes;
    this.evict();
    if (!this.sweep) {
      // Unreferenced: a pending sweep must not keep the process alive.
      this.sweep = setInterval(() => this.evict(), Math.max(1000, this.ttlMs / 4)).unref();
    }
  }

  private evict(): void {
    const now = this.now();
    for (const [key, e] of this.entries) {
      if (e.until <= now) this.drop(key, e.value.bytes);
    }
    // Least recently used first (Map keeps insertion order; a hit re-inserts).
    for (const [key, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.drop(key, e.value.bytes);
    }
    if (this.entries.size === 0 && this.sweep) {
      clearInterval(this.sweep);
      this.sweep = undefined;
    }
  }

  private drop(key: string, size: number): void {
    this.entries.delete(key);
    this.total -= size;
  }
}
