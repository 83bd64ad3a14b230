// A study's series as a strip of buttons above the image, each its
// thumbnail (when the study has one for it) over its label, the one on show
// pressed. The thumbnails are fetched by the page on its own (not use of the
// session) and drawn on small canvases, which are wiped when the page blanks.
import type { SeriesItem } from '../api-types.js';
import type { ViewerApi } from './api.js';

/** A thumbnail's box on screen, in CSS pixels (the canvas is drawn at twice that for sharp screens). */
const SIZE = 64;

export class SeriesStrip {
  private buttons: { item: SeriesItem; button: HTMLButtonElement }[] = [];

  constructor(
    private readonly nav: HTMLElement,
    private readonly api: ViewerApi,
  ) {}

  /** Shows the study's `items` (none: the strip stays hidden), `current` pressed; `choose` opens the one pressed. Whether it is shown. */
  show(items: SeriesItem[], current: SeriesItem | undefined, choose: (item: SeriesItem) => void): boolean {
    if (items.length === 0) return false;
    this.buttons = items.map((item) => {
      const button = document.createElement('button');
      button.type = 'button';
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = SIZE * 2;
      canvas.setAttribute('aria-hidden', 'true');
      const label = document.createElement('span');
      label.textContent = item.label;
      button.append(canvas, label);
      button.addEventListener('click', () => choose(item));
      if (item.thumbnail && item.series !== undefined) void this.draw(canvas, item.series);
      return { item, button };
    });
    this.nav.replaceChildren(...this.buttons.map((b) => b.button));
    this.mark(current);
    this.nav.hidden = false;
    return true;
  }

  /** Presses the button of the series on show (none when another image is). */
  mark(current: SeriesItem | undefined): void {
    for (const { item, button } of this.buttons) button.setAttribute('aria-pressed', String(item === current));
  }

  /** The page blanked: the thumbnails are the patient's pixels, and go with the image. */
  clear(): void {
    for (const { button } of this.buttons) button.querySelector('canvas')?.getContext('2d')?.clearRect(0, 0, SIZE * 2, SIZE * 2);
    this.nav.replaceChildren();
    this.nav.hidden = true;
    this.buttons = [];
  }

  /** Series `series`' thumbnail, fitted in the canvas; a failure leaves the label alone (the page's status poll says why access ended). */
  private async draw(canvas: HTMLCanvasElement, series: number): Promise<void> {
    try {
      const r = await this.api.get(`/thumbnails/${series}`, { ahead: true });
      const bitmap = await createImageBitmap(await r.blob());
      if (this.api.ended() || !canvas.isConnected) return bitmap.close();
      const scale = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
      const [w, h] = [bitmap.width * scale, bitmap.height * scale];
      canvas.getContext('2d')?.drawImage(bitmap, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
      bitmap.close();
    } catch {
      // No thumbnail: the button still has its label.
    }
  }
}
