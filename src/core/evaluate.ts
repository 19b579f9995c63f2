import * as tf from '@tensorflow/tfjs';
import type { Evaluate } from './optimizer';

/** Loss and gradient of a scalar function of the flat parameter vector. */
export function evaluatorOf(f: (x: tf.Tensor1D) => tf.Scalar): Evaluate {
  const valueAndGrad = tf.valueAndGrad((x: tf.Tensor) => f(x as tf.Tensor1D));
  return (x) => {
    const { value, grad } = valueAndGrad(x);
    return { loss: value, grad: grad as tf.Tensor1D };
  };
}

/** Minimising −f maximises f (torch's `maximize=True` negates the gradient the same way). */
export function negated(evaluate: Evaluate): Evaluate {
  return (x) => {
    const { loss, grad } = evaluate(x);
    const out = { loss: tf.neg(loss), grad: tf.neg(grad) };
    loss.dispose();
    grad.dispose();
    return out;
  };
}
