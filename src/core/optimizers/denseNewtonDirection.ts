import * as tf from '@tensorflow/tfjs';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import type { StepInput } from '../optimizer';

/** A Newton direction p (the step is −lr·p), the HVPs it cost and what happened. */
export interface NewtonDirection {
  readonly direction: tf.Tensor1D;
  readonly hvps: number;
  readonly info: Readonly<Record<string, number | boolean>>;
}

/** Tenfold damping increases tried before giving up on a solve. */
const MAX_DAMPING_RAISES = 40;

/**
 * p = (H + λI)⁻¹g with H built column by column from n HVPs (symmetrised, in
 * float64 on the host) and a Cholesky solve. If H + λI is not positive
 * definite, λ grows from max(2λ, 1e-3·max|H_ij|) tenfold until it is, so p is a
 * descent direction. Non-finite Hessians or solves fall back to p = g.
 */
export function denseNewtonDirection(input: StepInput, damping: number): NewtonDirection {
  const n = input.params.size;
  const columns: tf.Tensor1D[] = [];
  for (let i = 0; i < n; i++) {
    const e = tf.tidy(() => tf.oneHot(tf.tensor1d([i], 'int32'), n).reshape([n]).toFloat() as tf.Tensor1D);
    columns.push(input.hvp(input.params, e));
    e.dispose();
  }
  const packed = tf.tidy(() => tf.concat([...columns, input.grad]));
  const values = packed.dataSync();
  tf.dispose([packed, ...columns]);

  const g = Array.from(values.subarray(n * n, n * n + n));
  const h = new Matrix(n, n);
  let scale = 0;
  let finite = g.every(Number.isFinite);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      // Column i is H·e_i; average with the transpose to remove round-off asymmetry.
      const v = 0.5 * (values[i * n + j] + values[j * n + i]);
      h.set(i, j, v);
      scale = Math.max(scale, Math.abs(v));
      finite &&= Number.isFinite(v);
    }
  }
  const steepest = (why: Record<string, number | boolean>): NewtonDirection => ({
    direction: input.grad.clone(),
    hvps: n,
    info: { notPositiveDefinite: true, dampingUsed: NaN, steepestDescent: true, ...why },
  });
  if (!finite) return steepest({ nonFinite: true });

  const solveWith = (lambda: number): number[] | undefined => {
    const a = h.clone();
    for (let i = 0; i < n; i++) a.set(i, i, a.get(i, i) + lambda);
    const chol = new CholeskyDecomposition(a);
    if (!chol.isPositiveDefinite()) return undefined;
    const p = chol.solve(Matrix.columnVector(g)).getColumn(0);
    return p.every(Number.isFinite) ? p : undefined;
  };
  let lambda = damping;
  let p = solveWith(lambda);
  const notPositiveDefinite = p === undefined;
  if (!p) {
    lambda = Math.max(2 * damping, 1e-3 * (scale > 0 ? scale : 1));
    for (let k = 0; k < MAX_DAMPING_RAISES && !p; k++) {
      p = solveWith(lambda);
      if (!p) lambda *= 10;
    }
  }
  if (!p) return steepest({});
  return {
    direction: tf.tensor1d(p),
    hvps: n,
    info: { notPositiveDefinite, dampingUsed: lambda, steepestDescent: false },
  };
}
