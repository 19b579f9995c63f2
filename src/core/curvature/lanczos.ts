import * as tf from '@tensorflow/tfjs';
import type { LinearOperator } from './hvp';
import { randomUnitVector } from './randomUnitVector';
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

/** Rows per block of the stored Krylov basis (see KrylovBasis). */
const BLOCK_ROWS = 8;

/**
 * Lanczos iteration on a symmetric operator of size n, with full
 * re-orthogonalisation: classical Gram-Schmidt against the whole basis, applied
 * twice ("twice is enough"), so no ghost eigenvalues. The basis stays on the
 * backend as a few 2-D blocks, so each pass is two matMuls per block rather
 * than one op per earlier vector, and each vector is copied once. Each
 * iteration reads back one small tensor (α, β) and solves the tridiagonal
 * eigenproblem on the host for the Ritz values and their residuals β·|s_k|.
 * At the end, each end's Ritz vector u is formed and H·u applied once more: the
 * reported λ is its Rayleigh quotient and the residual ‖H·u − λ·u‖ is measured,
 * not inferred, so it also covers float32 rounding (which limits λmin to about
 * 1e-5·λmax in absolute terms).
 */
export async function lanczos(apply: LinearOperator, n: number, options: LanczosOptions = {}): Promise<LanczosResult> {
  const { maxIterations, tol, seed } = { ...LANCZOS_DEFAULTS, ...options };
  const cap = Math.max(1, Math.min(maxIterations, n));
  const basis = new KrylovBasis();
  const alphas: number[] = [];
  const betas: number[] = [];
  let v: tf.Tensor1D | null = randomUnitVector(n, seed);
  let result: LanczosResult = emptyResult();
  let ends: number[][] = [];
  try {
    while (v !== null && basis.size < cap) {
      basis.push(v);
      const current: tf.Tensor1D = v;
      const [next, scalars] = tf.tidy(() => {
        const hv = apply(current);
        // α = vₖ·H·vₖ; the two passes' coefficients on vₖ add up to it.
        const first = basis.orthogonalise(hv);
        const second = basis.orthogonalise(first.rest);
        const alpha = tf.add(first.last, second.last);
        // sqrt(Σr²): tf.norm is ~10× slower on wasm at n = 1e5.
        const beta = tf.sqrt(tf.sum(tf.square(second.rest)));
        return [tf.div(second.rest, beta) as tf.Tensor1D, tf.stack([alpha, beta])] as const;
      });
      current.dispose();
      v = null;
      const [alpha, beta] = await scalars.data();
      scalars.dispose();
      alphas.push(alpha);
      betas.push(beta);
      const k = basis.size;
      // ‖T‖ up to a factor 3: the scale β is compared with (without solving T).
      const scaleOfT = Math.max(...alphas.map(Math.abs), ...betas.slice(0, -1), Number.MIN_VALUE);
      // β ≈ 0: the Krylov space is invariant, so its Ritz values are exact eigenvalues.
      const exhausted = beta <= 1e-6 * scaleOfT || k === n;
      // The k×k eigenproblem costs O(k³) on the host (~0.15 s summed over 80 iterations when
      // solved every time, a third of a sample at n = 1e3): past the first few iterations, check every 4th.
      if (exhausted || k === cap || k <= 8 || k % 4 === 0) {
        const pairs = ritz(alphas, betas);
        result = pairs.result;
        ends = pairs.ends;
        const scale = Math.max(Math.abs(result.lambdaMax), Math.abs(result.lambdaMin), Number.MIN_VALUE);
        result.converged = exhausted || (result.residualMax <= tol * scale && result.residualMin <= tol * scale);
      }
      if (result.converged || k === cap) next.dispose();
      else v = next;
    }
    if (basis.size > 0) await refineEnds(apply, basis, ends, result);
  } finally {
    v?.dispose();
    basis.dispose();
  }
  return result;
}

/**
 * The orthonormal Lanczos vectors as full blocks of BLOCK_ROWS rows plus one
 * growing partial block: appending copies at most a block, never the whole
 * basis (re-stacking every iteration cost O(k²·n) and dominated at n = 1e5; 8 rows measured best against 16 and 32).
 */
class KrylovBasis {
  private readonly blocks: tf.Tensor2D[] = [];
  private partial: tf.Tensor2D | null = null;
  size = 0;

  /** Stores a copy of v's row (the caller keeps v). */
  push(v: tf.Tensor1D): void {
    const row = tf.reshape(v, [1, -1]) as tf.Tensor2D;
    if (this.partial === null) {
      this.partial = row;
    } else {
      const grown = tf.concat([this.partial, row]) as tf.Tensor2D;
      this.partial.dispose();
      row.dispose();
      this.partial = grown;
    }
    if (this.partial.shape[0] === BLOCK_ROWS) {
      this.blocks.push(this.partial);
      this.partial = null;
    }
    this.size += 1;
  }

  private all(): tf.Tensor2D[] {
    return this.partial === null ? this.blocks : [...this.blocks, this.partial];
  }

  /** One Gram-Schmidt pass: r − Vᵀ(V·r), and the coefficient on the newest vector. */
  orthogonalise(r: tf.Tensor1D): { rest: tf.Tensor1D; last: tf.Scalar } {
    const column = tf.reshape(r, [-1, 1]);
    let rest: tf.Tensor = r;
    let coefficients: tf.Tensor = column;
    for (const block of this.all()) {
      // Both products without a transpose: tfjs materialises transposed operands (slow at large n).
      coefficients = tf.matMul(block, column);
      rest = tf.sub(rest, tf.reshape(tf.matMul(tf.reshape(coefficients, [1, -1]), block), [-1]));
    }
    const last = tf.reshape(tf.slice(coefficients, [coefficients.shape[0] - 1, 0], [1, 1]), []) as tf.Scalar;
    return { rest: rest as tf.Tensor1D, last };
  }

  /** V·s for coefficients s on the host (one per stored vector). */
  combine(s: number[]): tf.Tensor1D {
    let offset = 0;
    const parts = this.all().map((block) => {
      const rows = block.shape[0];
      const part = tf.matMul(tf.tensor2d([s.slice(offset, offset + rows)]), block);
      offset += rows;
      return part;
    });
    return tf.reshape(tf.addN(parts), [-1]) as tf.Tensor1D;
  }

  dispose(): void {
    for (const block of this.all()) block.dispose();
    this.blocks.length = 0;
    this.partial = null;
    this.size = 0;
  }
}

/** Rayleigh quotients and measured residuals of the end Ritz vectors V·s. */
async function refineEnds(apply: LinearOperator, basis: KrylovBasis, ends: number[][], result: LanczosResult): Promise<void> {
  const measured = tf.tidy(() =>
    tf.concat(
      ends.map((s) => {
        const u = basis.combine(s);
        const unit = tf.div(u, tf.sqrt(tf.sum(tf.square(u)))) as tf.Tensor1D;
        const hu = apply(unit);
        const theta = tf.dot(unit, hu);
        return tf.stack([theta, tf.sqrt(tf.sum(tf.square(tf.sub(hu, tf.mul(theta, unit)))))]);
      }),
    ),
  );
  const [thetaMin, residualMin, thetaMax, residualMax] = await measured.data();
  measured.dispose();
  Object.assign(result, { lambdaMin: thetaMin, residualMin, lambdaMax: thetaMax, residualMax });
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
