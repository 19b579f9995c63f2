import * as tf from '@tensorflow/tfjs';

/** An ill-conditioned quadratic ½·Σ cᵢ·xᵢ² with curvatures 1 … 100 (condition number 100). */
const curvatures = tf.tensor1d([1, 4, 16, 50, 100]);

export function illConditioned(x: tf.Tensor1D): tf.Scalar {
  return tf.mul(0.5, tf.sum(tf.mul(curvatures, tf.square(x)))) as tf.Scalar;
}
illConditioned.init = [1, 1, 1, 1, 1];
illConditioned.minimum = 0;

/** The same bowl restricted to x ≥ 0.5 in every coordinate (projected gradient descent). */
export function boxed(x: tf.Tensor1D): tf.Scalar {
  return illConditioned(x);
}
boxed.init = [2, 2, 2, 2, 2];
boxed.constraint = { box: [0.5, 3] };
boxed.minimum = 0.5 * 0.25 * (1 + 4 + 16 + 50 + 100);
