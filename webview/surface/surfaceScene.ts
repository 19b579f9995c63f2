/**
 * The geometry of the 3-D surface, from the same grid the contour draws: the
 * height of a grid point is its loss on a log scale like the contour's
 * (log(f − min + ε), contour.ts), and the contour's 14 levels are drawn on
 * the surface as its iso-lines. Everything is in model space: x, y ∈ [−1, 1]
 * over the grid's box, z ∈ [0, Z_TOP].
 */
import { contourLevels, contourSegments, type Grid2d, logScale } from '../charts/contour';
import type { Point } from '../charts/series';
import { type Vec3, Z_TOP } from './camera';

/**
 * Heights are log(f − min + ε) with ε this share of the grid's range: the contour spaces its levels with a
 * thousandth of that ε, which as heights digs a narrow trench wherever a grid point lands near the minimum.
 */
export const HEIGHT_FLOOR = 0.01;

/** As many levels as the 2-D contour draws (landscapeLayer.ts). */
export const SURFACE_LEVELS = 14;

export interface SurfaceScene {
  /** Triangles, six floats a vertex: position, then normal. */
  readonly mesh: Float32Array;
  /** The contour's iso-lines lifted to their height: pairs of points, three floats each. */
  readonly isoLines: Float32Array;
  /** The grid's box in data coordinates. */
  readonly box: { x: [number, number]; y: [number, number] };
  /** The loss at the floor and at the top. */
  readonly loss: [number, number];
  /** Model height of the surface over a data point, by bilinear interpolation; undefined off the grid. */
  heightAt(x: number, y: number): number | undefined;
  /** Model height of a loss on the surface's scale (what a grid point of that loss is drawn at). */
  heightOf(loss: number): number;
  /** Model x, y of a data point. */
  toModel(x: number, y: number): [number, number];
}

export function surfaceScene(grid: Grid2d): SurfaceScene {
  const { xs, ys, values } = grid;
  const scale = logScale(grid);
  const floor = scale ? (scale.hi - scale.lo) * HEIGHT_FLOOR : 1;
  const zOf = (v: number): number => (scale ? (Z_TOP * Math.log1p((v - scale.lo) / floor)) / Math.log1p((scale.hi - scale.lo) / floor) : 0);
  const box = { x: [xs[0], xs[xs.length - 1]] as [number, number], y: [ys[0], ys[ys.length - 1]] as [number, number] };
  const toModel = (x: number, y: number): [number, number] => [unit(x, box.x), unit(y, box.y)];
  const z: (number | undefined)[][] = values.map((row) => row.map((v) => (v === null || !Number.isFinite(v) ? undefined : zOf(v))));
  const heightAt = (x: number, y: number): number | undefined => bilinear(z, xs, ys, x, y);
  const isoLines = contourLevels(grid, SURFACE_LEVELS).flatMap((level) => contourSegments(grid, level).flatMap(([ax, ay, bx, by]) => [...toModel(ax, ay), zOf(level), ...toModel(bx, by), zOf(level)]));
  return {
    mesh: meshOf(z, xs.map((x) => unit(x, box.x)), ys.map((y) => unit(y, box.y))),
    isoLines: Float32Array.from(isoLines),
    box,
    loss: scale ? [scale.lo, scale.hi] : flatLoss(values),
    heightAt,
    heightOf: zOf,
    toModel,
  };
}

/**
 * A 2-D path laid on the surface, `lift` above it: broken where it leaves the grid (or crosses a hole), and
 * subdivided to about half a grid cell so its segments follow the surface instead of cutting through hills.
 */
