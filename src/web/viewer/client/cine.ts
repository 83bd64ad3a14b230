// Frames of a multi-frame image: previous and next (wrapping round), the
// arrow keys, and cine (the next frame at the chosen rate until pressed again;
// a new rate takes effect at once).
import { frameInterval } from './frame-rate.js';

export class Cine {
  private timer: ReturnType<typeof setInterval> | undefined;
  private rate = 10;

  /** `step` shows the frame `by` away from the current one; while `busy` (a frame on its way) a tick is skipped; `onPlaying` is told when it starts or stops. */
  constructor(
    private readonly step: (by: number) => void,
    private readonly busy: () => boolean = () => false,
    private readonly onPlaying: (playing: boolean) => void = () => {},
  ) {}

  toggle(): void {
    if (this.timer !== undefined) return this.stop();
    this.schedule();
    this.onPlaying(true);
  }

  /** Frames per second from now on, playing or not. */
  setRate(rate: number): void {
    this.rate = rate;
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.schedule();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.onPlaying(false);
  }

  private schedule(): void {
    this.timer = setInterval(() => {
      if (!this.busy()) this.step(1);
    }, frameInterval(this.rate));
  }
}

/** The frame `by` away from `current`, wrapping round at either end. */
export function frameAfter(current: number, by: number, frames: number): number {
  return (current + by + frames) % frames;
}

/** How many frames an arrow key moves (down and right: on), or 0 for any other key. */
export function arrowStep(key: string): number {
  if (key === 'ArrowDown' || key === 'ArrowRight') return 1;
  if (key === 'ArrowUp' || key === 'ArrowLeft') return -1;
  return 0;
}

/** How many images a key moves through a study's series: the arrow keys as for frames, Page Down on and Page Up back. */
export function stackStep(key: string): number {
  if (key === 'PageDown') return 1;
  if (key === 'PageUp') return -1;
  return arrowStep(key);
}

/** The image `by` away from `current` in a stack of `images`: scrolling stops at either end rather than wrapping round. */
export function imageAfter(current: number, by: number, images: number): number {
  return Math.min(images - 1, Math.max(0, current + by));
}
