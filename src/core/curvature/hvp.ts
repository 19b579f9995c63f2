import * as tf from '@tensorflow/tfjs';
import { withSecondOrder } from '../tfjs/secondOrderGradients';

/** A scalar function of the flat parameter vector. */
export type FlatObjective = (x: tf.Tensor1D) => tf.Scalar;

/**
 * Hessian-vector product H(x)·v by double back-propagation: the gradient of
 * ⟨∇f(x), v⟩ with respect to x. Costs about two gradients. Runs under
 * `withSecondOrder` (src/core/tfjs/secondOrderGradients), which makes the
 * gradients of tanh, exp, softmax, logSoftmax, ... differentiable again.
 */
export function hessianVectorProduct(f: FlatObjective, x: tf.Tensor1D, v: tf.Tensor1D): tf.Tensor1D {
  return withSecondOrder(() => tf.tidy(() => {
    const gradF = tf.grad((y: tf.Tensor) => f(y as tf.Tensor1D));
    // allowNoGradients: when ∇f does not depend on x (a linear f), H = 0. tf.grad would
    // throw "Cannot compute gradient…" there, and leave its tape's saved tensors behind.
    const { value, grads } = tf.engine().gradients(() => tf.sum(tf.mul(gradF(x), v)) as tf.Scalar, [x], undefined, true);
    value.dispose();
    return (grads[0] ?? tf.zerosLike(x)) as tf.Tensor1D;
  }));
}

/** v ↦ H·v for a fixed matrix H (caller disposes the result). */
export type LinearOperator = (v: tf.Tensor1D) => tf.Tensor1D;

/** The Hessian of f at x as an operator (x must outlive it). */
export function hessianOperator(f: FlatObjective, x: tf.Tensor1D): LinearOperator {
  return (v) => hessianVectorProduct(f, x, v);
}
