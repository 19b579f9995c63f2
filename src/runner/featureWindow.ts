/**
 * The first landscape window of a 1- or 2-parameter objective without a
 * declared domain: the path alone would show a patch of one valley (Himmelblau
 * from (0, 0) under Adam: [−1, 1]², none of its four minima). Coarse grids on
 * squares around x0 that double in size (half-width h0·2^k) are searched for
 * local minima; the first square that holds one decides, and the window is
 * the box around x0 and every minimum found there, padded. No minimum up to
 * the largest square (a linear or unbounded objective): the first square.
 */
export type Box = [number, number][];

/** Half-widths h0·2^k for k = 0..PROBE_DOUBLINGS. */
export const PROBE_DOUBLINGS = 4;
/** Probe grid points per axis (2-D; 1-D uses PROBE_SIZE_1D). */
export const PROBE_SIZE_2D = 25;
export const PROBE_SIZE_1D = 101;
/** The window is the box of x0 and the minima, widened by this fraction of its span on each side. */
const PAD = 0.25;

/** Losses on a regular grid over `box` (size points per axis, row-major with x fastest); undefined when cancelled. */
export type BoxEvaluator = (box: Box, size: number) => Promise<ArrayLike<number> | undefined>;

const linspace = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

/** Grid points not above any neighbour (8 in 2-D, 2 in 1-D) and below one, not on the border, as coordinates. */
export function gridMinima(values: ArrayLike<number>, axes: number[][]): number[][] {
  const [xs, ys] = axes;
  const w = xs.length;
  const h = ys ? ys.length : 1;
  const at = (i: number, j: number) => values[j * w + i];
  const out: number[][] = [];
  for (let j = ys ? 1 : 0; j < (ys ? h - 1 : 1); j++) {
    for (let i = 1; i < w - 1; i++) {
      const v = at(i, j);
      if (!Number.isFinite(v)) continue;
      // Not above any neighbour and below one at least: a minimum between two grid points ties them.
      let lowest = true;
      let below = false;
      for (let dj = ys ? -1 : 0; dj <= (ys ? 1 : 0) && lowest; dj++) {
        for (let di = -1; di <= 1; di++) {
          if (di === 0 && dj === 0) continue;
          const u = at(i + di, j + dj);
          if (!(v <= u)) {
            lowest = false;
            break;
          }
          below ||= v < u;
        }
      }
      if (lowest && below) out.push(ys ? [xs[i], ys[j]] : [xs[i]]);
    }
  }
  return out;
}

export async function featureWindow(x0: readonly number[], evaluate: BoxEvaluator): Promise<Box> {
  const h0 = Math.max(1, ...x0.map(Math.abs));
  const square = (h: number): Box => x0.map((v) => [v - h, v + h]);
  const size = x0.length === 2 ? PROBE_SIZE_2D : PROBE_SIZE_1D;
  for (let k = 0; k <= PROBE_DOUBLINGS; k++) {
    const box = square(h0 * 2 ** k);
    const values = await evaluate(box, size);
    if (!values) break;
    const minima = gridMinima(values, box.map(([lo, hi]) => linspace(lo, hi, size)));
    if (minima.length === 0) continue;
    return x0.map((v, i) => {
      const lo = Math.min(v, ...minima.map((m) => m[i]));
      const hi = Math.max(v, ...minima.map((m) => m[i]));
      // A grid cell either side at least, so a minimum on the probe's grid is not on the window's edge.
      const pad = Math.max(PAD * (hi - lo), (2 * (box[i][1] - box[i][0])) / (size - 1));
      // Not narrower than h0 (a start at the minimum itself still shows its bowl).
      const half = Math.max((hi - lo) / 2 + pad, h0 / 2);
      return [(lo + hi) / 2 - half, (lo + hi) / 2 + half];
    });
  }
  return square(h0);
}
