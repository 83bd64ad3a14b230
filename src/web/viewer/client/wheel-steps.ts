// The mouse wheel over a study's series scrolls its stack: one image per
// notch of a mouse wheel, and a trackpad's many small scrolls added up until
// they make one, so that neither races through the stack. Down (away from
// the user) is the next image. Pure (no DOM), unit tested.

/** Pixels of wheel movement that make one image: under a mouse notch (100 in Chromium, 120 elsewhere). */
const STEP_PX = 50;
/** A wheel reported in lines (deltaMode 1) or pages (2): roughly in pixels. */
const MODE_PX = [1, 40, 800];

export class WheelSteps {
  private left = 0;

  /** The images to move for one wheel event: -1, 0 or 1. */
  add(deltaY: number, deltaMode: number): number {
    const px = deltaY * (MODE_PX[deltaMode] ?? 1);
    if (Math.abs(px) >= STEP_PX) {
      this.left = 0;
      return Math.sign(px);
    }
    // Small scrolls add up in one direction; turning back starts afresh.
    this.left = Math.sign(this.left) === -Math.sign(px) ? px : this.left + px;
    if (Math.abs(this.left) < STEP_PX) return 0;
    const by = Math.sign(this.left);
    this.left = 0;
    return by;
  }
}
