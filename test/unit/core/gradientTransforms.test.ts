import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../src/core/arrays/contracts';
import { minimizeArrays } from '../../../src/core/arrays/minimizeArrays';
import { evaluatorOf } from '../../../src/core/evaluate';
import { clipByGlobalNormInPlace, gradientTransform, langevinNoiseInPlace } from '../../../src/core/gradientTransforms';
import { minimize } from '../../../src/core/minimize';
import { createOptimizer } from '../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../src/core/schedule';
import { expectNoLeak, forEachBackend } from '../helpers/backends';

/** Deterministic values spanning several decades, both signs. */
function spread(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 10 ** ((s % 7) - 3);
  });
}

function clipped(grad: readonly number[], maxNorm: number): number[] {
  const g = Float32Array.from(grad);
  clipByGlobalNormInPlace(g, maxNorm);
  return Array.from(g);
}

/** torch.nn.utils.clip_grad_norm_ in float64 on the float32 inputs (the reference; the transform rounds in float32). */
function clippedReference(grad: readonly number[], maxNorm: number): number[] {
  const g = grad.map(Math.fround);
  const norm = Math.hypot(...g);
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  return g.map((v) => v * coef);
}

function expectRelative(actual: readonly number[], expected: readonly number[], rel: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= rel * Math.abs(e) + 1e-45, `entry ${i}: ${a} vs ${e}`);
  });
}

const noise = (n: number, lr: number, temperature: number, seed: number, step: number): number[] => {
  const g = new Float32Array(n);
  langevinNoiseInPlace(g, lr, temperature, seed, step);
  return Array.from(g);
};

