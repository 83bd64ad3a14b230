import { describe, expect, it } from 'vitest';
import { RecentViews } from '../../src/web/viewer/recent-views.js';

describe('recently read or decoded images', () => {
  const sized = (size: number) => ({ data: Buffer.alloc(size), bytes: size });

  it('reads an entry once per minute, forgets it after, and keeps within its byte budget, oldest out first', async () => {
    let now = 0;
    let reads = 0;
    const cache = new RecentViews(250, 60_000, () => now);
    const load = (size: number) => async () => {
      reads++;
      return sized(size);
    };
    try {
      await cache.get('a', load(100));
      await cache.get('a', load(100));
      expect(reads).toBe(1);
      now += 60_001;
      await cache.get('a', load(100));
      expect(reads).toBe(2);
      await cache.get('b', load(100));
      await cache.get('a', load(100)); // a is now the most recent
      await cache.get('c', load(100)); // 300 > 250: b, the least recent, goes
      expect(reads).toBe(4);
      expect(cache.heldBytes).toBe(200);
      await cache.get('a', load(100));
      expect(reads).toBe(4);
      await cache.get('b', load(100));
      expect(reads).toBe(5);
      // Too big to keep at all: read every time.
      await cache.get('huge', load(1000));
      await cache.get('huge', load(1000));
      expect(reads).toBe(7);
      expect(cache.heldBytes).toBeLessThanOrEqual(250);
    } finally {
      cache.clear();
    }
  });

  it('shares one load among the requests that ask at once, and remembers no failure', async () => {
    const cache = new RecentViews(1000, 60_000, () => 0);
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      reads++;
      await gate;
      return sized(10);
    };
    try {
      const all = Promise.all(Array.from({ length: 20 }, () => cache.get('a', slow)));
      release();
      const got = await all;
      expect(reads).toBe(1);
      expect(new Set(got).size).toBe(1);

      await expect(Promise.all([cache.get('b', () => Promise.reject(new Error('unreadable'))), cache.get('b', slow)])).rejects.toThrow('unreadable');
      expect((await cache.get('b', slow)).bytes).toBe(10);
      expect(reads).toBe(2);
    } finally {
      cache.clear();
    }
  });
});
