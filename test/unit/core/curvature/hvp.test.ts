import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { hessianVectorProduct } from '../../../../src/core/curvature/hvp';
import type { FlatObjective } from '../../../../src/core/curvature/hvp';
import { estimateCurvature } from '../../../../src/core/curvature/estimateCurvature';
import { forEachBackend } from '../../helpers/backends';

describe('hessianVectorProduct', () => {
  forEachBackend(() => {
    it('is zero (not an error) when the gradient does not depend on x, and leaks nothing', async () => {
      const a = tf.tensor1d([2, -1, 0.5]);
      const linear: FlatObjective = (x) => tf.sum(tf.mul(a, x)) as tf.Scalar;
      const zeroTimes: FlatObjective = (x) => tf.mul(0, tf.sum(x)) as tf.Scalar;
      const x = tf.tensor1d([0.3, -2, 5]);
      const v = tf.tensor1d([1, 2, 3]);
      const before = tf.memory().numTensors;
      for (const f of [linear, zeroTimes]) {
        const hv = hessianVectorProduct(f, x, v);
        assert.deepEqual(Array.from(await hv.data()), [0, 0, 0]);
        hv.dispose();
      }
      assert.equal(tf.memory().numTensors, before);
      // The whole estimate: H = 0 everywhere, no κ, no finite stability edge.
      const s = await estimateCurvature(linear, x, { gradNorm: 2.3, lr: 0.1, step: 0 }, { selfCheck: true });
      assert.equal(s.lambdaMax, 0);
      assert.equal(s.lambdaMin, 0);
      assert.equal(s.condition, null);
      assert.equal(s.stabilityEdge, null);
      assert.equal(s.hvpMismatch, undefined);
      assert.equal(tf.memory().numTensors, before);
      for (const t of [a, x, v]) t.dispose();
    });

    it('matches the analytic Hessian of a polynomial (the usual path still differentiates twice)', async () => {
      // f = x0²·x1 + x1³: H = [[2x1, 2x0], [2x0, 6x1]]
      const f: FlatObjective = (x) => {
        const [x0, x1] = tf.unstack(x);
        return tf.add(tf.mul(tf.square(x0), x1), tf.pow(x1, 3)) as tf.Scalar;
      };
      const x = tf.tensor1d([1.5, -0.5]);
      const v = tf.tensor1d([1, 2]);
      const hv = hessianVectorProduct(f, x, v);
      const [h0, h1] = await hv.data();
      // H·v = [−1·1 + 3·2, 3·1 − 3·2] = [5, −3]
      assert.ok(Math.abs(h0 - 5) < 1e-5 && Math.abs(h1 + 3) < 1e-5, `${h0}, ${h1}`);
      for (const t of [x, v, hv]) t.dispose();
    });
  });
});
