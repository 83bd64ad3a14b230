// The text in the image's corners, as radiology viewers show it: which frame,
// series and image, slice location and thickness, how the image is turned,
// the window and the zoom; and the orientation markers at its edges. Never
// the patient (that stays in the Study details panel). The bottom left
// corner is the viewer's name and the time, drawn on the canvas.
import type { DicomInfo, InfoResponse } from '../api-types.js';
import type { StackPlace } from './frames.js';
import { describeTurn, type Turn } from './orientation.js';
import { edgeLabels, type Cosines } from './patient-orientation.js';
import type { VoiWindow } from './window-level.js';

export class Overlay {
  private frame = '';
  private facts: string[] = [];
  /** A study's series: the header's facts, whose instance and location each image's own replace. */
  private stack: DicomInfo | null = null;
  private window = '';
  private zoom = '';
  private turn = '';
  private probe = '';
  private cosines: Cosines | undefined;
  private edges = { left: '', right: '', top: '', bottom: '' };

  /** The corners and edges, found once: the overlay is painted on every drawing. */
  private readonly places = new Map<string, HTMLElement>();

  constructor(box: HTMLElement) {
    for (const el of box.querySelectorAll<HTMLElement>('div[class]')) this.places.set(el.className, el);
  }

  /** A new image: what its header says that the overlay shows; its window and frame follow. */
  image(info: InfoResponse): void {
    this.stack = info.kind === 'dicom' && info.stack ? info : null;
    this.facts = info.kind === 'dicom' ? whereFacts(info, this.stack ? 'Instance' : 'Image') : [];
    this.cosines = info.kind === 'dicom' ? info.orientation : undefined;
    this.frame = this.window = '';
    this.paint();
  }

  /** Frame `index` (from 0) of `frames`; nothing for a single frame. A study series' is its stack's image n of N, always. */
  showFrame(index: number, frames: number): void {
    this.frame = this.stack ? `Image ${index + 1} / ${frames}` : frames > 1 ? `Frame ${index + 1} / ${frames}` : '';
    this.paint();
  }

  /** A study series' image on show: its own instance number and slice location (none for one that could not be read). */
  showPlace(place: StackPlace | undefined): void {
    if (!this.stack) return;
    const { instanceNumber: _n, sliceLocation: _l, ...header } = this.stack;
    this.facts = whereFacts({ ...header, ...place }, 'Instance');
    this.paint();
  }

  /** The greyscale window applied, or none (a photo, a colour frame). */
  showWindow(w: VoiWindow | null): void {
    this.window = w ? `W ${Math.round(w.width)} L ${Math.round(w.center)}` : '';
    this.paint();
  }

  /** After each drawing: the zoom (100% is one image pixel on one screen pixel) and the turn. */
  showView(zoomPercent: number, turn: Turn, inverted: boolean): void {
    this.zoom = `Zoom ${Math.round(zoomPercent)}%`;
    this.turn = [describeTurn(turn), inverted ? 'Inverted' : ''].filter(Boolean).join('\n');
    this.edges = this.cosines ? edgeLabels(this.cosines, turn) : { left: '', right: '', top: '', bottom: '' };
    this.paint();
  }

  /** The pixel probe's reading of the pixel under the pointer; empty to hide it. */
  showProbe(text: string): void {
    this.probe = text;
    this.paint();
  }

  clear(): void {
    this.frame = this.window = this.zoom = this.turn = this.probe = '';
    this.facts = [];
    this.stack = null;
    this.cosines = undefined;
    this.edges = { left: '', right: '', top: '', bottom: '' };
    this.paint();
  }

  private paint(): void {
    const corner = (name: string, lines: string[]) => {
      const el = this.places.get(name);
      if (el) el.textContent = lines.filter(Boolean).join('\n');
    };
    corner('top-left', [this.frame, ...this.facts]);
    corner('top-right', [this.turn]);
    corner('bottom-right', [this.probe, this.window, this.zoom]);
    for (const edge of ['left', 'right', 'top', 'bottom'] as const) corner(`edge-${edge}`, [this.edges[edge]]);
  }
}

const number = (n: number) => String(Math.round(n * 100) / 100);

/** Series and image numbers, slice location and thickness, as far as the header gives them; a study's image number is its Instance (its place in the stack is Image n / N). */
function whereFacts(info: { seriesNumber?: number; instanceNumber?: number; sliceLocation?: number; sliceThickness?: number }, image = 'Image'): string[] {
  const numbers = [info.seriesNumber === undefined ? '' : `Series ${info.seriesNumber}`, info.instanceNumber === undefined ? '' : `${image} ${info.instanceNumber}`].filter(Boolean).join(' · ');
  return [
    numbers,
    info.sliceLocation === undefined ? '' : `Location ${number(info.sliceLocation)} mm`,
    info.sliceThickness === undefined ? '' : `Thickness ${number(info.sliceThickness)} mm`,
  ].filter(Boolean);
}
