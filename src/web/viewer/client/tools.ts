// The display tools of the header and their keys: what each does to the
// stage (what is drawn on the canvas; nothing is asked of the server).
import type { ImageView } from './image.js';
import type { Measure } from './measure.js';
import { flipHorizontal, flipVertical, rotate } from './orientation.js';
import type { Tool } from './shortcuts.js';
import type { Stage } from './stage.js';

export function applyTool(tool: Tool, stage: Stage, image: ImageView, measure: Measure): void {
  if (tool === 'length' || tool === 'angle' || tool === 'probe' || tool === 'region') return measure.toggle(tool);
  if (tool === 'invert') stage.inverted = !stage.inverted;
  else if (tool === 'rotate') stage.turn = rotate(stage.turn);
  else if (tool === 'flip-h') stage.turn = flipHorizontal(stage.turn);
  else if (tool === 'flip-v') stage.turn = flipVertical(stage.turn);
  else if (tool === 'fit') stage.fit();
  else if (tool === 'one-to-one') stage.oneToOne();
  else {
    stage.resetView();
    // Back to the image's first window (the header's own, else the modality's).
    image.resetWindow();
    measure.clear();
  }
  stage.draw();
}

const TOOLS: readonly Tool[] = ['invert', 'rotate', 'flip-h', 'flip-v', 'fit', 'one-to-one', 'reset', 'length', 'angle', 'probe', 'region'];

/** The header's tool buttons (data-tool="…"). */
export function wireToolButtons(run: (tool: Tool) => void): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-tool]')) {
    const tool = TOOLS.find((t) => t === button.dataset['tool']);
    if (tool) button.addEventListener('click', () => run(tool));
  }
}
