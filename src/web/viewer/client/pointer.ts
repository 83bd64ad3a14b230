// The mouse and touch on the canvas: left drag adjusts window/level
// (greyscale), right drag or shift-drag pans, the wheel zooms (over a study's
// series it scrolls the stack, and zooms with Ctrl or ⌘); on a touch
// screen one finger pans, and two moving together adjust window/level while
// two spreading or pinching zoom (and pan with their middle): gesture.ts
// decides which. There is no context menu (no "Save image as").
import { distance, middle, twoFingerMode, type Pair, type Point, type TwoFingerMode } from './gesture.js';
import type { ImageView } from './image.js';
import type { Stage } from './stage.js';
import { WheelSteps } from './wheel-steps.js';

interface Drag {
  x: number;
  y: number;
  button: number;
  shift: boolean;
}

/** Two fingers down: where they came down, where they were last applied, and what they do once decided. */
interface TwoFingers {
  start: Pair;
  last: Pair;
  mode: TwoFingerMode | null;
}

/** `scroll` moves through a study series' stack by the images given. */
export function wirePointer(canvas: HTMLCanvasElement, stage: Stage, image: ImageView, scroll: (by: number) => void): void {
  const wheelSteps = new WheelSteps();
  let drag: Drag | null = null;
  const touches = new Map<number, Point>();
  let two: TwoFingers | null = null;
  const pair = (): Pair | null => {
    const [a, b] = [...touches.values()];
    return touches.size === 2 && a && b ? [a, b] : null;
  };
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    if (e.pointerType !== 'touch') return void (drag = { x: e.clientX, y: e.clientY, button: e.button, shift: e.shiftKey });
    touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const down = pair();
    two = down && { start: down, last: down, mode: null };
  });
  const lift = (e: PointerEvent) => {
    touches.delete(e.pointerId);
    // A finger lifted ends the two-finger gesture: the next two decide afresh.
    two = null;
    if (e.pointerType !== 'touch') drag = null;
  };
  canvas.addEventListener('pointerup', lift);
  canvas.addEventListener('pointercancel', lift);
  canvas.addEventListener('pointermove', (e) => {
    if (e.pointerType === 'touch') return touchMove(e);
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    drag.x = e.clientX;
    drag.y = e.clientY;
    if (drag.button !== 0 || drag.shift || !image.dragWindow(dx, dy)) stage.pan(dx, dy);
    stage.draw();
  });

  function touchMove(e: PointerEvent): void {
    const before = touches.get(e.pointerId);
    if (!before) return;
    const now = { x: e.clientX, y: e.clientY };
    touches.set(e.pointerId, now);
    const fingers = pair();
    if (touches.size === 1) stage.pan(now.x - before.x, now.y - before.y);
    else if (two && fingers) {
      // Undecided, nothing moves; once decided, everything since the fingers came down is applied.
      two.mode ??= twoFingerMode(two.start, fingers);
      if (!two.mode) return;
      const last = two.last;
      two.last = fingers;
      const [m0, m1] = [middle(...last), middle(...fingers)];
      if (two.mode === 'window') {
        if (!image.dragWindow(m1.x - m0.x, m1.y - m0.y)) stage.pan(m1.x - m0.x, m1.y - m0.y);
      } else {
        stage.pan(m1.x - m0.x, m1.y - m0.y);
        const was = distance(...last);
        const box = canvas.getBoundingClientRect();
        if (was > 0) stage.zoomBy(distance(...fingers) / was, { x: m1.x - box.left, y: m1.y - box.top });
      }
    } else return;
    stage.draw();
  }

  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      if (image.stack && !e.ctrlKey && !e.metaKey) {
        const by = wheelSteps.add(e.deltaY, e.deltaMode);
        return void (by && scroll(by));
      }
      stage.zoomStep(e.deltaY < 0);
      stage.draw();
    },
    { passive: false },
  );
}
