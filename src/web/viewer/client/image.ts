// The image on show: opens the link's asset (or one chosen under Series, a
// study's series among them), shows its frames (frames.ts keeps them once
// fetched), and applies window/level to greyscale in the page, on the frame's
// real values; a study's series is a stack of images scrolled through, and
// keeps the window last applied to it for when it is opened again. Photos
// and colour frames are shown as they come.
import type { GreyFormat, InfoResponse, WindowPreset } from '../api-types.js';
import { PageEnded, type ViewerApi } from './api.js';
import { Cine, frameAfter, imageAfter } from './cine.js';
import { option, type PageElements } from './dom.js';
import { rateChoices, startRate } from './frame-rate.js';
import { FrameSource, type Frame } from './frames.js';
import type { Overlay } from './overlay.js';
import type { Stage } from './stage.js';
import { dragWindow, fullRange, greyLevels, presetWindow, rescaleOf, type Samples, type VoiWindow } from './window-level.js';

export class ImageView {
  info: InfoResponse | null = null;
  private grey: GreyFormat | null = null;
  /** The greyscale frame's samples, row by row; null for a photo or a colour frame. */
  private samples: Samples | null = null;
  private size = { rows: 0, columns: 0 };
  private window: VoiWindow = { center: 0, width: 1 };
  private presets: WindowPreset[] = [];
  /** Each study series' window as last applied (by its asset and series), restored when it is opened again. */
  private readonly stackWindows = new Map<string, VoiWindow>();
  /** The study series open, by asset and series; null for any other image. */
  private stackKey: string | null = null;
  private frame = 0;
  /** The status line says a frame could not be shown: cleared once one is. */
  private frameProblem = false;
  /** Bumped by every open, and by every frame asked for: an answer that arrives after something newer was asked for is dropped. */
  private opened = 0;
  private asked = 0;
  private loading = 0;
  /** The open image's frames; null before its description comes, and once the page blanks. */
  private frames: FrameSource | null = null;
  /** Told when other pixels come (a new image or frame): what was measured on the last ones goes. */
  onNewPixels: () => void = () => {};
  // Cine asks for the next frame only once the last has arrived.
  readonly cine = new Cine(
    (by) => this.onStep(by),
    () => this.loading > 0,
    (playing) => this.els.cine.setAttribute('aria-pressed', String(playing)),
  );

  constructor(
    private readonly els: PageElements,
    private readonly api: ViewerApi,
    private readonly stage: Stage,
    private readonly overlay: Overlay,
    /** Shows the frame `by` away; failures handled by the caller. */
    private readonly onStep: (by: number) => void,
  ) {}

  /** Opens the current asset from its first frame, at the whole-image view. */
  async open(): Promise<void> {
    const { els } = this;
    const opened = ++this.opened;
    if (this.stackKey !== null && this.presets.length > 0) this.stackWindows.set(this.stackKey, this.window);
    this.stackKey = null;
    this.cine.stop();
    this.dropFrames();
    this.samples = null;
    this.presets = [];
    this.stage.clearImage();
    this.overlay.clear();
    this.onNewPixels();
    this.frame = 0;
    this.stage.resetView();
    els.preset.replaceChildren();
    els.presetLabel.hidden = true;
    els.frameControls.hidden = true;
    const info = await this.api.json<InfoResponse>('/info');
    // Another image was chosen meanwhile: its own open draws it.
    if (opened !== this.opened) return;
    this.info = info;
    this.stackKey = this.stack ? `${this.api.asset}:${this.api.series ?? 0}` : null;
    this.grey = info.kind === 'dicom' && info.encoding !== undefined ? info : null;
    this.stage.viewer = info.viewer;
    els.what.textContent = info.title;
    this.overlay.image(info);
    els.lossy.hidden = !info.lossy;
    if (info.kind === 'photo') {
      const r = await this.api.get('/photo');
      const bitmap = await createImageBitmap(await r.blob());
      if (opened !== this.opened) return;
      this.stage.showBitmap(bitmap);
      this.stage.draw();
      return;
    }
    const frames = new FrameSource(this.api, info.frames, (loaded, of) => frames === this.frames && this.showLoaded(loaded, of));
    this.frames = frames;
    if (info.frames > 1) {
      els.frameControls.hidden = false;
      this.offerRates(info.frameRate);
    }
    await this.loadFrame(0);
    if (opened !== this.opened) return;
    if (this.samples && this.grey) this.offerPresets([...this.grey.presets, fullRange(this.samples, this.grey)], this.stackKey === null ? undefined : this.stackWindows.get(this.stackKey));
    // The first frame is drawn: the others come in the background, for stepping and Cine.
    if (info.frames > 1) void frames.prefetch();
  }

