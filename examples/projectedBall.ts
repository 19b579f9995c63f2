import * as tf from '@tensorflow/tfjs';

/**
 * Projected gradient descent with a ball constraint (seed 002, Example 4):
 * minimise f(x, y) = ½((x − 3)² + 10·(y − 1)²) subject to x² + y² ≤ 1.
 *
 * Try:
 *   optlab run examples/projectedBall.ts --optimizer sgd --lr 0.05 --steps 200
 *   optlab run examples/projectedBall.ts --optimizer adam --lr 0.05 --steps 200
 *
 * `constraint = {ball: 1}` rescales the point back onto the unit disc whenever
 * a step leaves it. The unconstrained minimum (3, 1) is outside, so the answer
 * lies on the circle — but not at the radial projection (3, 1)/√10 =
 * (0.949, 0.316): the steep y term pulls it up. The KKT conditions
 * (∇f = −μ·(x, y) with μ ≥ 0 and x² + y² = 1; solved for μ = 3.4756 by
 * bisection) give (0.6703, 0.7421), f = 3.04634.
 * Measured from (−0.5, −0.5):
 *   sgd lr 0.05: loss 17.38 → 3.066 at step 10 → 3.04634 from step 20 on, at
 *     (0.67031, 0.74208) — the KKT point; the gradient there has norm 3.476 = μ;
 *   adam lr 0.05: 3.179 after 200 steps, 3.096 after 1000, 3.069 after 3000,
 *     at (0.721, 0.692): projecting Adam's rescaled step onto the disc creeps
 *     along the circle instead of jumping to the optimum.
 *
 * Lesson: with a constraint, "the gradient is zero" becomes "the gradient points
 * straight out of the feasible set"; projecting after each step finds that point.
 */
export function ballConstrained(p: tf.Tensor1D): tf.Scalar {
  const x = p.gather(0);
  const y = p.gather(1);
  return tf.mul(0.5, tf.add(tf.square(tf.sub(x, 3)), tf.mul(10, tf.square(tf.sub(y, 1))))).reshape([]) as tf.Scalar;
}
ballConstrained.init = [-0.5, -0.5];
ballConstrained.constraint = { ball: 1 };
ballConstrained.minimum = 3.04634;
ballConstrained.domain = [[-1.5, 3.5], [-1.5, 1.5]];
