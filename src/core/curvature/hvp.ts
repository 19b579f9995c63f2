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
  try {
    return withSecondOrder(() => tf.tidy(() => {
      const gradF = tf.grad((y: tf.Tensor) => f(y as tf.Tensor1D));
      // allowNoGradients: when ∇f does not depend on x (a linear f), H = 0. tf.grad would
      // throw "Cannot compute gradient…" there, and leave its tape's saved tensors behind.
      const { value, grads } = tf.engine().gradients(() => tf.sum(tf.mul(gradF(x), v)) as tf.Scalar, [x], undefined, true);
      value.dispose();
      return (grads[0] ?? tf.zerosLike(x)) as tf.Tensor1D;
    }));
  } catch (e) {
    releaseAbandonedTape();
    throw e;
  }
}

/**
 * A throw inside the backward pass ("second derivative not supported for op X")
 * skips the engine's tape cleanup: the tensors saved for backprop are kept and
 * no scope frees them. Do what Engine.gradients would have done at depth 0.
 */
function releaseAbandonedTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null as unknown as typeof state.activeTape;
}

/** v ↦ H·v for a fixed matrix H (caller disposes the result). */
export type LinearOperator = (v: tf.Tensor1D) => tf.Tensor1D;

/** v ↦ H·v on plain arrays: writes H·v into out (v is left as it was). */
export type ArrayOperator = (v: Float32Array, out: Float32Array) => void;

/** The Hessian of f at x as an operator (x must outlive it). */
export function hessianOperator(f: FlatObjective, x: tf.Tensor1D): LinearOperator {
  return (v) => hessianVectorProduct(f, x, v);
}

/**
 * A tensor operator as an operator on plain arrays, for Lanczos (./lanczos.ts): one upload and one read-back
 * per product, small beside the product itself (about two gradients).
 */
export function onArrays(apply: LinearOperator): ArrayOperator {
  return (v, out) => {
    const hv = tf.tidy(() => apply(tf.tensor1d(v)));
    out.set(hv.dataSync());
    hv.dispose();
  };
}
