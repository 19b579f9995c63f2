import * as tf from '@tensorflow/tfjs';

/**
 * f(x, y) = x² + y² subject to x = 0 (seed 002, Example 2): a constraint given
 * as a projection function. After every gradient step the runner calls
 * `constraint`, which maps the point to the nearest feasible one — here it
 * just sets x to 0 (the closest point of the line x = 0).
 *
 * Try:
 *   optlab run examples/projectionConstraint.ts --objective onLine --optimizer sgd --lr 0.1 --steps 50
 *   optlab run examples/projectionConstraint.ts --objective shiftedOnLine --optimizer sgd --lr 0.1 --steps 50
 *
 * Measured (sgd, lr 0.1, from (3, 4)):
 *   onLine: the first projection puts the point at (0, y); then y shrinks by
 *     0.8 per step: loss 25 → 10.24 → 0.0021 at step 20 → 3.3e-9 after 50 steps.
 *   shiftedOnLine: ends at (0, 1.00004) with loss 4 — and a gradient of norm 4
 *     that never goes away: it points along x, straight into the constraint.
 *
 * Lesson: projected gradient descent handles any constraint set you can
 * project onto; at a constrained optimum the gradient need not vanish, it only
 * has to be perpendicular to the feasible set.
 */
const onYAxis = (p: tf.Tensor1D): tf.Tensor1D => tf.mul(p, tf.tensor1d([0, 1])) as tf.Tensor1D;

export function onLine(p: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.square(p)) as tf.Scalar;
}
onLine.init = [3, 4];
onLine.constraint = onYAxis;
onLine.minimum = 0;
onLine.domain = [[-5, 5], [-5, 5]];

/** (x − 2)² + (y − 1)² on the same line: the constraint is active, the optimum (0, 1) has value 4. */
export function shiftedOnLine(p: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.square(tf.sub(p, tf.tensor1d([2, 1])))) as tf.Scalar;
}
shiftedOnLine.init = [3, 4];
shiftedOnLine.constraint = onYAxis;
shiftedOnLine.minimum = 4;
shiftedOnLine.domain = [[-5, 5], [-5, 5]];
