import * as tf from '@tensorflow/tfjs';

/** A scalar function of the flat parameter vector. */
export type FlatObjective = (x: tf.Tensor1D) => tf.Scalar;

/**
 * Hessian-vector product H(x)·v by double back-propagation: the gradient of
 * ⟨∇f(x), v⟩ with respect to x. Costs about two gradients. Correct only for ops
 * whose gradients are themselves differentiable (see src/core/tfjs for fixes).
 */
export function hessianVectorProduct(f: FlatObjective, x: tf.Tensor1D, v: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const gradF = tf.grad((y: tf.Tensor) => f(y as tf.Tensor1D));
    const directional = (y: tf.Tensor) => tf.sum(tf.mul(gradF(y), v)) as tf.Scalar;
    return tf.grad(directional)(x) as tf.Tensor1D;
  });
}
