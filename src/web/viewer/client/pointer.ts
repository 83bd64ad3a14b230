// The mouse and touch on the canvas: left drag adjusts window/level
// (greyscale), right drag or shift-drag pans, the wheel zooms; on a touch
// screen one finger pans and two pinch to zoom (and pan with their middle).
// There is no context menu (no "Save image as").
import type { ImageView } from './image.js';
import type { Stage } from './stage.js';

interface Drag {
  x: number;
  y: number;
  button: number;
  shift: boolean;
}

type Point = { x: number; y: number };

const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
const middle = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

export function wirePointer(canvas: HTMLCanvasElement, stage: Stage, image: ImageView): void {
  let drag: Drag | null = null;
  const touches = new Map<number, Point>();
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    if (e.pointerType === 'touch') return void touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    drag = { x: e.clientX, y: e.clientY, button: e.button, shift: e.shiftKey };
  });
  const lift = (e: PointerEvent) => {
    touches.delete(e.pointerId);
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
    const other = [...touches].find(([id]) => id !== e.pointerId)?.[1];
    touches.set(e.pointerId, now);
    if (touches.size === 1) stage.pan(now.x - before.x, now.y - before.y);
    else if (other && touches.size === 2) {
      const [m0, m1] = [middle(before, other), middle(now, other)];
      stage.pan(m1.x - m0.x, m1.y - m0.y);
      const was = distance(before, other);
      const box = canvas.getBoundingClientRect();
      if (was > 0) stage.zoomBy(distance(now, other) / was, { x: m1.x - box.left, y: m1.y - box.top });
    } else return;
    stage.draw();
  }

  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      stage.zoomStep(e.deltaY < 0);
      stage.draw();
    },
    { passive: false },
  );
}
