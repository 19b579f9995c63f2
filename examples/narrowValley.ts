import * as tf from '@tensorflow/tfjs';

/**
 * An ill-conditioned quadratic f(x, y) = ½(x² + κ·y²): a long narrow valley.
 * Edit KAPPA and re-run (live mode re-runs on every save).
 *
 * Try (300 steps each):
 *   optlab run examples/narrowValley.ts --optimizer sgd --lr 0.0198 --steps 300
 *   optlab run examples/narrowValley.ts --optimizer sgd --lr 0.0198 --hp momentum=0.9 --steps 300
 *   optlab run examples/narrowValley.ts --optimizer adam --lr 0.1 --steps 300
 *   optlab run examples/narrowValley.ts --optimizer sgd --lr 0.0198 --steps 300 --curvature-every 100
 *
 * The Hessian is diag(1, κ): its condition number is κ. Gradient descent is
 * stable only for lr < 2/κ (the steep y direction), and with such a small step
 * the flat x direction shrinks by (1 − lr) per step: about κ/2 steps per e-fold.
 * Measured with κ = 100 from (1, 1), 300 steps:
 *   sgd lr 0.0198 (just under 2/κ = 0.02): loss 50.5 → 0.889 at step 100 → 0.000275;
 *     x creeps down by 0.98 per step while y zig-zags (factor 1 − 0.0198·100 = −0.98);
 *   sgd lr 0.021 (just over 2/κ): diverges, loss 3.4e26 after 300 steps;
 *   sgd lr 0.0198 + momentum 0.9: loss 7.8e-13;
 *   adam lr 0.1: loss 2.2e-13.
 * --curvature-every 100 reports λmax = 100, λmin = 1, condition 100 at every sample.
 *
 * Lesson: the condition number, not the dimension, sets how slow plain
 * gradient descent is. Momentum fixes much of it (roughly √κ instead of κ);
 * Adam rescales each coordinate by its own gradient size, which on this
 * axis-aligned valley undoes the conditioning altogether.
 */
export const KAPPA = 100;

export function narrowValley(p: tf.Tensor1D): tf.Scalar {
  const x = p.gather(0);
  const y = p.gather(1);
  return tf.mul(0.5, tf.add(tf.square(x), tf.mul(KAPPA, tf.square(y)))).reshape([]) as tf.Scalar;
}
narrowValley.init = [1, 1];
narrowValley.minimum = 0;
narrowValley.domain = [[-1.5, 1.5], [-1.5, 1.5]];