  /** The frame `by` away from the one shown, wrapping round. */
  step(by: number): Promise<void> {
    if (!this.info) return Promise.resolve();
    return this.loadFrame(frameAfter(this.frame, by, this.info.frames));
  }

  /** A study's series is open: the wheel and keys scroll its stack. */
  get stack(): boolean {
    return this.info?.kind === 'dicom' && this.info.stack === true;
  }

  /** The stack's image `by` away from the one shown, stopping at either end (the wheel and keys over a study's series). */
  scroll(by: number): Promise<void> {
    if (!this.info) return Promise.resolve();
    const to = imageAfter(this.frame, by, this.info.frames);
    return to === this.frame ? Promise.resolve() : this.loadFrame(to);
  }

  async loadFrame(index: number): Promise<void> {
    this.loading++;
    try {
      await this.fetchFrame(index, this.opened, ++this.asked);
    } finally {
      this.loading--;
    }
  }

  /** Frame `index` of the image open when it was asked for; nothing when anything was asked for since (another image, a later frame). */
  private async fetchFrame(index: number, opened: number, asked: number): Promise<void> {
    const source = this.frames;
    if (!source) return;
    this.frame = source.current = index;
    const current = () => opened === this.opened && asked === this.asked;
    let frame: Frame;
    try {
      frame = await source.get(index);
    } catch (e) {
      if (!current()) return;
      throw e;
    }
    if (this.api.ended()) throw new PageEnded();
    if (current()) this.show(index, frame);
  }

  /** Draws frame `index`, and names it in the counter, the corner and the status line. */
  private show(index: number, frame: Frame): void {
    const frames = this.info?.frames ?? 1;
    if (frame.kind === 'damaged') {
      // A frame the server could not decode: another frame's pixels must never stand under its number.
      this.samples = null;
      this.stage.clearPixels();
      this.stage.draw();
      this.els.frame.textContent = `${index + 1} / ${frames}`;
      this.overlay.showFrame(index, frames);
      this.overlay.showPlace(undefined);
      this.els.status.textContent = `Frame ${index + 1} could not be shown: its data is damaged.`;
      this.frameProblem = true;
      return;
    }
    if (this.frameProblem) {
      this.els.status.textContent = '';
      this.frameProblem = false;
    }
    if (frame.kind === 'bitmap') {
      this.stage.showBitmap(frame.bitmap);
      this.samples = null;
    } else {
      this.samples = frame.samples;
      this.size = { rows: frame.rows, columns: frame.columns };
      this.stage.clearImage();
      this.render();
    }
    this.els.frame.textContent = `${index + 1} / ${frames}`;
    this.overlay.showFrame(index, frames);
    this.overlay.showPlace(frame.place);
    if (!this.samples) this.overlay.showWindow(null);
    this.onNewPixels();
    this.stage.draw();
  }

  /** A left drag over a greyscale image: window/level; false when there is none to adjust. */
  dragWindow(dx: number, dy: number): boolean {
    if (!this.samples) return false;
    this.window = dragWindow(this.window, dx, dy);
    this.render();
    return true;
  }

