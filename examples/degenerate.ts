import * as tf from '@tensorflow/tfjs';

/**
 * f(x) = x³: a critical point that is neither a minimum nor a maximum.
 *
 * Try:
 *   optlab run examples/degenerate.ts --objective atZero --optimizer sgd --lr 0.1 --steps 10 --curvature-every 5
 *   optlab run examples/degenerate.ts --objective fromRight --optimizer sgd --lr 0.1 --steps 500
 *   optlab run examples/degenerate.ts --objective fromLeft --optimizer sgd --lr 0.1 --steps 100
 *
 * At x = 0, f'(0) = 0 and f''(0) = 0: the second-derivative test says nothing
 * ("degenerate"), and indeed 0 is an inflection point; x³ has no minimum.
 * - atZero: gradient descent never moves (the gradient is exactly 0) and the
 *   curvature sample classifies the point as degenerate.
 * - fromRight (x0 = 1): x shrinks like 1/(3·lr·k), so progress is sublinear:
 *   measured x = 0.00655 after 500 steps (loss 2.8e-7, gradient 1.3e-4). It looks
 *   converged only because the slope 3x² vanishes at 0. With --curvature-every 500
 *   the final sample says "degenerate": f'' = 6x = 0.039 > 0 at the iterate and the
 *   gradient is below the 1e-3 tolerance, but the curvature halves on the way to the
 *   critical point the Newton step predicts (x/2), so the second-order test cannot
 *   call it a minimum (the sample's note says so).
 * - fromLeft (x0 = −0.5): the slope pushes x further left, faster and faster;
 *   measured: x reaches ≈ −6.3e5, then the loss overflows and the runner stops with
 *   "diverged at step 13".
 *
 * Lesson: "the gradient is zero" is not "this is a minimum"; when the Hessian is
 * singular, look at higher-order behaviour or just try a nearby start.
 */
export function atZero(p: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.pow(p, 3)) as tf.Scalar;
}
atZero.init = [0];
atZero.domain = [[-1.5, 1.5]];

export function fromRight(p: tf.Tensor1D): tf.Scalar {
  return atZero(p);
}
fromRight.init = [1];
fromRight.domain = [[-1.5, 1.5]];

export function fromLeft(p: tf.Tensor1D): tf.Scalar {
  return atZero(p);
}
fromLeft.init = [-0.5];
fromLeft.domain = [[-1.5, 1.5]];
