// Frames of a multi-frame image: previous and next (wrapping round), the
// arrow keys, and cine (the next frame every 100 ms until pressed again).
const CINE_MS = 100;

export class Cine {
  private timer: ReturnType<typeof setInterval> | undefined;

  /** `step` shows the frame `by` away from the current one; while `busy` (a frame on its way) a tick is skipped. */
  constructor(
    private readonly step: (by: number) => void,
    private readonly busy: () => boolean = () => false,
  ) {}

  toggle(): void {
    if (this.timer !== undefined) return this.stop();
    this.timer = setInterval(() => {
      if (!this.busy()) this.step(1);
    }, CINE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
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
