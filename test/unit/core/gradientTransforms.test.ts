import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm, globalNorm, langevinNoise } from '../../../src/core/gradientTransforms';
import { expectNoLeak, forEachBackend } from '../helpers/backends';
import { expectClose } from '../helpers/stepOptimizer';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('gradient transforms', () => {
  forEachBackend(() => {
    describe('globalNorm', () => {
      it('is the Euclidean norm, without overflow for huge entries', () => {
        const cases: [number[], number][] = [[[3, 4], 5], [[0, 0], 0], [[1e30, -1e30], Math.SQRT2 * 1e30], [[1e-30, 1e-30], Math.SQRT2 * 1e-30]];
        for (const [g, expected] of cases) {
          const grad = tf.tensor1d(g);
          const before = tf.memory().numTensors;
          const norm = globalNorm(grad);
          assert.equal(tf.memory().numTensors, before + 1, 'only the result is new');
          expectClose(values(norm), [expected]);
          tf.dispose([grad, norm]);
        }
      });
    });

    describe('clipByGlobalNorm', () => {
      it('scales by max_norm/(‖g‖ + 1e-6) when the norm exceeds max_norm', () => {
        // ‖(3, 4)‖ = 5; coef = 1/(5 + 1e-6); clipped = (0.6, 0.8) up to 2e-7.
        const grad = tf.tensor1d([3, 4]);
        const clipped = clipByGlobalNorm(grad, 1);
        expectClose(values(clipped), [3 / (5 + 1e-6), 4 / (5 + 1e-6)]);
        const norm = globalNorm(clipped);
        assert.ok(Math.abs(norm.dataSync()[0] - 1) < 1e-6);
        assert.deepEqual(values(grad), [3, 4], 'input untouched');
        tf.dispose([grad, clipped, norm]);
      });

      it('leaves a gradient within the limit unchanged', () => {
        const grad = tf.tensor1d([0.3, -0.4]);
        const clipped = clipByGlobalNorm(grad, 1);
        expectClose(values(clipped), [0.3, -0.4]);
        tf.dispose([grad, clipped]);
      });

      it('keeps the direction of a huge gradient and brings its norm to max_norm', () => {
        const grad = tf.tensor1d([1e30, -1e30, 0]);
        const clipped = clipByGlobalNorm(grad, 2);
        expectClose(values(clipped), [Math.SQRT2, -Math.SQRT2, 0]);
        tf.dispose([grad, clipped]);
      });

      it('is leak-free and rejects a negative max_norm', () => {
        const grad = tf.tensor1d([1, 2, 3]);
        const out = expectNoLeak(() => {
          const c = clipByGlobalNorm(grad, 0.5);
          c.dispose();
          return c;
        });
        assert.ok(out.isDisposed);
        assert.throws(() => clipByGlobalNorm(grad, -1), /max_norm/);
        grad.dispose();
      });
    });

    describe('langevinNoise', () => {
      it('adds N(0, 2T/lr) noise: lr·g̃ = lr·g + √(2·lr·T)·ξ', () => {
        // lr = 0.01, T = 0.5: noise variance 2·0.5/0.01 = 100 (σ = 10). With n = 40,000 samples
        // the sample variance has a relative standard error √(2/n) ≈ 0.7%: 3% is over 4σ.
        const n = 40_000;
        const grad = tf.fill([n], 2) as tf.Tensor1D;
        const noisy = langevinNoise(grad, 0.01, 0.5, 7, 0);
        const xs = values(noisy).map((v) => v - 2);
        const mean = xs.reduce((a, b) => a + b, 0) / n;
        const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
        assert.ok(Math.abs(mean) < 0.2, `mean ${mean}`);
        assert.ok(Math.abs(variance / 100 - 1) < 0.03, `variance ${variance}`);
        assert.deepEqual(values(grad).slice(0, 3), [2, 2, 2], 'input untouched');
        tf.dispose([grad, noisy]);
      });

      it('is deterministic given seed and step, and differs between steps', () => {
        const grad = tf.zeros([16]) as tf.Tensor1D;
        const [a, b, c, d] = [langevinNoise(grad, 0.1, 1, 42, 3), langevinNoise(grad, 0.1, 1, 42, 3), langevinNoise(grad, 0.1, 1, 42, 4), langevinNoise(grad, 0.1, 1, 43, 3)];
        assert.deepEqual(values(a), values(b));
        assert.notDeepEqual(values(a), values(c));
        assert.notDeepEqual(values(a), values(d));
        tf.dispose([grad, a, b, c, d]);
      });

      it('adds nothing at temperature 0, leaks nothing and rejects a negative temperature', () => {
        const grad = tf.tensor1d([1, -1]);
        const same = langevinNoise(grad, 0.1, 0, 1, 0);
        assert.notEqual(same, grad);
        assert.deepEqual(values(same), [1, -1]);
        same.dispose();
        expectNoLeak(() => langevinNoise(grad, 0.1, 2, 1, 5).dispose());
        assert.throws(() => langevinNoise(grad, 0.1, -1, 1, 0), /temperature/);
        grad.dispose();
      });
    });
  });
});
