// The region tool's drawing: the ellipse between two corners kept in image
// pixels, drawn through the stage's transform (so it stays on what it holds
// through zoom, pan, turns and flips), labelled with the statistics of the
// frame's modality values inside it.
import type { ImageView } from './image.js';
import { spacingOf, type Point } from './measurements.js';
import { suvFactorOf, unitOf } from './modality-values.js';
import { ellipseBetween, ellipseRegion, regionLines, statistics } from './region-stats.js';
import type { Stage } from './stage.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Points on the drawn outline: smooth at any zoom the stage allows. */
const OUTLINE = 72;

/** The outline and label of the region with corners `a` and `b`; nothing with no image. */
export function regionShapes(a: Point, b: Point, stage: Stage, image: ImageView): SVGElement[] {
  const e = ellipseBetween(a, b);
  const outline: Point[] = [];
  for (let k = 0; k <= OUTLINE; k++) {
    const t = (2 * Math.PI * k) / OUTLINE;
    const p = stage.toScreen(e.cx + e.rx * Math.cos(t), e.cy + e.ry * Math.sin(t));
    if (!p) return [];
    outline.push(p);
  }
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', outline.map((p) => `${p.x},${p.y}`).join(' '));
  const values = image.samplesIn(ellipseRegion(e));
  const info = image.info;
  const lines = values ? regionLines(statistics(values), e, { unit: unitOf(info), suvFactor: suvFactorOf(info), spacing: spacingOf(info) }) : ['No values: a colour image'];
  const label = document.createElementNS(SVG, 'text');
  const x = String(Math.max(...outline.map((p) => p.x)) + 8);
  label.setAttribute('y', String(Math.min(...outline.map((p) => p.y))));
  label.append(
    ...lines.map((text, i) => {
      const span = document.createElementNS(SVG, 'tspan');
      span.setAttribute('x', x);
      span.setAttribute('dy', i === 0 ? '1em' : '1.2em');
      span.textContent = text;
      return span;
    }),
  );
  return [line, label];
}
