import * as tf from '@tensorflow/tfjs';

/** Rosenbrock's banana valley: a curved, badly conditioned valley with its minimum 0 at (1, 1). */
export function rosenbrock(p: tf.Tensor1D): tf.Scalar {
  const x = p.gather(0);
  const y = p.gather(1);
  return tf.square(tf.sub(1, x)).add(tf.square(y.sub(x.square())).mul(100)) as tf.Scalar;
}
rosenbrock.init = [-1.2, 1];
rosenbrock.minimum = 0;
rosenbrock.domain = [[-2, 2], [-1, 3]];
