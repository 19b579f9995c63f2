import * as tf from '@tensorflow/tfjs';

/**
 * f(x) = 25 sin x − x²: gradient ascent climbs the nearest hill, not the highest.
 *
 * Try:
 *   optlab run examples/localMaximum.ts --objective hills --maximize --optimizer sgd --lr 0.01 --steps 300
 *   optlab run examples/localMaximum.ts --objective negativeHills --optimizer sgd --lr 0.01 --steps 300
 *
 * f has two maxima in view: a global one, f(1.4542) = 22.7156, and a local one,
 * f(−4.3564) = 4.4543, separated by a valley at x = −1.708. Starting at x0 = −6,
 * gradient ascent (`--maximize`: the optimizer minimises −f) climbs the local hill
 * and stops there: measured x = −4.3564, f = 4.4543 after 300 steps at lr 0.01
 * (and the same top at lr 0.05). Minimising −f (`negativeHills`) is the same
 * thing written the other way: it reaches the same point with loss −4.4543.
 * Edit `init` to 0 or 5 and both find the global maximum 22.7156 instead.
 *
 * Lesson: gradient methods are local. Which optimum you get depends on where you
 * start; maximising f and minimising −f are one problem.
 */
export function hills(p: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.sub(tf.mul(25, tf.sin(p)), tf.square(p))) as tf.Scalar;
}
hills.init = [-6];
hills.domain = [[-9, 8]];

/** −f: minimise this to maximise `hills`. */
export function negativeHills(p: tf.Tensor1D): tf.Scalar {
  return tf.neg(hills(p)) as tf.Scalar;
}
negativeHills.init = [-6];
negativeHills.minimum = -22.7156;
negativeHills.domain = [[-9, 8]];
