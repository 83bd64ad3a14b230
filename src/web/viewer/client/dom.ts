// The elements of the viewer page (src/web/viewer/page.ts), looked up once and
// typed: a missing or renamed one stops the script at start, not mid-use.

function element<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`the viewer page has no ${kind.name} #${id}`);
  return found;
}

function svgElement(id: string): SVGSVGElement {
  const found = document.getElementById(id);
  if (!(found instanceof SVGSVGElement)) throw new Error(`the viewer page has no SVGSVGElement #${id}`);
  return found;
}

export function pageElements() {
  return {
    image: element('image', HTMLCanvasElement),
    watermark: element('watermark', HTMLDivElement),
    what: element('what', HTMLSpanElement),
    lossy: element('lossy', HTMLSpanElement),
    seriesLabel: element('series-label', HTMLLabelElement),
    series: element('series', HTMLSelectElement),
    strip: element('strip', HTMLElement),
    presetLabel: element('preset-label', HTMLLabelElement),
    preset: element('preset', HTMLSelectElement),
    wl: element('wl', HTMLSpanElement),
    frameControls: element('frame-controls', HTMLSpanElement),
    frame: element('frame', HTMLSpanElement),
    prev: element('prev', HTMLButtonElement),
    next: element('next', HTMLButtonElement),
    cine: element('cine', HTMLButtonElement),
    rate: element('rate', HTMLSelectElement),
    framesLoaded: element('frames-loaded', HTMLSpanElement),
    detailsButton: element('details-button', HTMLButtonElement),
    locked: element('locked', HTMLDivElement),
    lockedReason: element('locked-reason', HTMLParagraphElement),
    relogin: element('relogin', HTMLAnchorElement),
    details: element('details', HTMLElement),
    overlay: element('overlay', HTMLDivElement),
    measure: svgElement('measure'),
    help: element('help', HTMLElement),
    helpButton: element('help-button', HTMLButtonElement),
    status: element('status', HTMLParagraphElement),
  };
}

export type PageElements = ReturnType<typeof pageElements>;

/** A new <option> for a select. */
export function option(value: string, text: string): HTMLOptionElement {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}
