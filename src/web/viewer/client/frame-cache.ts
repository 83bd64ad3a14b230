// The open image's frames kept in the page once fetched, so that stepping and
// Cine draw them without asking again: up to a bound in bytes (past it, frames
// are fetched when shown), and dropped for good with the image. Pure (no DOM,
// no requests), unit tested.

/** About 512 MB of frames; a longer image's other frames are fetched as they are shown. */
export const CACHE_BYTES = 512 * 1024 * 1024;

export class FrameCache<T> {
  private readonly kept = new Map<number, T>();
  private bytes = 0;
  private dropped = false;
  private refused = false;

  /** `release` frees what a frame holds outside the JavaScript heap (a bitmap) when the cache is dropped. */
  constructor(
    private readonly bound: number,
    private readonly release: (frame: T) => void = () => {},
  ) {}

  get(index: number): T | undefined {
    return this.kept.get(index);
  }

  /** How many frames are kept. */
  get count(): number {
    return this.kept.size;
  }

  /** No more frames will be kept: dropped, or one was refused for the bound. */
  get closed(): boolean {
    return this.dropped || this.refused;
  }

  /** Dropped with its image: nothing it is given is shown either. */
  get isDropped(): boolean {
    return this.dropped;
  }

  /** Keeps frame `index` of `bytes` bytes, unless the cache was dropped or it would pass the bound; whether it was kept. */
  keep(index: number, frame: T, bytes: number): boolean {
    if (this.dropped || this.kept.has(index)) return false;
    if (this.bytes + bytes > this.bound) {
      this.refused = true;
      return false;
    }
    this.kept.set(index, frame);
    this.bytes += bytes;
    return true;
  }

  /** Forgets every frame, for good: a frame arriving later is not kept. */
  drop(): void {
    this.dropped = true;
    for (const frame of this.kept.values()) this.release(frame);
    this.kept.clear();
    this.bytes = 0;
  }
}

/** The frame nearest `current` that is still `wanted` (the next before the previous, wrapping round as stepping does); undefined when none is. */
export function nearestWanted(current: number, frames: number, wanted: (index: number) => boolean): number | undefined {
  for (let d = 1; d <= frames / 2; d++) {
    for (const i of [current + d, current - d]) {
      const at = ((i % frames) + frames) % frames;
      if (at !== current && wanted(at)) return at;
    }
  }
  return undefined;
}
