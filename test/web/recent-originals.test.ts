import { describe, expect, it } from 'vitest';
import { RecentOriginals } from '../../src/web/viewer/recent-originals.js';

describe('recently read originals', () => {
  it('reads an original once per minute, forgets it after, and keeps within its byte budget, oldest out first', async () => {
    let now = 0;
    let reads = 0;
    const cache = new RecentOriginals(250, 60_000, () => now);
    const load = (size: number) => async () => {
      reads++;
      return Buffer.alloc(size);
    };
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
    await cache.get('a', load(100));
    expect(reads).toBe(4);
    await cache.get('b', load(100));
    expect(reads).toBe(5);
    // Too big to keep at all: read every time.
    await cache.get('huge', load(1000));
    await cache.get('huge', load(1000));
    expect(reads).toBe(7);
  });
});