export function drape(scene: SurfaceScene, points: readonly Point[], cells: number, lift = 0.012): Vec3[][] {
  const out: Vec3[][] = [];
  let current: Vec3[] = [];
  const at = (x: number, y: number): Vec3 | undefined => {
    const h = scene.heightAt(x, y);
    return h === undefined ? undefined : [...scene.toModel(x, y), h + lift];
  };
  const cut = (): void => {
    if (current.length > 0) out.push(current);
    current = [];
  };
  const piece = 1 / Math.max(cells, 1);
  points.forEach((p, i) => {
    const prev = points[i - 1];
    if (i > 0 && prev && Number.isFinite(prev.x) && Number.isFinite(prev.y) && current.length > 0) {
      const [ax, ay] = scene.toModel(prev.x, prev.y);
      const [bx, by] = scene.toModel(p.x, p.y);
      const n = Math.min(64, Math.ceil(Math.hypot(bx - ax, by - ay) / piece));
      for (let k = 1; k < n; k++) {
        const t = k / n;
        const q = at(prev.x + t * (p.x - prev.x), prev.y + t * (p.y - prev.y));
        if (q) current.push(q);
        else cut();
      }
    }
    const q = Number.isFinite(p.x) && Number.isFinite(p.y) ? at(p.x, p.y) : undefined;
    if (q) current.push(q);
    else cut();
  });
  cut();
  return out;
}

/** v's place in [lo, hi] mapped to [−1, 1]. */
function unit(v: number, [lo, hi]: [number, number]): number {
  return hi > lo ? (2 * (v - lo)) / (hi - lo) - 1 : 0;
}

/** Bilinear interpolation on an ascending grid; undefined outside it or next to a hole. */
function bilinear(z: (number | undefined)[][], xs: readonly number[], ys: readonly number[], x: number, y: number): number | undefined {
  const i = cellOf(xs, x), j = cellOf(ys, y);
  if (i === undefined || j === undefined) return undefined;
  const z00 = z[j]?.[i], z10 = z[j]?.[i + 1], z01 = z[j + 1]?.[i], z11 = z[j + 1]?.[i + 1];
  if (z00 === undefined || z10 === undefined || z01 === undefined || z11 === undefined) return undefined;
  const tx = (x - xs[i]) / (xs[i + 1] - xs[i]), ty = (y - ys[j]) / (ys[j + 1] - ys[j]);
  return (1 - ty) * ((1 - tx) * z00 + tx * z10) + ty * ((1 - tx) * z01 + tx * z11);
}

/** The cell [v[i], v[i + 1]] holding `v` (grids are evenly spaced, but the search does not assume it). */
function cellOf(vs: readonly number[], v: number): number | undefined {
  const n = vs.length;
  if (n < 2 || !(v >= vs[0] && v <= vs[n - 1])) return undefined;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (vs[mid] <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Two triangles per grid cell whose four corners have a height; normals from central differences. */
function meshOf(z: (number | undefined)[][], mx: readonly number[], my: readonly number[]): Float32Array {
  const nx = mx.length, ny = my.length;
  const normal = (i: number, j: number): Vec3 => {
    const h = (a: number, b: number) => z[Math.max(0, Math.min(ny - 1, b))]?.[Math.max(0, Math.min(nx - 1, a))] ?? z[j][i] ?? 0;
    const i0 = Math.max(0, i - 1), i1 = Math.min(nx - 1, i + 1), j0 = Math.max(0, j - 1), j1 = Math.min(ny - 1, j + 1);
    const dzdx = (h(i1, j) - h(i0, j)) / (mx[i1] - mx[i0] || 1);
    const dzdy = (h(i, j1) - h(i, j0)) / (my[j1] - my[j0] || 1);
    const n = Math.hypot(dzdx, dzdy, 1);
    return [-dzdx / n, -dzdy / n, 1 / n];
  };
  const out: number[] = [];
  const vertex = (i: number, j: number): void => {
    out.push(mx[i], my[j], z[j][i] ?? 0, ...normal(i, j));
  };
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      if (z[j][i] === undefined || z[j][i + 1] === undefined || z[j + 1][i] === undefined || z[j + 1][i + 1] === undefined) continue;
      vertex(i, j); vertex(i + 1, j); vertex(i + 1, j + 1);
      vertex(i, j); vertex(i + 1, j + 1); vertex(i, j + 1);
    }
  }
  return Float32Array.from(out);
}

/** The loss of a flat grid (every finite value equal), or 0 without one. */
function flatLoss(values: readonly (readonly (number | null)[])[]): [number, number] {
  const v = values.flat().find((x): x is number => x !== null && Number.isFinite(x)) ?? 0;
  return [v, v];
}
