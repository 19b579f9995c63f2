import * as tf from '@tensorflow/tfjs';

/** 512 points y = a·(1, −2, 0.5, 3) + N(0, 0.5²), a ~ N(0, I₄) (generated from the run's seed). */
function points(rng: { normal(mean?: number, std?: number): number }): { a: number[][]; y: number[] } {
  const w = [1, -2, 0.5, 3];
  const a: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 512; i++) {
    const row = w.map(() => rng.normal(0, 1));
    a.push(row);
    y.push(row.reduce((s, v, j) => s + v * w[j], 0) + rng.normal(0, 0.5));
  }
  return { a, y };
}

const meanSquaredError = (p: tf.Tensor1D, batch: { a: tf.Tensor2D; y: tf.Tensor1D }): tf.Scalar =>
  tf.mul(0.5, tf.mean(tf.square(tf.sub(tf.matMul(batch.a, p.reshape([4, 1])).reshape([-1]), batch.y)))) as tf.Scalar;

/**
 * The gradient-noise scale (McCandlish et al. 2018, An Empirical Model of Large-Batch Training): linear regression
 * in mini-batches of 8 (`small`) or 64 (`large`) from the same 512 points.
 *
 * Try:
 *   optlab run examples/gradientNoise.ts --objective small --optimizer sgd --lr 0.05 --steps 400 --diagnostics standard --curvature-every 100
 *   optlab run examples/gradientNoise.ts --objective large --optimizer sgd --lr 0.05 --steps 400 --diagnostics standard --curvature-every 100
 *
 * What to look for: B_simple = tr(Σ)/|g|² is a property of the problem at the current point, not of the batch size:
 * both runs report the same value at step 0 (within their errors), while the gradient's signal-to-noise ratio at
 * the batch size, B/B_simple, is 8 times larger for batches of 64. As training approaches the minimum, |g| shrinks
 * while the per-sample noise stays (the fit's residuals), so B_simple grows: larger batches pay off late in training.
 *
 * Measured (seed 0, at step 0, 16 batches each): B_simple 4.5 ± 1.1 (batches of 8) and 5.4 ± 1.3 (64); SNR 1.8 ± 0.5
 * and 11.9 ± 2.8. By step 100 the gradient is no longer resolved above the noise (SNR 0.01 ± 0.07): B_simple is then
 * reported as null, not as a number its error cannot back.
 */
export function small(p: tf.Tensor1D, batch: { a: tf.Tensor2D; y: tf.Tensor1D }): tf.Scalar {
  return meanSquaredError(p, batch);
}
small.init = [0, 0, 0, 0];
small.data = points;
small.batchSize = 8;

/** The same problem in batches of 64. */
export function large(p: tf.Tensor1D, batch: { a: tf.Tensor2D; y: tf.Tensor1D }): tf.Scalar {
  return meanSquaredError(p, batch);
}
large.init = [0, 0, 0, 0];
large.data = points;
large.batchSize = 64;
