import * as tf from '@tensorflow/tfjs';

/**
 * f(x) = x + sin x from x0 = 2.5: the same objective, three learning rates.
 *
 * Try (plain gradient descent, 200 steps each):
 *   optlab run examples/learningRate.ts --optimizer sgd --lr 1    --steps 200
 *   optlab run examples/learningRate.ts --optimizer sgd --lr 0.1  --steps 200
 *   optlab run examples/learningRate.ts --optimizer sgd --lr 0.01 --steps 200
 *
 * What to look for: f'(x) = 1 + cos x is never negative, so every step moves x to
 * the left and the loss falls at every step, whatever the learning rate. The
 * points where f' = 0 (x = −π, −3π, …) are flat inflection points, not minima:
 * f has no minimum at all (it is unbounded below), and gradient descent stalls
 * at the first flat point it reaches.
 *
 * Measured (TensorFlow.js, cpu and wasm alike):
 *   lr 1    — just right: x = −2.905 after 10 steps, −3.132 after 200 (−π = −3.1416);
 *   lr 0.1  — slow: x = 1.652 after 20 steps, −3.025 after 200;
 *   lr 0.01 — far too slow: x = 1.588 after 200 steps, still on the first slope.
 * None of them oscillates. A larger rate does something worse than oscillate:
 * lr 3 jumps over −π and stalls at the next flat point, −7π ≈ −21.99 (lr 5:
 * −13π ≈ −40.84) — too large a step skips whole valleys of the landscape.
 *
 * Lesson: the learning rate sets the speed, and "converged" only means "the
 * gradient vanished" — look at the curvature (Hessian lens: f'' = −sin x = 0
 * there, a degenerate point) before calling it a minimum.
 */
export function xPlusSinX(p: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.add(p, tf.sin(p))) as tf.Scalar;
}
xPlusSinX.init = [2.5];
xPlusSinX.domain = [[-8, 4]];
