// The viewer page's script (src/web/viewer/page.ts): asks the session-bound
// API for the image and draws it; keeps the page in step with the session and
// blanks the image, with the reason, when access ends; reports the user's own
// activity in the page (drag, wheel, keys, choices) as use.
import type { PageEnding, SeriesItem, SeriesResponse } from '../api-types.js';
import { PageEnded, ViewerApi } from './api.js';
import { arrowStep, stackStep } from './cine.js';
import { clearDetails, toggleDetails } from './details.js';
import { option, pageElements } from './dom.js';
import { showEnding } from './endings.js';
import { Help } from './help.js';
import { ImageView } from './image.js';
import { Measure } from './measure.js';
import { Overlay } from './overlay.js';
import { wirePointer } from './pointer.js';
import { SeriesStrip } from './series-strip.js';
import { isField, toolOfKey } from './shortcuts.js';
import { paintWatermark, Stage } from './stage.js';
import { StatusPoll } from './status-poll.js';
import { applyTool, wireToolButtons } from './tools.js';

const WATERMARK_MS = 30_000;
const USE = ['pointerdown', 'wheel', 'keydown', 'change'] as const;

function boot(): void {
  const els = pageElements();
  let ended = false;
  const stage = new Stage(els.image);
  const api: ViewerApi = new ViewerApi(document.body.dataset['token'] ?? '', { ended: () => ended, recheck: () => poll.check() });
  const poll: StatusPoll = new StatusPoll(api, { end: (reason) => end(reason), ended: () => ended, showing: () => image.info !== null });
  const overlay = new Overlay(els.overlay);
  const image = new ImageView(els, api, stage, overlay, (by) => step(by));
  const measure = new Measure(els.measure, stage, image, overlay);
  image.onNewPixels = () => measure.clear();
  stage.onDraw = (zoom) => {
    overlay.showView(zoom, stage.turn, stage.inverted);
    measure.draw();
  };
  const help = new Help(els.help, els.helpButton);
  const strip = new SeriesStrip(els.strip, api);

  // Event handlers' failures: an end is already shown; anything else is said in the status line.
  const safely =
    <A extends unknown[]>(fn: (...args: A) => unknown) =>
    (...args: A): void => {
      void Promise.resolve()
        .then(() => fn(...args))
        .catch((e: unknown) => {
          if (!(e instanceof PageEnded)) els.status.textContent = 'The image could not be loaded.';
        });
    };
  const step = safely((by: number) => image.step(by));
  const scroll = safely((by: number) => image.scroll(by));

  function end(reason: PageEnding): void {
    if (ended) return;
    ended = true;
    image.forget();
    measure.cancel();
    measure.clear();
    stage.blank();
    overlay.clear();
    strip.clear();
    // The study details name the patient: they go with the image.
    clearDetails(els.details);
    showEnding(els, reason);
    poll.stop();
  }

  async function start(): Promise<void> {
    poll.start();
    await image.open();
    const watermark = () => paintWatermark(els.watermark, stage.viewer);
    watermark();
    setInterval(watermark, WATERMARK_MS);
    await poll.check();
    const series = await api.json<SeriesResponse>('/series');
    const { items } = series;
    const current = items.find((s) => s.assetId === series.current && s.series === series.currentSeries);
    const choose = safely((item: SeriesItem) => {
      // The link's own study stays the link's own (its windows are kept under one name).
      api.asset = item.series !== undefined && item.assetId === series.current ? '' : item.assetId;
      api.series = item.series;
      els.series.value = String(items.indexOf(item));
      strip.mark(item);
      // The details named the image before: they go with it.
      clearDetails(els.details);
      return image.open();
    });
    if (items.length > 1) {
      els.series.append(...items.map((s, i) => option(String(i), s.label)));
      els.series.value = current ? String(items.indexOf(current)) : '';
      els.seriesLabel.hidden = false;
      els.series.addEventListener('change', () => {
        const item = items[Number(els.series.value)];
        if (item) choose(item);
      });
    }
    // A study's strip takes room from the image: drawn again, fitted to what is left.
    if (strip.show(items.filter((s) => s.assetId === series.current && s.series !== undefined), current, choose)) stage.draw();
  }

  wirePointer(els.image, stage, image, scroll);
  for (const type of USE) document.addEventListener(type, () => poll.activity(), { capture: true, passive: true });
  document.addEventListener('pointermove', (e) => e.buttons && poll.activity(), { capture: true, passive: true });
  window.addEventListener('resize', () => stage.draw());
  wireToolButtons((tool) => !ended && applyTool(tool, stage, image, measure));
  els.prev.addEventListener('click', () => step(-1));
  els.next.addEventListener('click', () => step(1));
  els.cine.addEventListener('click', () => !ended && image.cine.toggle());
  els.rate.addEventListener('change', () => image.cine.setRate(Number(els.rate.value)));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && help.open) return help.close();
    if (e.key === '?' && !isField(e.target)) return help.toggle();
    if (ended || !image.info) return;
    if (e.key === 'Escape' && measure.active && !isField(e.target)) return measure.cancel();
    const tool = toolOfKey(e);
    if (tool) return applyTool(tool, stage, image, measure);
    // A study's series: the keys scroll its stack (and the page, or a focused control, stays put).
    const through = image.stack && !isField(e.target) ? stackStep(e.key) : 0;
    if (through) {
      e.preventDefault();
      return scroll(through);
    }
    if (image.info.frames < 2) return;
    const by = arrowStep(e.key);
    if (by) step(by);
  });
  els.detailsButton.addEventListener(
    'click',
    safely(() => toggleDetails(els.details, api)),
  );
  safely(start)();
}

// A module script runs once the page is parsed: its elements are all there.
boot();
