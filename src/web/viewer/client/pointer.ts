// The mouse on the canvas: left drag adjusts window/level (greyscale), right
// drag or shift-drag pans, the wheel zooms. There is no context menu (no
// "Save image as").
import type { ImageView } from './image.js';
import type { Stage } from './stage.js';

interface Drag {
  x: number;
  y: number;
  button: number;
  shift: boolean;
}

export function wirePointer(canvas: HTMLCanvasElement, stage: Stage, image: ImageView): void {
  let drag: Drag | null = null;
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  canvas.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, button: e.button, shift: e.shiftKey };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointerup', () => {
    drag = null;
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    drag.x = e.clientX;
    drag.y = e.clientY;
    if (drag.button !== 0 || drag.shift || !image.dragWindow(dx, dy)) stage.pan(dx, dy);
    stage.draw();
  });
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
