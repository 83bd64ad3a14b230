// The viewer's keyboard shortcuts and mouse and touch gestures: the keys the
// page acts on and the list the help panel shows, from one table.

/** A display tool: a header button (data-tool) and a key. */
export type Tool = 'invert' | 'rotate' | 'flip-h' | 'flip-v' | 'fit' | 'one-to-one' | 'reset' | 'length' | 'angle' | 'probe' | 'region';

const TOOL_KEYS: Record<string, Tool> = {
  i: 'invert',
  r: 'rotate',
  h: 'flip-h',
  v: 'flip-v',
  f: 'fit',
  '1': 'one-to-one',
  '0': 'reset',
  escape: 'reset',
  l: 'length',
  a: 'angle',
  p: 'probe',
  // E for the ellipse: R is Rotate's.
  e: 'region',
};

/** The tool a key press asks for; null for any other key, or one with Ctrl, Alt or ⌘ (the browser's own), or typed into a field. */
export function toolOfKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'altKey' | 'metaKey' | 'target'>): Tool | null {
  if (e.ctrlKey || e.altKey || e.metaKey || isField(e.target)) return null;
  return TOOL_KEYS[e.key.toLowerCase()] ?? null;
}

export function isField(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement;
}

/** What the help panel lists: the keys or gesture, and what it does. */
export const HELP: readonly (readonly [string, string])[] = [
  ['I', 'Invert the grey levels'],
  ['R', 'Rotate 90° clockwise'],
  ['H', 'Flip horizontally'],
  ['V', 'Flip vertically'],
  ['F', 'Fit the image to the window'],
  ['1', 'One image pixel on one screen pixel (1:1)'],
  ['0 or Esc', 'Reset: fit, default window, no rotation, flip or inversion; clears the measurement'],
  ['L', 'Length: drag across the image (mm from Pixel Spacing; in pixels when the header gives no spacing). "At detector": from Imager Pixel Spacing, the only spacing a radiograph may give, not corrected for the beam\'s magnification, so longer than in the patient'],
  ['A', 'Angle: three clicks (or two drags), the middle point the vertex'],
  ['P', 'Pixel probe: the pixel under the pointer, its stored and modality value (HU for CT; SUVbw for PET when the header allows it), or its colour'],
  ['E', 'Region: drag an ellipse on a greyscale image: mean, SD, min and max inside (HU for CT; SUVbw for PET), pixel count and area'],
  ['Esc (a tool on)', 'Turn the length, angle, probe or region tool off'],
  ['← ↑ / → ↓', 'Previous / next frame (multi-frame images), or image of a study’s series (stopping at either end)'],
  ['Page Up / Page Down', 'Previous / next image of a study’s series'],
  ['Cine button', 'Play or stop the frames in a loop, at the rate (frames/s) chosen beside it'],
  ['?', 'Show or hide this help (Esc closes it)'],
  ['Left drag', 'Window/level: sideways the width, up and down the level (greyscale)'],
  ['Right drag or Shift + drag', 'Pan'],
  ['Mouse wheel', 'Zoom; over a study’s series, the next (down) or previous (up) image'],
  ['Ctrl or ⌘ + wheel', 'Zoom, over a study’s series too'],
  ['Series thumbnails', 'A study’s series: open one; each keeps the window last applied to it'],
  ['One finger (touch)', 'Pan'],
  ['Two fingers (touch)', 'Moved together: window/level, as a left drag; spread or pinched: zoom. Whichever movement is larger decides, until a finger lifts'],
];
