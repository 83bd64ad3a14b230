// The canvas: the image fitted to it, zoomed and panned, turned, flipped and
// inverted, with the viewer's name and the time drawn over it. Greyscale is
// painted into an offscreen canvas at the frame's own size; photos and colour
// frames arrive as bitmaps. The canvas has one pixel per device pixel, so 1:1
// shows one image pixel on one screen pixel.
import { sideways, UPRIGHT, type Turn } from './orientation.js';
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
  /** 1:1 asked for: kept through a resize or a turn, until the user zooms or fits. */
  private actualSize = false;
  turn: Turn = UPRIGHT;
  inverted = false;
  /** Told after each drawing: how many device pixels one image pixel takes, as a percentage. */
  onDraw: (zoomPercent: number) => void = () => {};
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

  /** Back to the whole image, centred, upright and not inverted. */
  resetView(): void {
    this.fit();
    this.turn = UPRIGHT;
    this.inverted = false;
  }

  /** The whole image, centred. */
  fit(): void {
    this.actualSize = false;
    this.zoom = 1;
    this.panX = this.panY = 0;
  }

  /** One image pixel on one device pixel, centred. */
  oneToOne(): void {
    this.actualSize = true;
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

  /** Moves the image by (dx, dy) CSS pixels. */
  pan(dx: number, dy: number): void {
    this.panX += dx * devicePixelRatio;
    this.panY += dy * devicePixelRatio;
  }

  zoomStep(closer: boolean): void {
    this.zoomBy(closer ? ZOOM_STEP : 1 / ZOOM_STEP);
  }

  /**
   * Zooms by `factor`, within bounds that never snap a 1:1 view of a small
   * image; about `at` (CSS pixels from the canvas's top left: a pinch's
   * middle stays under the fingers), else about the centre of the canvas.
   */
  zoomBy(factor: number, at?: { x: number; y: number }): void {
    this.actualSize = false;
    const was = this.zoom;
    this.zoom = Math.min(Math.max(MAX_ZOOM, was), Math.max(Math.min(MIN_ZOOM, was), was * factor));
    if (!at) return;
    const dpr = devicePixelRatio;
    const [px, py] = [(at.x - this.canvas.clientWidth / 2) * dpr, (at.y - this.canvas.clientHeight / 2) * dpr];
    this.panX = px - (px - this.panX) * (this.zoom / was);
    this.panY = py - (py - this.panY) * (this.zoom / was);
  }

  /** The image's size on screen, in device pixels per image pixel, at zoom 1 (0 with no image). */
  private fitScale(): number {
    const src = this.bitmap ?? this.off;
    const c = this.canvas;
    if (!src.width || !src.height) return 0;
    const [w, h] = sideways(this.turn) ? [src.height, src.width] : [src.width, src.height];
    return Math.min((c.clientWidth * devicePixelRatio) / w, (c.clientHeight * devicePixelRatio) / h);
  }

  /** The drawing's transform: device pixels per image pixel, and the image's size; null with no image. */
  private geometry(): { scale: number; w: number; h: number } | null {
    const src = this.bitmap ?? this.off;
    const fit = this.fitScale();
    const scale = fit * (this.actualSize && fit ? 1 / fit : this.zoom);
    return src.width && scale ? { scale, w: src.width, h: src.height } : null;
  }

  /** The image's own size in pixels; null with no image. */
  imageSize(): { w: number; h: number } | null {
    const g = this.geometry();
    return g && { w: g.w, h: g.h };
  }

  /** Where the image point (x, y) (image pixels from its top left corner) is shown, in CSS pixels from the canvas's top left; null with no image. */
  toScreen(x: number, y: number): { x: number; y: number } | null {
    const g = this.geometry();
    if (!g) return null;
    const [a, b, c, d] = this.turn;
    const [u, v] = [(x - g.w / 2) * g.scale, (y - g.h / 2) * g.scale];
    const dpr = devicePixelRatio;
    return { x: (a * u + c * v + this.canvas.width / 2 + this.panX) / dpr, y: (b * u + d * v + this.canvas.height / 2 + this.panY) / dpr };
  }

  /** The image point shown at (x, y) CSS pixels from the canvas's top left (the inverse of toScreen: a turn's matrix is its own transpose's inverse). */
  toImage(x: number, y: number): { x: number; y: number } | null {
    const g = this.geometry();
    if (!g) return null;
    const [a, b, c, d] = this.turn;
    const dpr = devicePixelRatio;
    const [u, v] = [x * dpr - this.canvas.width / 2 - this.panX, y * dpr - this.canvas.height / 2 - this.panY];
    return { x: (a * u + b * v) / g.scale + g.w / 2, y: (c * u + d * v) / g.scale + g.h / 2 };
  }

  /** The colour shown at (x, y) CSS pixels from the canvas's top left. */
  shownColour(x: number, y: number): [number, number, number] {
    const dpr = devicePixelRatio;
    const [r, g, b] = context(this.canvas).getImageData(Math.floor(x * dpr), Math.floor(y * dpr), 1, 1).data;
    return [r ?? 0, g ?? 0, b ?? 0];
  }

  draw(): void {
    if (this.blanked) return;
    const c = this.canvas;
    const dpr = devicePixelRatio;
    c.width = Math.round(c.clientWidth * dpr);
    c.height = Math.round(c.clientHeight * dpr);
    const ctx = context(c);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, c.width, c.height);
    const src = this.bitmap ?? this.off;
    const fit = this.fitScale();
    if (this.actualSize && fit) this.zoom = 1 / fit;
    const scale = fit * this.zoom;
    if (!src.width || !scale) return;
    const [a, b, cc, d] = this.turn;
    ctx.imageSmoothingEnabled = scale < 1;
    // Centre, turn, scale, then the image's own centre at the origin.
    ctx.setTransform(a * scale, b * scale, cc * scale, d * scale, c.width / 2 + this.panX, c.height / 2 + this.panY);
    ctx.translate(-src.width / 2, -src.height / 2);
    ctx.drawImage(src, 0, 0);
    if (this.inverted) {
      // White minus each pixel, over the image only (the background stays black).
      ctx.globalCompositeOperation = 'difference';
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, src.width, src.height);
      ctx.globalCompositeOperation = 'source-over';
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = 'rgba(255,255,255,.35)';
    ctx.font = `${14 * dpr}px system-ui`;
    ctx.fillText(viewerStamp(this.viewer), 10 * dpr, c.height - 10 * dpr);
    this.onDraw(scale * 100);
  }

  /** Wipes the image from the canvas and from memory, for good. */
  blank(): void {
    this.blanked = true;
    this.bitmap = null;
    context(this.canvas).clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.off.width = this.off.height = 0;
  }
}

/** Fills the watermark layer with the viewer's name and the time, each on its own line (the page's stylesheet outlines them, to read on light and dark). */
export function paintWatermark(box: HTMLElement, viewer: string): void {
  const when = new Date().toLocaleString();
  const line = (className: string, text: string) => {
    const s = document.createElement('span');
    s.className = className;
    s.textContent = text;
    return s;
  };
  box.replaceChildren(
    ...Array.from({ length: 24 }, () => {
      const stamp = line('stamp', '');
      stamp.append(line('who', viewer), line('when', when));
      return stamp;
    }),
  );
}
