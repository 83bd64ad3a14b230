// The measuring tools: a length (L), an angle (A), the pixel probe (P) and a
// region's statistics (E, an ellipse).
// Points are kept in image pixels and drawn through the stage's transform on
// a layer over the image and under the watermark, so a measurement stays on
// what it measures through zoom, pan, turns and flips. The layer takes the
// pointer only while a tool is on; Esc turns it off. A new image or frame, or
// Reset, clears what was measured.
import type { ImageView } from './image.js';
import { angleLabel, lengthLabel, spacingOf, type Point } from './measurements.js';
import { rounded, suvLine, unitOf } from './modality-values.js';
import type { Overlay } from './overlay.js';
import { regionShapes } from './region.js';
import type { Stage } from './stage.js';

export type MeasureTool = 'length' | 'angle' | 'probe' | 'region';

const SVG = 'http://www.w3.org/2000/svg';
/** A press that moves less than this (CSS pixels) is a click. */
const CLICK = 3;

export class Measure {
  tool: MeasureTool | null = null;
  private points: Point[] = [];
  /** The tool that placed the points: what they are drawn as once the tool is off. */
  private shape: MeasureTool | null = null;
  /** Where the point being placed is, following the pointer. */
  private floating: Point | null = null;
  private press: Point | null = null;
  /** The press under way set the first point. */
  private first = false;

  constructor(
    private readonly layer: SVGSVGElement,
    private readonly stage: Stage,
    private readonly image: ImageView,
    private readonly overlay: Overlay,
  ) {
    layer.addEventListener('contextmenu', (e) => e.preventDefault());
    layer.addEventListener('pointerdown', (e) => this.down(e));
    layer.addEventListener('pointermove', (e) => this.move(e));
    layer.addEventListener('pointerup', (e) => this.up(e));
    layer.addEventListener('pointercancel', () => (this.press = null));
    layer.addEventListener('pointerleave', () => this.tool === 'probe' && this.overlay.showProbe(''));
    layer.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        this.stage.zoomStep(e.deltaY < 0);
        this.stage.draw();
      },
      { passive: false },
    );
  }

  get active(): boolean {
    return this.tool !== null;
  }

  /** Turns `tool` on (a new measurement), or off when it is on already. */
  toggle(tool: MeasureTool): void {
    if (this.tool === tool) return this.cancel();
    this.tool = tool;
    this.points = [];
    this.floating = null;
    this.overlay.showProbe('');
    this.show();
  }

  /** Esc: the tool goes off, with a measurement not yet finished. */
  cancel(): void {
    if (!this.finished()) this.points = [];
    this.tool = null;
    this.floating = null;
    this.press = null;
    this.overlay.showProbe('');
    this.show();
  }

  /** Forgets what was measured (Reset, another image or frame). */
  clear(): void {
    this.points = [];
    this.floating = null;
    this.press = null;
    this.overlay.showProbe('');
    this.draw();
  }

  private needed(): number {
    return this.tool === 'angle' ? 3 : 2;
  }

  private finished(): boolean {
    return this.points.length === this.needed();
  }

  private at(e: PointerEvent): { screen: Point; image: Point | null } {
    const box = this.layer.getBoundingClientRect();
    const screen = { x: e.clientX - box.left, y: e.clientY - box.top };
    return { screen, image: this.stage.toImage(screen.x, screen.y) };
  }

  private down(e: PointerEvent): void {
    if (!this.tool || this.tool === 'probe' || e.button !== 0) return;
    const { screen, image } = this.at(e);
    if (!image) return;
    this.layer.setPointerCapture(e.pointerId);
    this.press = screen;
    // The first point is where the press starts; each later one where a press ends (a click, or the end of a drag).
    this.first = this.points.length === 0 || this.points.length >= this.needed();
    if (this.first) {
      this.points = [image];
      this.shape = this.tool;
      this.floating = null;
    }
    this.draw();
  }

  private move(e: PointerEvent): void {
    const { image } = this.at(e);
    if (this.tool === 'probe') return this.probe(e, image);
    if (!this.tool || !image || this.points.length === 0 || this.points.length >= this.needed()) return;
    this.floating = image;
    this.draw();
  }

  private up(e: PointerEvent): void {
    const press = this.press;
    this.press = null;
    if (!press || !this.tool || this.tool === 'probe') return;
    const { screen, image } = this.at(e);
    if (!image) return;
    // A click on the first point only sets it; a drag from it sets the next.
    if (this.first && Math.hypot(screen.x - press.x, screen.y - press.y) < CLICK) return;
    if (this.points.length < this.needed()) this.points.push(image);
    this.floating = null;
    this.draw();
  }

  private probe(e: PointerEvent, image: Point | null): void {
    const size = this.stage.imageSize();
    if (!image || !size) return this.overlay.showProbe('');
    const [column, row] = [Math.floor(image.x), Math.floor(image.y)];
    if (column < 0 || row < 0 || column >= size.w || row >= size.h) return this.overlay.showProbe('');
    const where = `X ${column} Y ${row}`;
    const sample = this.image.sampleAt(column, row);
    if (sample) {
      const info = this.image.info;
      const stored = sample.float ? '' : `Stored ${sample.stored}`;
      const lines = [where, stored, `Value ${rounded(sample.value)}${unitOf(info)}`, suvLine(info, sample.value)];
      return this.overlay.showProbe(lines.filter(Boolean).join('\n'));
    }
    const { screen } = this.at(e);
    this.overlay.showProbe(`${where}\nRGB ${this.stage.shownColour(screen.x, screen.y).join(', ')}`);
  }

  /** The layer takes the pointer, and the header's button shows pressed, while a tool is on. */
  private show(): void {
    this.layer.classList.toggle('active', this.active);
    for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-measure]')) {
      button.setAttribute('aria-pressed', String(button.dataset['measure'] === this.tool));
    }
    this.draw();
  }

  /** Draws the measurement through the stage's transform: after every drawing of the image. */
  draw(): void {
    const points = [...this.points, ...(this.floating ? [this.floating] : [])];
    const shown = points.map((p) => this.stage.toScreen(p.x, p.y));
    if (shown.some((p) => p === null) || points.length < 2) return void this.layer.replaceChildren();
    const screen = shown as Point[];
    if (this.shape === 'region') return void this.layer.replaceChildren(...regionShapes(points[0]!, points[1]!, this.stage, this.image));
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', screen.map((p) => `${p.x},${p.y}`).join(' '));
    const spacing = spacingOf(this.image.info);
    const [a, b, c] = points as [Point, Point, Point | undefined];
    const text = c ? angleLabel(a, b, c, spacing) : points.length === 2 && this.shape !== 'angle' ? lengthLabel(a, b, spacing) : '';
    const label = document.createElementNS(SVG, 'text');
    const end = screen[screen.length - 1]!;
    label.setAttribute('x', String(end.x + 8));
    label.setAttribute('y', String(end.y - 8));
    label.textContent = text;
    this.layer.replaceChildren(line, label);
  }
}
