import * as tf from '@tensorflow/tfjs';
import type { Evaluate } from '../optimizer';

/**
 * φ(t) = f(x + t·d) read back as a number (one evaluation per call; its
 * gradient is discarded). For line searches that only need values.
 */
export function lossAlong(evaluate: Evaluate, x: tf.Tensor1D, d: tf.Tensor1D): (t: number) => number {
  return (t) => {
    const point = tf.tidy(() => tf.add(x, tf.mul(d, t)) as tf.Tensor1D);
    const { loss, grad } = evaluate(point);
    const value = loss.dataSync()[0];
    tf.dispose([point, loss, grad]);
    return value;
  };
}

/**
 * f(x) and |g|² as float64 numbers in one read. |g|² is assembled on the host as
 * m²·Σ(g/m)² with m = max|g|, so gradients near 1e30 do not overflow float32.
 */
export function lossAndGradNormSquared(loss: tf.Scalar, grad: tf.Tensor1D): { f: number; gg: number } {
  const read = tf.tidy(() => {
    const m = tf.max(tf.abs(grad));
    // A zero gradient gives 0/0: read Σ(g/m)² as 0 then (m = 0 zeroes it anyway).
    const ss = tf.sum(tf.square(tf.div(grad, m)));
    return tf.stack([tf.reshape(loss, []), m, ss]);
  });
  const [f, m, ss] = read.dataSync();
  read.dispose();
  return { f, gg: m === 0 || Number.isNaN(ss) ? 0 : m * m * ss };
}
