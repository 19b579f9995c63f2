/**
 * Iso-lines of a loss grid by marching squares (segments in data
 * coordinates), at levels spaced evenly in log(f − min + ε) so both the
 * valley floor and the walls get lines.
 */
import type { Landscape } from '../../src/protocol/webview';

export type Segment = [number, number, number, number];

/** A landscape on a 2-D grid (contour or slice2d). */
export type Grid2d = Pick<Landscape, 'xs' | 'values'> & { ys: number[] };

/** The scale the levels are even in: log(f − lo + eps) runs from a (at lo) to b (at hi); undefined for a flat or empty grid. */
export interface LogScale { lo: number; hi: number; eps: number; a: number; b: number }

export function logScale(grid: Pick<Landscape, 'values'>): LogScale | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of grid.values) for (const v of row) if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi > lo)) return undefined;
  const eps = (hi - lo) * 1e-4;
  return { lo, hi, eps, a: Math.log(eps), b: Math.log(hi - lo + eps) };
}

export function contourLevels(grid: Pick<Landscape, 'values'>, count: number): number[] {
  const s = logScale(grid);
  if (!s) return [];
  return Array.from({ length: count }, (_, i) => s.lo + Math.exp(s.a + ((s.b - s.a) * (i + 0.5)) / count) - s.eps);
}

export function contourSegments(grid: Grid2d, level: number): Segment[] {
  const { xs, ys, values } = grid;
  const out: Segment[] = [];
  const lerp = (p: number, q: number, vp: number, vq: number) => p + ((level - vp) / (vq - vp)) * (q - p);
  for (let j = 0; j + 1 < ys.length; j++) {
    for (let i = 0; i + 1 < xs.length; i++) {
      const v00 = values[j][i], v10 = values[j][i + 1], v01 = values[j + 1][i], v11 = values[j + 1][i + 1];
      if (v00 === null || v10 === null || v01 === null || v11 === null) continue;
      const x0 = xs[i], x1 = xs[i + 1], y0 = ys[j], y1 = ys[j + 1];
      // Crossing points on the four cell edges: bottom, right, top, left.
      const pts: [number, number][] = [];
      if ((v00 < level) !== (v10 < level)) pts.push([lerp(x0, x1, v00, v10), y0]);
      if ((v10 < level) !== (v11 < level)) pts.push([x1, lerp(y0, y1, v10, v11)]);
      if ((v01 < level) !== (v11 < level)) pts.push([lerp(x0, x1, v01, v11), y1]);
      if ((v00 < level) !== (v01 < level)) pts.push([x0, lerp(y0, y1, v00, v01)]);
      if (pts.length >= 2) out.push([pts[0][0], pts[0][1], pts[1][0], pts[1][1]]);
      if (pts.length === 4) out.push([pts[2][0], pts[2][1], pts[3][0], pts[3][1]]);
    }
  }
  return out;
}
