import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { estimateCurvature } from '../../../../src/core/curvature/estimateCurvature';
import type { FlatObjective } from '../../../../src/core/curvature/hvp';
import { forEachBackend } from '../../helpers/backends';

/**
 * A verdict holds at the critical point the sample is near, not only at the iterate (issue 17.6):
 * where the curvature vanishes towards that point the second-order test is inconclusive ('degenerate'),
 * while a non-degenerate minimum or maximum approached slowly keeps its verdict.
 */
async function verdictAt(f: FlatObjective, point: number[], method: 'auto' | 'lanczos' = 'auto') {
  const x = tf.tensor1d(point);
  const gradNorm = tf.tidy(() => tf.norm(tf.grad((y: tf.Tensor) => f(y as tf.Tensor1D))(x)).dataSync()[0]);
  const before = tf.memory().numTensors;
  const sample = await estimateCurvature(f, x, { gradNorm, lr: 0.1, step: 0 }, { method });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  x.dispose();
  assert.ok(gradNorm <= 1e-3, `the point is near-critical (‖g‖ = ${gradNorm})`);
  return sample;
}

const sum = (t: tf.Tensor) => tf.sum(t) as tf.Scalar;

describe('critical-point verdicts near degenerate points', () => {
  forEachBackend(() => {
    it('x⁴ + x² approached slowly (x = 4e-4): still a minimum', async () => {
      const s = await verdictAt((p) => sum(tf.add(tf.pow(p, 4), tf.square(p))), [4e-4]);
      assert.equal(s.classification, 'minimum');
      assert.equal(s.verdictNote, undefined);
    });

    it('x⁴ near 0 (a degenerate minimum: f″(0) = 0): inconclusive, though f″ > 0 at the iterate', async () => {
      const s = await verdictAt((p) => sum(tf.pow(p, 4)), [0.05]);
      assert.ok(s.lambdaMin > 0.02);
      assert.equal(s.classification, 'degenerate');
    });

    it('Rosenbrock near its minimum (as L-BFGS leaves it): a minimum, by exact spectrum and by Lanczos', async () => {
      const rosenbrock: FlatObjective = (p) => {
        const [x, y] = tf.split(p, 2);
        return sum(tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))));
      };
      for (const method of ['auto', 'lanczos'] as const) {
        const s = await verdictAt(rosenbrock, [1 + 1e-6, 1 + 2e-6], method);
        assert.equal(s.classification, 'minimum', method);
      }
    });

    it('a maximum and a saddle keep their verdicts; x + sin x near −π is degenerate', async () => {
      assert.equal((await verdictAt((p) => tf.neg(sum(tf.mul(tf.tensor1d([1, 3]), tf.square(p)))) as tf.Scalar, [1e-5, -1e-5])).classification, 'maximum');
      assert.equal((await verdictAt((p) => sum(tf.mul(tf.tensor1d([1, -3]), tf.square(p))), [1e-5, 1e-5])).classification, 'saddle');
      const s = await verdictAt((p) => sum(tf.add(p, tf.sin(p))), [-3.132]);
      assert.equal(s.classification, 'degenerate');
      assert.match(s.verdictNote ?? '', /λmin goes from 0\.00\d+ at the iterate/);
    });
  });
});
