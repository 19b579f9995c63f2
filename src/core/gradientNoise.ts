/**
 * The gradient-noise scale B_simple = tr(Σ)/|g|² (McCandlish, Kaplan, Amodei et al. 2018, An Empirical Model of
 * Large-Batch Training) and the gradient's signal-to-noise ratio at the run's batch size, from the gradients of M
 * disjoint batches of B samples drawn without replacement from N (one epoch's permutation, as the run draws them).
 *
 * With Σ the per-sample gradients' covariance (divisor N) and s² = Σᵢ|Gᵢ − Ḡ|²/(M − 1), disjoint batches give
 * E[s²] = tr(Σ)·N/(B(N − 1)) (each batch's variance (N − B)/(N − 1)·tr(Σ)/B, less their covariance −tr(Σ)/(N − 1)),
 * and E|Ḡ|² = |g|² + tr(Σ)/(MB)·(N − MB)/(N − 1). Both are inverted for unbiased tr(Σ) and |g|² (exact when the
 * batches cover the data set: B = 1, M = N gives the per-sample figures themselves). Standard errors by the
 * jackknife over batches, given from JACKKNIFE_MIN_BATCHES batches on (with fewer its coverage of the truth
 * falls well below nominal: 3 errors held the truth in half the draws at M = 3), else null.
 */

/** Fewest batches for a standard error (and so for a figure the dashboard shows). */
export const JACKKNIFE_MIN_BATCHES = 8;

export interface GradientNoise {
  /** tr(Σ)/|g|²; null when |g|² is not resolved above the noise (its estimate ≤ 0). */
  noiseScale: number | null;
  noiseScaleStdErr: number | null;
  /** |g|²/tr(Σ_B) = B/B_simple: above 1 the batch gradient's signal outweighs its noise; null when tr(Σ) is 0. */
  snr: number | null;
  snrStdErr: number | null;
  /** tr(Σ) of one sample's gradient, and the true gradient's |g|², unbiased. */
  traceCovariance: number;
  gradNormSq: number;
  batches: number;
  batchSize: number;
}

interface Sums {
  /** Σᵢ Gᵢ (float64), Σᵢ |Gᵢ|², and each |Gᵢ|² and Gᵢ·ΣⱼGⱼ. */
  total: Float64Array;
  squares: number;
  norms: number[];
  dots: number[];
}

function sums(grads: readonly Float32Array[]): Sums {
  const n = grads[0].length;
  const total = new Float64Array(n);
  for (const g of grads) for (let i = 0; i < n; i++) total[i] += g[i];
  const norms = grads.map((g) => g.reduce((a, v) => a + v * v, 0));
  const dots = grads.map((g) => g.reduce((a, v, i) => a + v * total[i], 0));
  return { total, squares: norms.reduce((a, b) => a + b, 0), norms, dots };
}

/** tr(Σ) and |g|² from M batches' Σ|Gᵢ|² and |ΣGᵢ|². */
function estimate(m: number, squares: number, totalSq: number, b: number, n: number): { trace: number; normSq: number } {
  const meanSq = totalSq / (m * m);
  const s2 = (squares - m * meanSq) / (m - 1);
  const trace = (b * s2 * (n - 1)) / n;
  const normSq = meanSq - ((trace / (m * b)) * (n - m * b)) / Math.max(1, n - 1);
  return { trace, normSq };
}

const ratio = (num: number, den: number): number | null => (den > 0 && Number.isFinite(num / den) ? num / den : null);

/** The noise scale and SNR of M ≥ 2 batch gradients of `batchSize` samples each, drawn disjointly from `datasetSize`. */
export function gradientNoise(grads: readonly Float32Array[], batchSize: number, datasetSize: number): GradientNoise {
  const m = grads.length;
  if (m < 2) throw new Error(`the gradient-noise scale needs at least 2 batches, got ${m}`);
  if (m * batchSize > datasetSize) throw new Error(`${m} batches of ${batchSize} are more than the ${datasetSize} samples`);
  const s = sums(grads);
  const totalSq = s.total.reduce((a, v) => a + v * v, 0);
  const all = estimate(m, s.squares, totalSq, batchSize, datasetSize);
  const noiseScale = ratio(all.trace, all.normSq);
  const snr = ratio(batchSize * all.normSq, all.trace);
  let noiseScaleStdErr: number | null = null;
  let snrStdErr: number | null = null;
  if (m >= JACKKNIFE_MIN_BATCHES && (noiseScale !== null || snr !== null)) {
    // Leave batch i out: |ΣGⱼ − Gᵢ|² = |ΣG|² − 2Gᵢ·ΣG + |Gᵢ|².
    const leaveOut = s.norms.map((normSq, i) => estimate(m - 1, s.squares - normSq, totalSq - 2 * s.dots[i] + normSq, batchSize, datasetSize));
    noiseScaleStdErr = noiseScale === null ? null : jackknife(leaveOut.map((e) => ratio(e.trace, e.normSq)));
    snrStdErr = snr === null ? null : jackknife(leaveOut.map((e) => ratio(batchSize * e.normSq, e.trace)));
  }
  // |g|² not resolved without one of the batches (a leave-one-out estimate ≤ 0): the ratio is not backed.
  const backed = m < JACKKNIFE_MIN_BATCHES || noiseScaleStdErr !== null;
  return { noiseScale: backed ? noiseScale : null, noiseScaleStdErr, snr, snrStdErr, traceCovariance: all.trace, gradNormSq: all.normSq, batches: m, batchSize };
}

/** The jackknife's standard error from leave-one-out values; null when one of them is undefined (the estimate is not stable). */
function jackknife(values: readonly (number | null)[]): number | null {
  if (values.some((v) => v === null)) return null;
  const xs = values as number[];
  const m = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / m;
  return Math.sqrt(((m - 1) / m) * xs.reduce((a, v) => a + (v - mean) ** 2, 0));
}