  /** The greyscale sample at image pixel (column, row): as stored and as a modality value; null off the frame or with no greyscale samples. */
  sampleAt(column: number, row: number): { stored: number; value: number; float: boolean } | null {
    const { samples, grey } = this;
    const { rows, columns } = this.size;
    if (!samples || !grey || column < 0 || row < 0 || column >= columns || row >= rows) return null;
    const stored = samples[row * columns + column]!;
    const { slope, intercept } = rescaleOf(grey);
    return { stored, value: stored * slope + intercept, float: grey.encoding === 'float32' };
  }

  /** Back to the first window offered (Reset). */
  resetWindow(): void {
    const first = this.presets[0];
    if (first && this.samples) {
      this.window = presetWindow(first);
      this.els.preset.value = '0';
      this.render();
    }
  }

  /** Forgets the pixels, every frame kept included, for good (the page blanked). */
  forget(): void {
    this.samples = null;
    this.dropFrames();
    this.cine.stop();
  }

  private dropFrames(): void {
    this.frames?.drop();
    this.frames = null;
    this.els.framesLoaded.hidden = true;
  }

  /** The background fetching's progress, gone once every frame is kept or it stops. */
  private showLoaded(loaded: number | null, frames: number): void {
    const note = this.els.framesLoaded;
    note.hidden = loaded === null || loaded >= frames;
    note.textContent = loaded === null ? '' : `Frames ${loaded} / ${frames} loaded`;
  }

  /** Cine's rates, starting at the header's own (else 10 a second). */
  private offerRates(headerRate: number | undefined): void {
    const start = startRate(headerRate);
    this.els.rate.replaceChildren(...rateChoices(start).map((r) => option(String(r), `${r} frames/s`)));
    this.els.rate.value = String(start);
    this.cine.setRate(start);
  }

  /** The presets offered, and the first applied; or `kept`, a study series' window as it was left, with its preset chosen when it is one. */
  private offerPresets(presets: WindowPreset[], kept?: VoiWindow): void {
    const { els } = this;
    this.presets = presets;
    els.presetLabel.hidden = false;
    els.preset.append(...presets.map((p, i) => option(String(i), `${p.name} (${Math.round(p.center)}/${Math.round(p.width)})`)));
    els.preset.onchange = () => {
      const chosen = presets[Number(els.preset.value)];
      if (chosen) this.applyWindow(chosen);
    };
    if (!kept) return this.applyWindow(presets[0]!);
    const preset = presets.findIndex((p) => p.center === kept.center && presetWindow(p).width === kept.width);
    els.preset.value = preset < 0 ? '' : String(preset);
    this.applyWindow(kept);
  }

  private applyWindow(p: VoiWindow): void {
    this.window = presetWindow(p);
    this.render();
    this.stage.draw();
  }

  private render(): void {
    if (!this.samples || !this.grey) return;
    this.stage.showGrey(greyLevels(this.samples, this.grey, this.window), this.size.columns, this.size.rows);
    this.els.wl.textContent = `C ${Math.round(this.window.center)} W ${Math.round(this.window.width)}`;
    this.overlay.showWindow(this.window);
  }

  /** The modality values of the greyscale frame's pixels a region holds (within its bounds, on the frame, as `inside` picks); null with no greyscale samples. */
  samplesIn(region: { left: number; top: number; right: number; bottom: number; inside(column: number, row: number): boolean }): number[] | null {
    const { samples, grey } = this;
    if (!samples || !grey) return null;
    const { rows, columns } = this.size;
    const { slope, intercept } = rescaleOf(grey);
    const values: number[] = [];
    for (let row = Math.max(0, region.top); row <= Math.min(rows - 1, region.bottom); row++) {
      for (let column = Math.max(0, region.left); column <= Math.min(columns - 1, region.right); column++) {
        if (region.inside(column, row)) values.push(samples[row * columns + column]! * slope + intercept);
      }
    }
    return values;
  }
}
