import * as tf from '@tensorflow/tfjs';
import type { LinearOperator } from './hvp';
import { symmetricEigen } from './symmetricEigen';

export interface LanczosOptions {
  /** Iteration cap (each iteration is one operator application, plus 2 at the end). Default 80. */
  maxIterations?: number;
  /** Stop when both ends' residuals are below tol·max|θ|. Default 1e-4. */
  tol?: number;
  /** Seed of the random start vector. Default 0. */
  seed?: number;
}

export interface LanczosResult {
  lambdaMax: number;
  lambdaMin: number;
  /** ‖H·u − θ·u‖ of each end's Ritz pair: an eigenvalue of H lies within it of θ. */
  residualMax: number;
  residualMin: number;
  /** All Ritz values, ascending (interior ones are rough). */
  ritzValues: number[];
  iterations: number;
  converged: boolean;
}

export const LANCZOS_DEFAULTS = { maxIterations: 80, tol: 1e-4, seed: 0 } as const;

/**
 * Lanczos iteration on a symmetric operator of size n, with full
 * re-orthogonalisation (classical Gram-Schmidt applied twice against every
 * earlier vector, so no ghost eigenvalues). Vectors stay on the backend; each
 * iteration reads back two scalars (α, β) and solves the small tridiagonal
 * eigenproblem on the host for the Ritz values and their residuals β·|s_k|.
 * At the end, each end's Ritz vector u is formed and H·u applied once more: the
 * reported λ is its Rayleigh quotient and the residual ‖H·u − λ·u‖ is measured,
 * not inferred, so it also covers float32 rounding (which limits λmin to about
 * 1e-5·λmax in absolute terms).
 */
export async function lanczos(apply: LinearOperator, n: number, options: LanczosOptions = {}): Promise<LanczosResult> {
  const { maxIterations, tol, seed } = { ...LANCZOS_DEFAULTS, ...options };
  const cap = Math.max(1, Math.min(maxIterations, n));
  const basis: tf.Tensor1D[] = [];
  const alphas: number[] = [];
  const betas: number[] = [];
  let next: tf.Tensor1D | null = tf.tidy(() => {
    const start = tf.randomNormal([n], 0, 1, 'float32', seed);
    return tf.div(start, tf.norm(start)) as tf.Tensor1D;
  });
  let result: LanczosResult = emptyResult();
  let ends: number[][] = [];
  try {
    while (next !== null && basis.length < cap) {
      const v: tf.Tensor1D = next;
      basis.push(v);
      next = null;
      const stacked = basis.length > 1 ? tf.stack(basis) : tf.expandDims(v, 0);
      const [w, scalars] = tf.tidy(() => {
        let r = apply(v);
        const first = orthogonalise(stacked as tf.Tensor2D, r);
        const second = orthogonalise(stacked as tf.Tensor2D, first.rest);
        r = second.rest;
        const alpha = tf.add(first.coefficients.slice(basis.length - 1, 1), second.coefficients.slice(basis.length - 1, 1));
        return [r, tf.concat([alpha, tf.reshape(tf.norm(r), [1])])] as const;
      });
      stacked.dispose();
      const [alpha, beta] = await scalars.data();
      scalars.dispose();
      alphas.push(alpha);
      betas.push(beta);
      const pairs = ritz(alphas, betas);
      result = pairs.result;
      ends = pairs.ends;
      const scale = Math.max(Math.abs(result.lambdaMax), Math.abs(result.lambdaMin), Number.MIN_VALUE);
      // β ≈ 0: the Krylov space is invariant, so its Ritz values are exact eigenvalues.
      const exhausted = beta <= 1e-6 * scale || basis.length === n;
      result.converged = exhausted || (result.residualMax <= tol * scale && result.residualMin <= tol * scale);
      if (result.converged) {
        w.dispose();
        break;
      }
      next = tf.tidy(() => tf.div(w, beta) as tf.Tensor1D);
      w.dispose();
    }
    if (basis.length > 0) await refineEnds(apply, basis, ends, result);
  } finally {
    next?.dispose();
    for (const v of basis) v.dispose();
  }
  return result;
}

/** Rayleigh quotients and measured residuals of the end Ritz vectors V·s. */
async function refineEnds(apply: LinearOperator, basis: tf.Tensor1D[], ends: number[][], result: LanczosResult): Promise<void> {
  const measured = tf.tidy(() => {
    const vs = tf.stack(basis) as tf.Tensor2D;
    return tf.concat(
      ends.map((s) => {
        const u = tf.matMul(tf.tensor2d([s.slice(0, basis.length)]), vs).reshape([-1]) as tf.Tensor1D;
        const unit = tf.div(u, tf.norm(u)) as tf.Tensor1D;
        const hu = apply(unit);
        const theta = tf.dot(unit, hu);
        return tf.stack([theta, tf.norm(tf.sub(hu, tf.mul(theta, unit)))]);
      }),
    );
  });
  const [thetaMin, residualMin, thetaMax, residualMax] = await measured.data();
  measured.dispose();
  Object.assign(result, { lambdaMin: thetaMin, residualMin, lambdaMax: thetaMax, residualMax });
}

/** r − Vᵀ(V r) and the coefficients V r. */
function orthogonalise(vs: tf.Tensor2D, r: tf.Tensor1D): { rest: tf.Tensor1D; coefficients: tf.Tensor1D } {
  const coefficients = tf.matMul(vs, tf.reshape(r, [-1, 1])).reshape([-1]) as tf.Tensor1D;
  const rest = tf.sub(r, tf.matMul(tf.reshape(coefficients, [1, -1]), vs).reshape([-1])) as tf.Tensor1D;
  return { rest, coefficients };
}

/** Ritz values of the tridiagonal T_k, the residual β_k·|last component| of each end, and the ends' vectors s. */
function ritz(alphas: number[], betas: number[]): { result: LanczosResult; ends: number[][] } {
  const k = alphas.length;
  const rows = alphas.map((a, i) => alphas.map((_, j) => (i === j ? a : Math.abs(i - j) === 1 ? betas[Math.min(i, j)] : 0)));
  const { values, vectors } = symmetricEigen(rows);
  const beta = betas[k - 1];
  const result = {
    lambdaMin: values[0],
    lambdaMax: values[k - 1],
    residualMin: Math.abs(beta * vectors[0][k - 1]),
    residualMax: Math.abs(beta * vectors[k - 1][k - 1]),
    ritzValues: values,
    iterations: k,
    converged: false,
  };
  return { result, ends: [vectors[0], vectors[k - 1]] };
}

function emptyResult(): LanczosResult {
  return { lambdaMax: NaN, lambdaMin: NaN, residualMax: Infinity, residualMin: Infinity, ritzValues: [], iterations: 0, converged: false };
}
