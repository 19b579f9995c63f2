import * as tf from '@tensorflow/tfjs';
import type { FlatObjective } from '../../../../src/core/curvature/hvp';

/**
 * f(x) = ½ Σ dᵢ (Qx)ᵢ² with Q = I − 2uuᵀ (a Householder reflection, so the
 * rotated case costs O(n) per HVP): the Hessian is QᵀDQ, eigenvalues exactly d.
 */
export function quadratic(d: readonly number[], rotated: boolean): FlatObjective {
  const n = d.length;
  const u = Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + 0.1));
  const uNorm = Math.hypot(...u);
  return (x) => {
    const diag = tf.tensor1d(d as number[]);
    let y: tf.Tensor1D = x;
    if (rotated) {
      const unit = tf.tensor1d(u.map((ui) => ui / uNorm));
      y = tf.sub(x, tf.mul(2 * 1, tf.mul(unit, tf.dot(unit, x)))) as tf.Tensor1D;
    }
    return tf.mul(0.5, tf.sum(tf.mul(diag, tf.square(y)))) as tf.Scalar;
  };
}

/** n eigenvalues spaced geometrically from 1 to κ (a dense low end: hard for Lanczos). */
export const geometric = (n: number, kappa: number): number[] =>
  Array.from({ length: n }, (_, i) => Math.pow(kappa, n === 1 ? 0 : i / (n - 1)));

/** 1 alone, the rest geometric in [0.3κ, κ]: a low end separated by 30% of the spread. */
export const separatedLowEnd = (n: number, kappa: number): number[] => [1, ...geometric(n - 1, 1 / 0.3).map((l) => 0.3 * kappa * l)];
