import * as tf from '@tensorflow/tfjs';

/**
 * f(x) = x + 1/x on x > 0: a constrained problem with its optimum f(1) = 2.
 *
 * Try:
 *   optlab run examples/barrier.ts --optimizer sgd --lr 0.5 --steps 100
 *   optlab run examples/barrier.ts --optimizer sgd --lr 0.95 --steps 100
 *   optlab run examples/barrier.ts --optimizer sgd --lr 1.5 --steps 100
 *   optlab run examples/barrier.ts --optimizer sgd --lr 3 --steps 100
 *
 * The feasible set is x > 0 (for x < 0 the function goes to −∞, for x → 0⁺ to
 * +∞). The box constraint [0.1, 10] projects x back after every step, so an
 * overshooting step cannot leave the feasible side. f''(1) = 2, so gradient
 * descent is stable near the optimum for lr < 2/f''(1) = 1.
 * Measured from x0 = 4 (100 steps):
 *   lr 0.5  — slides down without overshooting: x = 1.0000, loss 2.00000 from step 10;
 *   lr 0.95 — overshoots and zig-zags around 1 (contraction |1 − 2·0.95| = 0.9
 *             near the optimum, from the far side each time), loss 2.00003 at
 *             step 20, x = 0.999999 after 100;
 *   lr 1.5  — past the stability limit: x bounces between about 0.7 and 2.4
 *             forever (final x = 1.186, loss 2.029);
 *   lr 3    — x hits the box walls and locks into a 5-cycle
 *             4.09 → 1.27 → 0.13 → 10 (wall) → 7.03 → 4.09 (loss 4.335 every 5th step),
 *             feasible at every step but never converging.
 *
 * Lesson: projected gradient descent = a gradient step, then snap back into
 * the feasible set. The constraint keeps the run feasible; the step size near
 * the optimum is still set by the curvature there.
 */
export function xPlusInverse(p: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.add(p, tf.reciprocal(p))) as tf.Scalar;
}
xPlusInverse.init = [4];
xPlusInverse.minimum = 2;
xPlusInverse.constraint = { box: [0.1, 10] };
xPlusInverse.domain = [[0.1, 5]];
