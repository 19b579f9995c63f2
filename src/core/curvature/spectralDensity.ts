/**
 * The Hessian's spectral density and trace without forming it (PyHessian's method): stochastic Lanczos
 * quadrature (Ubaru, Chen and Saad 2017). Each Rademacher probe z/√n starts a short Lanczos run (./lanczos.ts,
 * the one Lanczos); its tridiagonal's eigenvalues and squared first components are the nodes and weights of a
 * Gauss quadrature of the probe's spectral measure, whose average over probes estimates the density
 * (1/n)Σδ(λ − λᵢ). The quadrature's first moment is the probe's zᵀHz/n exactly, so the same probes give
 * Hutchinson's trace and its standard error at no extra cost. When n Hessian-vector products cost no more
 * than the probes would, the Hessian is formed instead and everything is exact.
 */
import type { ArrayOperator } from './hvp';
import { lanczos } from './lanczos';
import { symmetricEigen } from './symmetricEigen';

export interface SpectrumOptions {
  /** Rademacher probes (default 8). */
  probes?: number;
  /** Lanczos steps per probe (default 24): the quadrature is exact for polynomials up to degree 2·steps − 1. */
  steps?: number;
  /** Also estimate diag(H) (Hutchinson's E[z ⊙ Hz]; p more products unless exact). */
  diagonal?: boolean;
  seed?: number;
  /**
   * Asked before each probe after the second (two always run: the fewest a standard error needs); true
   * stops. The caller's budget (the runner's: time since the sample started), so this file reads no clock.
   */
  shouldStop?: () => boolean;
}

export interface SpectrumEstimate {
  /** tr(H): exact, or Hutchinson's mean of zᵀHz over the probes. */
  trace: number;
  /** Standard error of `trace` (0 when exact). */
  traceStdErr: number;
  /** Probes used (n when exact: one product per unit vector). */
  probes: number;
  method: 'exact' | 'hutchinson';
  /** Quadrature nodes (eigenvalues when exact) and weights summing to 1: the density's estimate. */
  density: { nodes: number[]; weights: number[] };
  /** diag(H) estimate, and the standard error of its entries (root mean square over the entries). */
  diagonal?: Float32Array;
  diagonalStdErr?: number;
  /** Hessian-vector products spent. */
  products: number;
}

export const SPECTRUM_DEFAULTS = { probes: 8, steps: 24, seed: 0 } as const;

/** Density, trace (and the diagonal when asked) of the operator's spectrum; see the file's comment. */
export function spectralDensity(apply: ArrayOperator, n: number, options: SpectrumOptions = {}): SpectrumEstimate {
  const probes = Math.max(2, options.probes ?? SPECTRUM_DEFAULTS.probes);
  const steps = Math.max(1, Math.min(n, options.steps ?? SPECTRUM_DEFAULTS.steps));
  // Lanczos spends steps + 2 products per probe (its two ends' refinement), the diagonal one more.
  const probeCost = probes * (steps + 2 + (options.diagonal ? 1 : 0));
  if (n <= probeCost) return exactDensity(apply, n, options.diagonal === true);
  const shouldStop = options.shouldStop ?? (() => false);
  const random = rademacher(options.seed ?? SPECTRUM_DEFAULTS.seed);
  const nodes: number[] = [];
  const rawWeights: number[] = [];
  const quadratic: number[] = [];
  const diagonalSum = options.diagonal ? new Float64Array(n) : undefined;
  const diagonalSquares = options.diagonal ? new Float64Array(n) : undefined;
  const hz = new Float32Array(n);
  let products = 0;
  for (let p = 0; p < probes && (p < 2 || !shouldStop()); p++) {
    const z = random(n);
    const start = z.map((zi) => zi / Math.sqrt(n));
    const result = lanczos(apply, n, { start, maxIterations: steps, tol: 0 });
    products += result.iterations + 2;
    nodes.push(...result.ritzValues);
    rawWeights.push(...result.ritzWeights);
    // Σ wⱼθⱼ = e₁ᵀTe₁ = vᵀHv with v = z/√n, so n times it is the probe's zᵀHz.
    quadratic.push(n * result.ritzValues.reduce((sum, theta, j) => sum + theta * result.ritzWeights[j], 0));
    if (diagonalSum && diagonalSquares) {
      apply(z, hz);
      products += 1;
      for (let i = 0; i < n; i++) {
        const d = z[i] * hz[i];
        diagonalSum[i] += d;
        diagonalSquares[i] += d * d;
      }
    }
  }
  const used = quadratic.length;
  const { mean, stdErr } = meanAndStdErr(quadratic);
  const weights = rawWeights.map((w) => w / used);
  return {
    trace: mean,
    traceStdErr: stdErr,
    probes: used,
    method: 'hutchinson',
    density: { nodes, weights },
    ...(diagonalSum && diagonalSquares ? diagonalOf(diagonalSum, diagonalSquares, used) : {}),
    products,
  };
}

/** The Hessian from n products (one per unit vector), symmetrised: its eigenvalues with weight 1/n each, its trace and diagonal. */
function exactDensity(apply: ArrayOperator, n: number, withDiagonal: boolean): SpectrumEstimate {
  const unit = new Float32Array(n);
  const column = new Float32Array(n);
  const rows: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    unit[j] = 1;
    apply(unit, column);
    unit[j] = 0;
    for (let i = 0; i < n; i++) {
      rows[i][j] += column[i] / 2;
      rows[j][i] += column[i] / 2;
    }
  }
  const values = symmetricEigen(rows).values;
  const diagonal = Float32Array.from(rows, (row, i) => row[i]);
  return {
    trace: diagonal.reduce((a, b) => a + b, 0),
    traceStdErr: 0,
    probes: n,
    method: 'exact',
    density: { nodes: values, weights: values.map(() => 1 / n) },
    ...(withDiagonal ? { diagonal, diagonalStdErr: 0 } : {}),
    products: n,
  };
}

function diagonalOf(sum: Float64Array, squares: Float64Array, probes: number): { diagonal: Float32Array; diagonalStdErr: number } {
  const diagonal = new Float32Array(sum.length);
  let variance = 0;
  for (let i = 0; i < sum.length; i++) {
    const mean = sum[i] / probes;
    diagonal[i] = mean;
    variance += Math.max(0, squares[i] / probes - mean * mean) * (probes / (probes - 1));
  }
  return { diagonal, diagonalStdErr: Math.sqrt(variance / sum.length / probes) };
}

/** Mean and its standard error (sample standard deviation / √count). */
export function meanAndStdErr(values: readonly number[]): { mean: number; stdErr: number } {
  const count = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / count;
  if (count < 2) return { mean, stdErr: Infinity };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (count - 1);
  return { mean, stdErr: Math.sqrt(variance / count) };
}

/** Seeded ±1 vectors (xorshift32: the probes repeat from sample to sample, so samples compare). */
export function rademacher(seed: number): (n: number) => Float32Array {
  let state = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return (n) => {
    const z = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      z[i] = state >>> 31 ? 1 : -1;
    }
    return z;
  };
}
