import { strict as assert } from 'node:assert';
import { gradientNoise, JACKKNIFE_MIN_BATCHES } from '../../../src/core/gradientNoise';

/** Linear regression ½(aᵢ·x − yᵢ)², its per-sample gradients aᵢ(aᵢ·x − yᵢ) in float64 at a fixed x. */
function perSampleGradients(count: number, dim: number): Float64Array[] {
  const x = Array.from({ length: dim }, (_, j) => 0.3 * Math.cos(j));
  return Array.from({ length: count }, (_, i) => {
    const a = Array.from({ length: dim }, (_, j) => Math.sin(1.7 * i + 0.9 * j * j + 0.2) * (1 + (j % 3)));
    const y = Math.cos(0.31 * i) + 0.5;
    const r = a.reduce((s, aj, j) => s + aj * x[j], 0) - y;
    return Float64Array.from(a, (aj) => aj * r);
  });
}

/** Closed form: tr(Σ) = (1/N)Σ|gᵢ − ḡ|² and |ḡ|² of the full data set. */
function exact(grads: Float64Array[]): { trace: number; normSq: number } {
  const n = grads.length;
  const mean = grads[0].map((_, j) => grads.reduce((s, g) => s + g[j], 0) / n);
  const trace = grads.reduce((s, g) => s + g.reduce((t, v, j) => t + (v - mean[j]) ** 2, 0), 0) / n;
  return { trace, normSq: mean.reduce((s, v) => s + v * v, 0) };
}

/** Batch gradients (mean of the per-sample ones) of consecutive batches of a seeded permutation. */
function batchGradients(grads: Float64Array[], batchSize: number, batches: number, seed: number): Float32Array[] {
  const order = grads.map((_, i) => i);
  // mulberry32: uniform enough that the permutations are (a biased shuffle would bias the estimate).
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from({ length: batches }, (_, b) => {
    const out = new Float32Array(grads[0].length);
    for (let k = 0; k < batchSize; k++) grads[order[b * batchSize + k]].forEach((v, j) => (out[j] += v / batchSize));
    return out;
  });
}

describe('gradientNoise (McCandlish et al. 2018 B_simple, gradient SNR)', () => {
  const grads = perSampleGradients(24, 5);
  const truth = exact(grads);

  it('is the closed form when the batches are the single samples of the whole data set (N = 24)', () => {
    const r = gradientNoise(batchGradients(grads, 1, 24, 1), 1, 24);
    assert.ok(Math.abs(r.traceCovariance - truth.trace) < 1e-5 * truth.trace, `tr Σ ${r.traceCovariance} vs ${truth.trace}`);
    assert.ok(Math.abs(r.gradNormSq - truth.normSq) < 1e-5 * truth.normSq + 1e-7, `|g|² ${r.gradNormSq} vs ${truth.normSq}`);
    assert.ok(Math.abs((r.noiseScale as number) - truth.trace / truth.normSq) < 1e-4 * (truth.trace / truth.normSq));
    assert.ok(Math.abs((r.snr as number) - truth.normSq / truth.trace) < 1e-4 * (truth.normSq / truth.trace));
    assert.ok((r.noiseScaleStdErr as number) > 0);
  });

  for (const [batchSize, batches] of [[2, 12], [2, 8], [1, 16]]) {
    it(`is unbiased for tr(Σ) and |g|² with ${batches} disjoint batches of ${batchSize} (mean over 2000 permutations), and its error covers the truth`, () => {
      let traceSum = 0;
      let normSum = 0;
      let covered = 0;
      const runs = 2000;
      const scale = truth.trace / truth.normSq;
      for (let seed = 0; seed < runs; seed++) {
        const r = gradientNoise(batchGradients(grads, batchSize, batches, seed), batchSize, 24);
        traceSum += r.traceCovariance;
        normSum += r.gradNormSq;
        if (r.noiseScale !== null && r.noiseScaleStdErr !== null && Math.abs(r.noiseScale - scale) <= 3 * r.noiseScaleStdErr) covered++;
      }
      assert.ok(Math.abs(traceSum / runs - truth.trace) < 0.02 * truth.trace, `mean tr Σ ${traceSum / runs} vs ${truth.trace}`);
      assert.ok(Math.abs(normSum / runs - truth.normSq) < 0.05 * truth.normSq + 0.05 * truth.trace / (batches * batchSize), `mean |g|² ${normSum / runs} vs ${truth.normSq}`);
      assert.ok(covered / runs > 0.8, `B_simple within 3 jackknife errors in ${covered} of ${runs}`);
    });
  }

  it('gives no standard error (and so no figure to show) with fewer than JACKKNIFE_MIN_BATCHES batches', () => {
    const r = gradientNoise(batchGradients(grads, 4, JACKKNIFE_MIN_BATCHES - 3, 3), 4, 24);
    assert.equal(r.noiseScaleStdErr, null);
    assert.equal(r.snrStdErr, null);
  });

  it('needs two batches that fit the data set', () => {
    assert.throws(() => gradientNoise([new Float32Array(2)], 1, 10), /at least 2 batches/);
    assert.throws(() => gradientNoise([new Float32Array(2), new Float32Array(2)], 6, 10), /more than the 10 samples/);
  });
});
