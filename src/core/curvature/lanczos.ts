import * as tf from '@tensorflow/tfjs';
import type { LinearOperator } from './hvp';
import { randomUnitVector } from './randomUnitVector';
import { LanczosTridiagonal, type LanczosOptions, type LanczosResult } from './lanczosTridiagonal';

export type { LanczosOptions, LanczosResult } from './lanczosTridiagonal';

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
  const tridiagonal = new LanczosTridiagonal(n, options);
  const basis = new KrylovBasis();
  let v: tf.Tensor1D | null = randomUnitVector(n, tridiagonal.seed);
  try {
    while (v !== null) {
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
      if (tridiagonal.step(alpha, beta)) next.dispose();
      else v = next;
    }
    return await refineEnds(apply, basis, tridiagonal);
  } finally {
    v?.dispose();
    basis.dispose();
  }
}

/**
 * The orthonormal Lanczos vectors as full blocks of BLOCK_ROWS rows plus one
 * growing partial block: appending copies at most a block, never the whole
 * basis (re-stacking every iteration cost O(k²·n) and dominated at n = 1e5; 8 rows measured best against 16 and 32).
 */
class KrylovBasis {
  private readonly blocks: tf.Tensor2D[] = [];
  private partial: tf.Tensor2D | null = null;

  /** Stores a copy of v's row (the caller keeps v). */
  push(v: tf.Tensor1D): void {
    const row = tf.reshape(v, [1, -1]) as tf.Tensor2D;
    if (this.partial === null) {
      // A copy, not v's buffer reshaped: the wasm backend's matMul caches its right operand per buffer
      // and ignores the shape, so v used as [n, 1] by the operator and then as this [1, n] block gave wrong sums.
      this.partial = tf.clone(row);
      row.dispose();
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
  }
}

/** Rayleigh quotients and measured residuals of the end Ritz vectors V·s. */
async function refineEnds(apply: LinearOperator, basis: KrylovBasis, tridiagonal: LanczosTridiagonal): Promise<LanczosResult> {
  const measured = tf.tidy(() =>
    tf.concat(
      tridiagonal.ends.map((s) => {
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
  return tridiagonal.refined(thetaMin, residualMin, thetaMax, residualMax);
}
