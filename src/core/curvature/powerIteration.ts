import * as tf from '@tensorflow/tfjs';
import type { LinearOperator } from './hvp';
import { randomUnitVector } from './randomUnitVector';

export interface PowerIterationOptions {
  /** Default 30. */
  maxIterations?: number;
  /** Stop when ‖H·u − θ·u‖ ≤ tol·|θ|. Default 1e-3. */
  tol?: number;
  seed?: number;
}

export interface PowerIterationResult {
  /** Rayleigh quotient of the dominant eigenvector: the eigenvalue of largest magnitude. */
  lambda: number;
  residual: number;
  iterations: number;
  converged: boolean;
}

/**
 * The cheap estimate of λmax: u ← H·u/‖H·u‖. It finds the eigenvalue of largest
 * *magnitude* (λmax for a convex problem; a negative one on a strongly concave
 * direction) and converges at the rate |λ₂/λ₁|, so its residual matters.
 */
export async function powerIteration(apply: LinearOperator, n: number, options: PowerIterationOptions = {}): Promise<PowerIterationResult> {
  const maxIterations = options.maxIterations ?? 30;
  const tol = options.tol ?? 1e-3;
  let u = randomUnitVector(n, options.seed ?? 0);
  let result: PowerIterationResult = { lambda: NaN, residual: Infinity, iterations: 0, converged: false };
  try {
    for (let k = 1; k <= maxIterations; k++) {
      const [next, scalars] = tf.tidy(() => {
        const hu = apply(u);
        const theta = tf.dot(u, hu);
        const residual = tf.norm(tf.sub(hu, tf.mul(theta, u)));
        const size = tf.norm(hu);
        return [tf.div(hu, size) as tf.Tensor1D, tf.stack([theta, residual, size])] as const;
      });
      const [lambda, residual, size] = await scalars.data();
      scalars.dispose();
      u.dispose();
      u = next;
      result = { lambda, residual, iterations: k, converged: residual <= tol * Math.abs(lambda) || size === 0 };
      if (result.converged) break;
    }
  } finally {
    u.dispose();
  }
  return result;
}
