import * as tf from '@tensorflow/tfjs';

/**
 * f(x, y) = x² − y²: a saddle point at the origin.
 *
 * Try:
 *   optlab run examples/saddle.ts --objective onSaddle --optimizer sgd --lr 0.1 --steps 20 --curvature-every 10
 *   optlab run examples/saddle.ts --objective nearSaddle --optimizer sgd --lr 0.1 --steps 40
 *
 * The gradient (2x, −2y) vanishes at the origin, but the Hessian diag(2, −2)
 * has one positive and one negative eigenvalue: downhill along y, uphill along x.
 * - onSaddle starts exactly there: gradient descent never moves, and the
 *   curvature samples classify the point as a saddle (λmax = 2, λmin = −2).
 * - nearSaddle starts at (1, 0.001): x shrinks by (1 − 2·lr) per step while y grows
 *   by (1 + 2·lr).
 *   Measured at lr 0.1: the loss falls from 1 to 0.001 by step 15 and looks
 *   converged (a plateau near the saddle), crosses 0 at step 17, then drops
 *   faster and faster: −1.50 at step 39, final (x, y) = (0.00013, 1.470),
 *   loss −2.16 after 40 steps.
 *
 * Lesson: a zero gradient can be a saddle, not a minimum. Gradient descent is
 * pushed off a saddle by any tiny offset (or noise: with --noise 0.01 and lr
 * 0.1, onSaddle reaches y = −21.7, loss −469, in 40 steps), but it slows down a lot near one first. f is unbounded below, so
 * the run that escapes keeps going.
 */
export function onSaddle(p: tf.Tensor1D): tf.Scalar {
  const x = p.gather(0);
  const y = p.gather(1);
  return tf.sub(tf.square(x), tf.square(y)).reshape([]) as tf.Scalar;
}
onSaddle.init = [0, 0];
onSaddle.domain = [[-2, 2], [-2, 2]];

export function nearSaddle(p: tf.Tensor1D): tf.Scalar {
  return onSaddle(p);
}
nearSaddle.init = [1, 0.001];
nearSaddle.domain = [[-2, 2], [-2, 2]];
