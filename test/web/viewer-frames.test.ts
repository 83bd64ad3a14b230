// The viewer page's rules for frames and touch, without a browser: which
// frames are fetched first, how many bytes of frames are kept (and that none
// is kept once the image is dropped), the rate Cine starts at, and what two
// fingers do.
import { describe, expect, it, vi } from 'vitest';
import { Cine } from '../../src/web/viewer/client/cine.js';
import { FrameCache, nearestWanted } from '../../src/web/viewer/client/frame-cache.js';
import { frameInterval, rateChoices, startRate } from '../../src/web/viewer/client/frame-rate.js';
import { twoFingerMode, type Pair } from '../../src/web/viewer/client/gesture.js';

/** The order nearestWanted fetches every frame in, from `current`. */
function order(current: number, frames: number): number[] {
  const fetched = new Set<number>();
  for (let i = nearestWanted(current, frames, (f) => !fetched.has(f)); i !== undefined; i = nearestWanted(current, frames, (f) => !fetched.has(f))) fetched.add(i);
  return [...fetched];
}

describe('the frames the viewer fetches ahead', () => {
  it('come nearest the frame on show first, the next before the previous, wrapping round, each once', () => {
    expect(order(0, 12)).toEqual([1, 11, 2, 10, 3, 9, 4, 8, 5, 7, 6]);
    expect(order(5, 7)).toEqual([6, 4, 0, 3, 1, 2]);
    expect(order(0, 2)).toEqual([1]);
    expect(order(0, 1)).toEqual([]);
  });

  it('are kept up to the bound in bytes, then fetched when shown', () => {
    const cache = new FrameCache<string>(100);
    expect(cache.keep(0, 'a', 60)).toBe(true);
    expect(cache.keep(1, 'b', 40)).toBe(true);
    expect(cache.closed).toBe(false);
    expect(cache.keep(2, 'c', 1)).toBe(false);
    expect(cache.closed).toBe(true);
    expect([cache.get(0), cache.get(1), cache.get(2), cache.count]).toEqual(['a', 'b', undefined, 2]);
  });

  it('are all let go when the image is dropped, and a frame arriving after is not kept', () => {
    const released: string[] = [];
    const cache = new FrameCache<string>(100, (f) => released.push(f));
    cache.keep(0, 'a', 10);
    cache.keep(3, 'd', 10);
    cache.drop();
    expect(released).toEqual(['a', 'd']);
    expect([cache.get(0), cache.get(3), cache.count]).toEqual([undefined, undefined, 0]);
    expect(cache.keep(1, 'late', 10)).toBe(false);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.closed).toBe(true);
  });
});

describe('the rate Cine plays at', () => {
  it('starts at the header’s rate, within 1 to 60 frames a second, else at 10', () => {
    expect(startRate(undefined)).toBe(10);
    expect(startRate(15)).toBe(15);
    expect(startRate(1000 / 33.3333)).toBe(30);
    expect(startRate(240)).toBe(60);
    expect(startRate(0)).toBe(10);
    expect(startRate(Number.NaN)).toBe(10);
  });

  it('is chosen among the usual rates, the header’s own with them, slowest first', () => {
    expect(rateChoices(10)).toEqual([2, 5, 10, 15, 20, 30]);
    expect(rateChoices(25)).toEqual([2, 5, 10, 15, 20, 25, 30]);
    expect(frameInterval(20)).toBe(50);
  });

  it('changes at once while Cine plays, and Cine says when it plays', () => {
    vi.useFakeTimers();
    try {
      let steps = 0;
      const playing: boolean[] = [];
      const cine = new Cine(() => steps++, () => false, (p) => playing.push(p));
      cine.toggle();
      vi.advanceTimersByTime(300);
      expect(steps).toBe(3);
      cine.setRate(20);
      vi.advanceTimersByTime(100);
      expect(steps).toBe(5);
      cine.toggle();
      vi.advanceTimersByTime(1000);
      expect(steps).toBe(5);
      expect(playing).toEqual([true, false]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('two fingers on the image', () => {
  const at = (x0: number, y0: number, x1: number, y1: number): Pair => [{ x: x0, y: y0 }, { x: x1, y: y1 }];
  const start = at(100, 200, 200, 200);

  it('adjust window/level when they move together, sideways or up and down', () => {
    expect(twoFingerMode(start, at(100, 240, 200, 240))).toBe('window');
    expect(twoFingerMode(start, at(130, 200, 230, 200))).toBe('window');
    // One finger a little ahead of the other: still together.
    expect(twoFingerMode(start, at(100, 230, 200, 236))).toBe('window');
  });

  it('zoom when they spread or pinch, even when one finger stays still', () => {
    expect(twoFingerMode(start, at(80, 200, 220, 200))).toBe('zoom');
    expect(twoFingerMode(start, at(120, 200, 180, 200))).toBe('zoom');
    expect(twoFingerMode(start, at(100, 200, 240, 200))).toBe('zoom');
  });

  it('decide nothing before they have moved a few pixels', () => {
    expect(twoFingerMode(start, at(102, 203, 201, 203))).toBeNull();
  });
});
