// How the image is turned on the canvas: rotation in quarter turns, flips and
// inversion. The turn is a 2×2 matrix of the square's symmetries, each tool
// applied after what is already shown, so Rotate always turns the picture on
// screen clockwise and Flip H always mirrors it left to right, whatever came
// before. Pure (no DOM).

/** [a, b, c, d]: screen x = a·x + c·y, screen y = b·x + d·y (a canvas transform's order). */
export type Turn = readonly [number, number, number, number];

export const UPRIGHT: Turn = [1, 0, 0, 1];

/** The screen's operation `op` after `t`: op · t. */
function then(op: Turn, t: Turn): Turn {
  const [a, b, c, d] = t;
  const [p, q, r, s] = op;
  return [p * a + r * b, q * a + s * b, p * c + r * d, q * c + s * d];
}

/** A quarter turn clockwise on screen (y grows downward). */
export const rotate = (t: Turn): Turn => then([0, 1, -1, 0], t);
export const flipHorizontal = (t: Turn): Turn => then([-1, 0, 0, 1], t);
export const flipVertical = (t: Turn): Turn => then([1, 0, 0, -1], t);

/** Turned a quarter (or three): the image's width lies along the screen's height. */
export const sideways = (t: Turn): boolean => t[0] === 0;

/** In words, for the overlay: "Rotated 90°", "Flipped H, rotated 180°"; empty when upright. */
export function describeTurn(t: Turn): string {
  const mirrored = t[0] * t[3] - t[1] * t[2] < 0;
  // Mirrored: t = R^k · H, so t · H = R^k (H is its own inverse).
  const r = mirrored ? ([-t[0], -t[1], t[2], t[3]] as const) : t;
  const quarters = r[0] === 1 ? 0 : r[1] === 1 ? 1 : r[0] === -1 ? 2 : 3;
  // H then a half turn is V.
  if (mirrored && quarters === 2) return 'Flipped V';
  const parts = [...(mirrored ? ['Flipped H'] : []), ...(quarters ? [`rotated ${quarters * 90}°`] : [])];
  const text = parts.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
