// The decrypted originals the viewer read in the last minute, so stepping
// through the frames of one image does not decrypt the whole file for each
// frame. Memory only, bounded in bytes and time; every request is still
// authorized and audited before it is served from here.
export class RecentOriginals {
  private readonly entries = new Map<string, { bytes: Buffer; until: number }>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  async get(assetId: string, load: () => Promise<Buffer>): Promise<Buffer> {
    this.evict();
    const hit = this.entries.get(assetId);
    if (hit) {
      // Most recently used last, so eviction takes the oldest first.
      this.entries.delete(assetId);
      this.entries.set(assetId, hit);
      return hit.bytes;
    }
    const bytes = await load();
    if (bytes.length <= this.maxBytes) {
      this.entries.set(assetId, { bytes, until: this.now() + this.ttlMs });
      this.total += bytes.length;
      this.evict();
    }
    return bytes;
  }

  private evict(): void {
    const now = this.now();
    for (const [id, e] of this.entries) {
      if (e.until <= now) this.drop(id, e.bytes.length);
    }
    // Least recently used first (Map keeps insertion order; a hit re-inserts).
    for (const [id, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.drop(id, e.bytes.length);
    }
  }

  private drop(id: string, size: number): void {
    this.entries.delete(id);
    this.total -= size;
  }
}
