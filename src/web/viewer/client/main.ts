// The viewer page's script (src/web/viewer/page.ts): asks the session-bound
// API for the image and draws it; keeps the page in step with the session and
// blanks the image, with the reason, when access ends; reports the user's own
// activity in the page (drag, wheel, keys, choices) as use.
import type { PageEnding, SeriesResponse } from '../api-types.js';
import { PageEnded, ViewerApi } from './api.js';
import { arrowStep } from './cine.js';
import { clearDetails, toggleDetails } from './details.js';
import { option, pageElements } from './dom.js';
import { showEnding } from './endings.js';
import { Help } from './help.js';
import { ImageView } from './image.js';
import { Measure } from './measure.js';
import { Overlay } from './overlay.js';
import { wirePointer } from './pointer.js';
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

  function end(reason: PageEnding): void {
    if (ended) return;
    ended = true;
    image.forget();
    measure.cancel();
    measure.clear();
    stage.blank();
    overlay.clear();
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
    if (series.items.length > 1) {
      els.series.append(...series.items.map((s) => option(s.assetId, s.label)));
      els.series.value = series.current;
      els.seriesLabel.hidden = false;
      els.series.addEventListener(
        'change',
        safely(() => {
          api.asset = els.series.value;
          // The details named the image before: they go with it.
          clearDetails(els.details);
          return image.open();
        }),
      );
    }
  }

  wirePointer(els.image, stage, image);
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