describe('gradient transforms (in place on the loop\'s gradient)', () => {
  describe('clipByGlobalNormInPlace', () => {
    const cases: [string, number[], number][] = [
      ['above the limit', [3, 4], 1],
      ['huge entries (a plain sum of squares would overflow float32)', [1e30, -1e30, 0], 2],
      ['tiny entries (a plain sum of squares would underflow float32)', [1e-30, -3e-30, 2e-30], 1e-31],
      ['1000 entries over six decades', spread(1000, 42), 0.5],
      ['max_norm equal to the norm (the 1e-6 guard still scales)', [1, 2, 2], 3],
    ];
    for (const [name, grad, maxNorm] of cases) {
      it(`is clip_grad_norm_ to float32 rounding: ${name}`, () => {
        expectRelative(clipped(grad, maxNorm), clippedReference(grad, maxNorm), 1e-6);
      });
    }

    it('leaves a gradient within the limit bit for bit, and a zero gradient at zero', () => {
      const grad = spread(1000, 7);
      assert.deepEqual(clipped(grad, 1e6), Array.from(Float32Array.from(grad)));
      assert.deepEqual(clipped([0.3, -0.4], 1), Array.from(Float32Array.from([0.3, -0.4])));
      assert.deepEqual(clipped([0, 0, 0], 1), [0, 0, 0]);
      assert.deepEqual(clipped([0, -0, 0], 0), [0, -0, 0]);
    });

    it('brings a gradient to zero at max_norm 0, and to max_norm keeping its direction', () => {
      assert.deepEqual(clipped([1, -2, 3], 0), [0, -0, 0]);
      const grad = spread(1000, 42);
      const out = clipped(grad, 0.5);
      assert.ok(Math.abs(Math.hypot(...out) - 0.5) <= 1e-6, `norm ${Math.hypot(...out)}`);
    });

    it('turns a non-finite gradient into NaN (the run then stops as diverged)', () => {
      assert.ok(clipped([Infinity, 1], 1).every(Number.isNaN));
      assert.ok(clipped([1, NaN, 2], 1).every(Number.isNaN));
    });

    it('rejects a negative or non-finite max_norm and leaves an empty gradient alone', () => {
      for (const bad of [-1, Infinity, NaN]) assert.throws(() => clipByGlobalNormInPlace(new Float32Array([1]), bad), /max_norm/);
      const empty = new Float32Array(0);
      clipByGlobalNormInPlace(empty, 1);
      assert.equal(empty.length, 0);
    });
  });

  forEachBackend(() => {
    describe('langevinNoiseInPlace', () => {
      it('adds N(0, 2T/lr) noise: lr·g̃ = lr·g + √(2·lr·T)·ξ', () => {
        // lr = 0.01, T = 0.5: noise variance 2·0.5/0.01 = 100 (σ = 10). With n = 40,000 samples
        // the sample variance has a relative standard error √(2/n) ≈ 0.7%: 3% is over 4σ.
        const n = 40_000;
        const grad = new Float32Array(n).fill(2);
        expectNoLeak(() => langevinNoiseInPlace(grad, 0.01, 0.5, 7, 0));
        const xs = Array.from(grad, (v) => v - 2);
        const mean = xs.reduce((a, b) => a + b, 0) / n;
        const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
        assert.ok(Math.abs(mean) < 0.2, `mean ${mean}`);
        assert.ok(Math.abs(variance / 100 - 1) < 0.03, `variance ${variance}`);
      });

      it('is deterministic given seed and step, and differs between steps and seeds', () => {
        const a = noise(16, 0.1, 1, 42, 3);
        assert.deepEqual(noise(16, 0.1, 1, 42, 3), a);
        assert.notDeepEqual(noise(16, 0.1, 1, 42, 4), a);
        assert.notDeepEqual(noise(16, 0.1, 1, 43, 3), a);
      });

      it('adds nothing at temperature 0 or lr 0 and rejects a negative temperature', () => {
        assert.deepEqual(noise(2, 0.1, 0, 1, 0), [0, 0]);
        assert.deepEqual(noise(2, 0, 1, 1, 0), [0, 0]);
        assert.throws(() => langevinNoiseInPlace(new Float32Array(2), 0.1, -1, 1, 0), /temperature/);
      });
    });
  });

  describe('gradientTransform', () => {
    it('is undefined when neither clipping nor noise is asked for', () => {
      assert.equal(gradientTransform({ seed: 1 }), undefined);
      assert.equal(gradientTransform({ seed: 1, noiseTemperature: 0 }), undefined);
    });

    it('clips, then adds the noise of (seed, step)', () => {
      const transform = gradientTransform({ clipNorm: 1, noiseTemperature: 0.5, seed: 9 });
      assert.ok(transform);
      const grad = Float32Array.from([30, 40]);
      transform(grad, 4, 0.1);
      const xi = noise(2, 0.1, 0.5, 9, 4);
      const expected = clippedReference([30, 40], 1).map((c, i) => c + xi[i]);
      expectRelative(Array.from(grad), expected, 1e-5);
    });
  });

  forEachBackend(() => {
    describe('Langevin noise in the training loop, on tensors and on arrays', () => {
      // GD with Langevin noise on f = ½|x|², from x = 0: x ← (1 − lr)·x + √(2·lr·T)·ξ, so after k steps each
      // coordinate is N(0, v_k) with v_k = T·(1 − (1 − lr)^(2k))/(1 − lr/2) (a closed form, apart from both loops).
      const n = 2000;
      const [lr, temperature, steps] = [0.1, 0.5, 100];
      const expected = (temperature * (1 - (1 - lr) ** (2 * steps))) / (1 - lr / 2);
      const transform = gradientTransform({ noiseTemperature: temperature, seed: 11 });
      const variance = (x: Float32Array) => x.reduce((sum, v) => sum + v * v, 0) / x.length;
      // The sample variance of n normals has a relative standard error √(2/n) ≈ 3.2%: 15% is over 4σ.
      const tolerance = 0.15;

      it('minimize (an objective on tensors) samples exp(−f/T)', async () => {
        const before = tf.memory().numTensors;
        const x0 = tf.zeros([n]) as tf.Tensor1D;
        const result = await minimize({
          evaluate: evaluatorOf((x) => tf.mul(tf.sum(tf.square(x)), 0.5) as tf.Scalar), x0,
          optimizer: createOptimizer('sgd', {}), schedule: constantSchedule(lr), steps, transformGradient: transform,
        });
        const x = Float32Array.from(result.params.dataSync());
        tf.dispose([x0, result.params]);
        assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
        assert.ok(Math.abs(variance(x) / expected - 1) < tolerance, `variance ${variance(x)} vs ${expected}`);
      });

      it('minimizeArrays (a compiled objective) samples exp(−f/T)', async () => {
        const sgd = createOptimizer('sgd', {}).arrays as ArrayOptimizer;
        const result = await minimizeArrays({
          objective: { size: n, valueAndGrad: (x, _step, g) => (g.set(x), 0.5 * x.reduce((sum, v) => sum + v * v, 0)) },
          x0: new Float32Array(n), optimizer: sgd, schedule: constantSchedule(lr), steps, transformGradient: transform,
        });
        assert.ok(Math.abs(variance(result.params) / expected - 1) < tolerance, `variance ${variance(result.params)} vs ${expected}`);
      });
    });
  });
});
