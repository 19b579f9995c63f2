import * as tf from '@tensorflow/tfjs';

/**
 * f(x) = tanh(x) from x0 = 4: a plateau where the gradient all but vanishes.
 *
 * Try:
 *   optlab run examples/vanishingGradient.ts --objective fromFour --optimizer sgd --lr 0.1 --steps 200
 *   optlab run examples/vanishingGradient.ts --objective fromHalf --optimizer sgd --lr 0.1 --steps 200
 *   optlab run examples/vanishingGradient.ts --objective fromFour --optimizer adam --lr 0.1 --steps 200
 *
 * f'(x) = 1 − tanh²(x) is 1 at 0 but only 0.00134 at x = 4, so a saturated tanh
 * hardly moves. Measured with plain gradient descent, lr 0.1, 200 steps:
 *   fromFour: x = 4 → 3.972, loss 0.99933 → 0.99929 — stuck on the plateau;
 *   fromHalf: x = 0.5 → −2.495, loss 0.462 → −0.986 — downhill at once.
 * Adam at the same lr 0.1 leaves the plateau from x0 = 4: loss −0.946 by step 50,
 * x = −3.31 after 200 steps (Adam's first step is about lr, whatever the slope).
 *
 * Lesson: this is why saturating activations (tanh, sigmoid) slow deep networks
 * down: gradients through a saturated unit are tiny. Adam divides by the
 * gradient's own size, so it walks off the plateau at its usual pace.
 */
export function fromFour(p: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.tanh(p)) as tf.Scalar;
}
fromFour.init = [4];
fromFour.minimum = -1;
fromFour.domain = [[-5, 5]];

/** The same function started where it is steep. */
export function fromHalf(p: tf.Tensor1D): tf.Scalar {
  return fromFour(p);
}
fromHalf.init = [0.5];
fromHalf.minimum = -1;
fromHalf.domain = [[-5, 5]];
