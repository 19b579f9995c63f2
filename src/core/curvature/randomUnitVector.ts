import * as tf from '@tensorflow/tfjs';

/**
 * A unit vector with standard-normal direction, the same for the same seed.
 * The seed is offset by one because TensorFlow.js takes seed 0 as "no seed"
 * (it falls back to Math.random), which made seed-0 estimates irreproducible.
 */
export function randomUnitVector(n: number, seed: number): tf.Tensor1D {
  return tf.tidy(() => {
    const r = tf.randomNormal([n], 0, 1, 'float32', seed + 1);
    return tf.div(r, tf.sqrt(tf.sum(tf.square(r)))) as tf.Tensor1D;
  });
}
