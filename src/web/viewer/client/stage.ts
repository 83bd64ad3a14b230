// The canvas: the image fitted to it, zoomed and panned, with the viewer's
// name and the time drawn over it. Greyscale is painted into an offscreen
// canvas at the frame's own size; photos and colour frames arrive as bitmaps.
import { greyToRgba } from './window-level.js';

const MIN_ZOOM = 0.2;
const MAX_ZOOM = 20;
const ZOOM_STEP = 1.15;

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d canvas');
  return ctx;
}

/** What is written over the image and in the watermark: who is looking, and when. */
export function viewerStamp(viewer: string): string {
  return `${viewer} · ${new Date().toLocaleString()}`;
}

export class Stage {
  private readonly off = document.createElement('canvas');
  private bitmap: ImageBitmap | null = null;
  private zoom = 1;
  private panX = 0;
  private panY = 0;
  /** Set once the page blanks: nothing is drawn again. */
  private blanked = false;
  viewer = '';

  constructor(private readonly canvas: HTMLCanvasElement) {}

  showBitmap(bitmap: ImageBitmap): void {
    this.bitmap = bitmap;
  }

  /** Paints grey levels (one a pixel, row by row) as the image. */
  showGrey(grey: Uint8Array, columns: number, rows: number): void {
    this.bitmap = null;
    this.off.width = columns;
    this.off.height = rows;
    const ctx = context(this.off);
    const img = ctx.createImageData(columns, rows);
    greyToRgba(grey, img.data);
    ctx.putImageData(img, 0, 0);
  }

  /** Back to the whole image, centred. */
  resetView(): void {
    this.zoom = 1;
    this.panX = this.panY = 0;
  }

  /** Shows no pixels until the next image (a frame that could not be shown). */
  clearPixels(): void {
    this.bitmap = null;
    this.off.width = this.off.height = 0;
  }

  /** Forgets the image (a new one is on its way). */
  clearImage(): void {
    this.bitmap = null;
  }

  pan(dx: number, dy: number): void {
    this.panX += dx;
    this.panY += dy;
  }

  zoomStep(closer: boolean): void {
    this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.zoom * (closer ? ZOOM_STEP : 1 / ZOOM_STEP)));
  }

  draw(): void {
    if (this.blanked) return;
    const c = this.canvas;
    c.width = c.clientWidth;
    c.height = c.clientHeight;
    const ctx = context(c);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, c.width, c.height);
    const src = this.bitmap ?? this.off;
    if (!src.width) return;
    const fit = Math.min(c.width / src.width, c.height / src.height) * this.zoom;
    ctx.imageSmoothingEnabled = fit < 1;
    ctx.setTransform(fit, 0, 0, fit, c.width / 2 + this.panX - (src.width * fit) / 2, c.height / 2 + this.panY - (src.height * fit) / 2);
    ctx.drawImage(src, 0, 0);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = 'rgba(255,255,255,.35)';
    ctx.font = '14px system-ui';
    ctx.fillText(viewerStamp(this.viewer), 10, c.height - 10);
  }

  /** Wipes the image from the canvas and from memory, for good. */
  blank(): void {
    this.blanked = true;
    this.bitmap = null;
    context(this.canvas).clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.off.width = this.off.height = 0;
  }
}

/** Fills the watermark layer with the viewer's name and the time. */
export function paintWatermark(box: HTMLElement, viewer: string): void {
  const text = viewerStamp(viewer);
  box.replaceChildren(
    ...Array.from({ length: 24 }, () => {
      const s = document.createElement('span');
      s.textContent = text;
      return s;
    }),
  );
}
