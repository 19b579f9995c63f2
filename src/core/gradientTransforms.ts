import * as tf from '@tensorflow/tfjs';

/**
 * Gradient transformations applied before the optimizer sees the gradient
 * (minimize's `transformGradient`). Pure: they never dispose their input and
 * always return a new tensor (caller disposes).
 */

/**
 * Euclidean norm that does not overflow float32: |g| = s·‖g/s‖ with s = max|gᵢ|,
 * so a gradient of 1e30 has norm 1e30 (not ‖·‖ of squares = Inf, which would
 * clip it to zero). Equal to the plain norm up to rounding wherever that is finite.
 */
export function globalNorm(grad: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const scale = tf.max(tf.abs(grad));
    return tf.mul(scale, tf.sqrt(tf.sum(tf.square(tf.divNoNan(grad, scale))))) as tf.Scalar;
  });
}

/**
 * torch.nn.utils.clip_grad_norm_: g·min(1, maxNorm/(‖g‖ + 1e-6)). The factor
 * stays on the backend (no read-back).
 */
export function clipByGlobalNorm(grad: tf.Tensor1D, maxNorm: number): tf.Tensor1D {
  if (!(maxNorm >= 0) || !Number.isFinite(maxNorm)) throw new RangeError(`max_norm must be a finite number >= 0, got ${maxNorm}`);
  return tf.tidy(() => {
    const coef = tf.minimum(tf.div(maxNorm, tf.add(globalNorm(grad), 1e-6)), 1);
    return tf.mul(grad, coef) as tf.Tensor1D;
  });
}

/** A 32-bit seed for update `step` of a run seeded with `seed`: distinct steps get unrelated noise. */
export function stepSeed(seed: number, step: number): number {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step | 0, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Langevin dynamics: g̃ = g + √(2T/lr)·ξ with ξ ~ N(0, I), so that a gradient
 * step becomes lr·g̃ = lr·g + √(2·lr·T)·ξ and samples ∝ exp(−f/T) as lr → 0.
 * Deterministic given (seed, step). lr = 0 or T = 0 adds no noise.
 */
export function langevinNoise(grad: tf.Tensor1D, lr: number, temperature: number, seed: number, step: number): tf.Tensor1D {
  const stdDev = noiseStdDev(lr, temperature);
  if (stdDev === 0) return grad.clone();
  return tf.tidy(() => tf.add(grad, tf.randomNormal(grad.shape, 0, stdDev, 'float32', stepSeed(seed, step))) as tf.Tensor1D);
}

/**
 * `langevinNoise` on a Float32Array, in place, for the compiled loop: the same ξ (TensorFlow.js's seeded
 * generator, read once per step) and the same float32 sum, so a noisy run gives the same numbers compiled
 * and on tensors.
 */
export function langevinNoiseInPlace(grad: Float32Array, lr: number, temperature: number, seed: number, step: number): void {
  const stdDev = noiseStdDev(lr, temperature);
  if (stdDev === 0) return;
  const xi = tf.randomNormal([grad.length], 0, stdDev, 'float32', stepSeed(seed, step));
  const values = xi.dataSync();
  xi.dispose();
  for (let i = 0; i < grad.length; i++) grad[i] += values[i];
}

/** √(2T/lr), validated; 0 when lr or T is 0 (no noise). */
function noiseStdDev(lr: number, temperature: number): number {
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new RangeError(`temperature must be a finite number >= 0, got ${temperature}`);
  }
  if (!(lr >= 0)) throw new RangeError(`lr must be >= 0, got ${lr}`);
  return lr === 0 || temperature === 0 ? 0 : Math.sqrt((2 * temperature) / lr);
}
