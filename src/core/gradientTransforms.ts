import * as tf from '@tensorflow/tfjs';

/**
 * Gradient transformations applied before the optimizer sees the gradient, in place on the training
 * loop's gradient array (minimize's and minimizeArrays' `transformGradient`): the one set every run uses,
 * compiled objective or not.
 */

/** Float32 rounding, as each tensor op stores its result (a local binding: see sgdArrays.ts). */
const f32 = Math.fround;

/** torch.nn.utils.clip_grad_norm_'s guard against a zero norm. */
const NORM_EPS = f32(1e-6);

export interface GradientTransformOptions {
  /** clip_grad_norm_'s max_norm (absent: no clipping). */
  readonly clipNorm?: number;
  /** Langevin temperature T (absent or 0: no noise). */
  readonly noiseTemperature?: number;
  /** The run's seed: the noise of update k is drawn from (seed, k). */
  readonly seed: number;
}

/** Clipping, then noise, as one in-place transform; undefined when neither is asked for. */
export function gradientTransform(o: GradientTransformOptions): ((grad: Float32Array, step: number, lr: number) => void) | undefined {
  const { clipNorm, noiseTemperature, seed } = o;
  if (clipNorm === undefined && !noiseTemperature) return undefined;
  return (grad, step, lr) => {
    if (clipNorm !== undefined) clipByGlobalNormInPlace(grad, clipNorm);
    if (noiseTemperature) langevinNoiseInPlace(grad, lr, noiseTemperature, seed, step);
  };
}

/**
 * torch.nn.utils.clip_grad_norm_, in place: g ← g·min(1, maxNorm/(‖g‖ + 1e-6)), with a norm that does
 * not overflow float32, s·‖g/s‖ (s = max|gᵢ|: a gradient of 1e30 has norm 1e30, not Inf, which would clip
 * it to zero), rounded as TensorFlow.js's cpu kernels round it: float32 quotients and squares, a float64
 * sum stored as float32.
 */
export function clipByGlobalNormInPlace(grad: Float32Array, maxNorm: number): void {
  if (!(maxNorm >= 0) || !Number.isFinite(maxNorm)) throw new RangeError(`max_norm must be a finite number >= 0, got ${maxNorm}`);
  const n = grad.length;
  if (n === 0) return;
  // A NaN wins the max (as tf.max lets it): v > NaN is false, so a NaN scale stays.
  let scale = Math.abs(grad[0]);
  for (let i = 1; i < n; i++) {
    const v = Math.abs(grad[i]);
    if (Number.isNaN(v) || v > scale) scale = v;
  }
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    // 0 where the scale is 0 (tf.divNoNan).
    const q = scale === 0 ? 0 : f32(grad[i] / scale);
    sumSq += f32(q * q);
  }
  const norm = f32(scale * f32(Math.sqrt(f32(sumSq))));
  const coef = Math.min(f32(f32(maxNorm) / f32(norm + NORM_EPS)), 1);
  // g·1 is exact: nothing to write.
  if (coef === 1) return;
  for (let i = 0; i < n; i++) grad[i] = f32(grad[i] * coef);
}

/** A 32-bit seed for update `step` of a run seeded with `seed`: distinct steps get unrelated noise. */
export function stepSeed(seed: number, step: number): number {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step | 0, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Langevin dynamics, in place: g̃ = g + √(2T/lr)·ξ with ξ ~ N(0, I), so that a gradient step becomes
 * lr·g̃ = lr·g + √(2·lr·T)·ξ and samples ∝ exp(−f/T) as lr → 0. ξ is TensorFlow.js's seeded normal
 * generator (read once per step), so it is deterministic given (seed, step). lr = 0 or T = 0 adds no noise.
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
