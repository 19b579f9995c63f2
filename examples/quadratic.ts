import * as tf from '@tensorflow/tfjs';

/**
 * An ill-conditioned quadratic ½·Σ cᵢ·xᵢ² with curvatures 1 … 100 (condition number 100).
 *
 * Try (runs of `npm start`):
 *   optlab run examples/quadratic.ts --objective illConditioned --optimizer sgd --lr 0.019 --steps 300
 *   optlab run examples/quadratic.ts --objective illConditioned --optimizer adam --lr 0.1 --steps 300
 *   optlab run examples/quadratic.ts --objective boxed --optimizer sgd --lr 0.01 --steps 300
 *
 * Measured: gradient descent at lr 0.019 (just under 2/100) reaches 5.0e-6, Adam
 * 3.8e-13. See narrowValley.ts for the same lesson in 2-D with κ to edit.
 */
const curvatures = tf.tensor1d([1, 4, 16, 50, 100]);

export function illConditioned(x: tf.Tensor1D): tf.Scalar {
  return tf.mul(0.5, tf.sum(tf.mul(curvatures, tf.square(x)))) as tf.Scalar;
}
illConditioned.init = [1, 1, 1, 1, 1];
illConditioned.minimum = 0;

/**
 * The same bowl restricted to the box [0.5, 3] in every coordinate (projected
 * gradient descent). The unconstrained minimum 0 is outside the box, so the
 * run stops on the box's corner (0.5, …, 0.5) at loss 21.375 = `minimum`, where
 * the gradient (56.5) is not zero: it points out of the feasible set.
 */
export function boxed(x: tf.Tensor1D): tf.Scalar {
  return illConditioned(x);
}
boxed.init = [2, 2, 2, 2, 2];
boxed.constraint = { box: [0.5, 3] };
boxed.minimum = 0.5 * 0.25 * (1 + 4 + 16 + 50 + 100);
