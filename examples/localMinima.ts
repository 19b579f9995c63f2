import * as tf from '@tensorflow/tfjs';

/**
 * f(x) = x·cos(πx) on the interval [−1, 2]: a local and a global minimum.
 *
 * Try:
 *   optlab run examples/localMinima.ts --objective fromZero --optimizer sgd --lr 0.05 --steps 300
 *   optlab run examples/localMinima.ts --objective fromHalf --optimizer sgd --lr 0.05 --steps 300
 *
 * Inside [−1, 2], f has a local minimum f(−0.2739) = −0.1786 and the global
 * minimum f(1.0904) = −1.0467, with a local maximum at x = 0.2739 between them.
 * Measured with gradient descent at lr 0.05: from x0 = 0 the run settles in the
 * local minimum (x = −0.2739, loss −0.1786); from x0 = 0.5 it reaches the global
 * one (x = 1.0904, loss −1.0467). The hill at 0.2739 decides: start left of it
 * and you can never get over it by going downhill.
 *
 * The box constraint keeps x in [−1, 2] (projected gradient): outside the box f
 * keeps going down (f(−2) = −2), so without it a large step could leave the
 * interval and find a "better" point that is not an answer to the problem.
 *
 * Lesson: a minimum found by gradient descent is a local minimum; try several
 * starting points (or a global method) when you need the global one.
 */
export function fromZero(p: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.mul(p, tf.cos(tf.mul(Math.PI, p)))) as tf.Scalar;
}
fromZero.init = [0];
fromZero.constraint = { box: [-1, 2] };
fromZero.minimum = -1.0467;
fromZero.domain = [[-1, 2]];

/** The same function from x0 = 0.5, right of the hill. */
export function fromHalf(p: tf.Tensor1D): tf.Scalar {
  return fromZero(p);
}
fromHalf.init = [0.5];
fromHalf.constraint = { box: [-1, 2] };
fromHalf.minimum = -1.0467;
fromHalf.domain = [[-1, 2]];
