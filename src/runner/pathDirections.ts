/**
 * Directions that explain a path, for slices of objectives with more than two
 * parameters (Li et al. 2018, section 7): the top two principal directions of
 * the trajectory around its final point (with the share of the path's
 * variance each explains), the top two Hessian eigenvectors at the final
 * point, and the coordinates of any run's points in such a plane, so every
 * run of a comparison is drawn on the same slice. Also the line between two
 * points (two runs' final points, or start and end) for a 1-D interpolation.
 * Plain Float32Arrays; the landscape evaluates the planes (evaluatePlane.ts).
 */
import type { ArrayOperator } from '../core/curvature/hvp';
import { symmetricEigen } from '../core/curvature/symmetricEigen';
import type { Plane } from './evaluatePlane';
import type { Rng } from './rng';

export interface PlaneDirections {
  dirs: [Float32Array, Float32Array];
  /** PCA: each direction's share of the variance of the path's points (sum ≤ 1). */
  explained?: [number, number];
  /** Hessian: the two eigenvalues (largest in magnitude). */
  eigenvalues?: [number, number];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Principal directions of `points` − `origin` (centred on their mean): the eigenvectors of the k×k Gram
 * matrix give the right singular vectors d = Mᵀu/σ, so only k (the number of points) sets the cost of
 * the eigenproblem, never n. Unit vectors; undefined for fewer than two distinct points.
 */
export function pcaDirections(points: readonly Float32Array[], origin: Float32Array): PlaneDirections | undefined {
  const k = points.length;
  const n = origin.length;
  if (k < 2) return undefined;
  const mean = new Float64Array(n);
  for (const p of points) for (let i = 0; i < n; i++) mean[i] += (p[i] - origin[i]) / k;
  const rows = points.map((p) => Float64Array.from({ length: n }, (_, i) => p[i] - origin[i] - mean[i]));
  const gram = rows.map((a) => rows.map((b) => dot(a, b)));
  const { values, vectors } = symmetricEigen(gram);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  if (!(total > 0)) return undefined;
  const top = [k - 1, k - 2].map((j) => {
    const sigma = Math.sqrt(Math.max(values[j], 0));
    const d = new Float32Array(n);
    if (sigma > 0) rows.forEach((row, r) => { for (let i = 0; i < n; i++) d[i] += (vectors[j][r] * row[i]) / sigma; });
    return { d, share: Math.max(values[j], 0) / total };
  });
  return { dirs: [top[0].d, top[1].d], explained: [top[0].share, top[1].share] };
}

/**
 * The two eigenvectors of largest |λ| of a symmetric operator (the Hessian at the final point) by
 * subspace iteration with a Rayleigh–Ritz step on the 2-D subspace each round.
 */
export function hessianDirections(apply: ArrayOperator, n: number, rng: Rng, iterations = 60): PlaneDirections {
  let basis = [0, 1].map(() => Float64Array.from({ length: n }, () => rng.normal()));
  const out = new Float32Array(n);
  const times = (v: Float64Array): Float64Array => {
    apply(Float32Array.from(v), out);
    return Float64Array.from(out);
  };
  let ritz: number[] = [0, 0];
  for (let it = 0; it < iterations; it++) {
    orthonormalise(basis);
    const images = basis.map(times);
    const small = basis.map((a) => images.map((b) => dot(a, b)));
    const sym = [[small[0][0], (small[0][1] + small[1][0]) / 2], [(small[0][1] + small[1][0]) / 2, small[1][1]]];
    const { values, vectors } = symmetricEigen(sym);
    // Largest magnitude first.
    const order = [0, 1].sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]));
    ritz = order.map((j) => values[j]);
    // Next iterate: the images rotated to the Ritz vectors (one power step on each).
    basis = order.map((j) => Float64Array.from({ length: n }, (_, i) => vectors[j][0] * images[0][i] + vectors[j][1] * images[1][i]));
  }
  orthonormalise(basis);
  return { dirs: [Float32Array.from(basis[0]), Float32Array.from(basis[1])], eigenvalues: [ritz[0], ritz[1]] };
}

/** Gram–Schmidt in place (twice, for rounding); a vector that vanishes is left as it is. */
function orthonormalise(vs: Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    vs.forEach((v, j) => {
      for (let i = 0; i < j; i++) {
        const c = dot(v, vs[i]);
        for (let t = 0; t < v.length; t++) v[t] -= c * vs[i][t];
      }
      const norm = Math.sqrt(dot(v, v));
      if (norm > 0) for (let t = 0; t < v.length; t++) v[t] /= norm;
    });
  }
}

/** Coordinates (a, b) of each point's least-squares projection onto origin + a·d1 + b·d2 (directions need not be orthogonal). */
export function projectOnPlane(points: readonly ArrayLike<number>[], origin: ArrayLike<number>, [d1, d2]: readonly [ArrayLike<number>, ArrayLike<number>]): [number, number][] {
  const g11 = dot(d1, d1), g12 = dot(d1, d2), g22 = dot(d2, d2);
  const det = g11 * g22 - g12 * g12;
  return points.map((p) => {
    let r1 = 0, r2 = 0;
    for (let i = 0; i < origin.length; i++) {
      const r = p[i] - origin[i];
      r1 += r * d1[i];
      r2 += r * d2[i];
    }
    return [(g22 * r1 - g12 * r2) / det, (g11 * r2 - g12 * r1) / det];
  });
}

/**
 * The line a + t·(b − a) at `count` evenly spaced t from about −margin to 1 + margin, with t = 0 and
 * t = 1 on the grid (the points themselves), as a plane for evaluatePlane.
 */
export function interpolationLine(a: Float32Array, b: Float32Array, count: number, margin = 0.25): Plane & { ts: number[] } {
  const dir = Float32Array.from(a, (v, i) => b[i] - v);
  // q grid steps before t = 0 and after t = 1, m between them.
  const q = Math.round((margin * (count - 1)) / (1 + 2 * margin));
  const m = Math.max(1, count - 1 - 2 * q);
  const ts = Array.from({ length: count }, (_, i) => (i - q) / m);
  return { base: Float32Array.from(a), dirs: [dir], coords: Float32Array.from(ts), ts };
}
