import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'node:assert';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// f(x) = ½|x|², g = x; x0 = (1, −2), lr = 0.1, betas (0.9, 0.999).
const adam = optimizerFactory('adam');

describe('adam', () => {
  forEachBackend(() => {
    it('takes bias-corrected steps', () => {
      // Step 1: m̂ = g, v̂ = g², so x1 = x0 − 0.1·sign(g) = (0.9, −1.9).
      // Step 2 (first element): m = 0.09 + 0.09 = 0.18, v = 0.000999 + 0.00081 = 0.001809;
      // m̂ = 0.18/0.19, v̂ = 0.001809/0.001999; x2 = 0.9 − 0.1·m̂/√v̂.
      const [x1, x2] = stepOptimizer(adam.create({}), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.9, -1.9]);
      expectClose([x2[0]], [0.9 - (0.1 * (0.18 / 0.19)) / Math.sqrt(0.001809 / 0.001999)]);
    });

    it('amsgrad normalises by the running maximum of v', () => {
      // Gradients 1 then 0.001 (x0 = 0): v1 = 0.001; v2 = 0.000999 + 1e-9 < v1, so v_max = 0.001.
      // m2 = 0.09 + 0.0001 = 0.0901; x2 = x1 − 0.1·(0.0901/0.19)/(√0.001/√0.001999).
      const grads = [[1], [0.001]];
      const [x1, x2] = stepOptimizer(adam.create({ amsgrad: true }), [0], (_x, k) => grads[k], 0.1, 2);
      expectClose(x1, [-0.1]);
      expectClose(x2, [-0.1 - (0.1 * (0.0901 / 0.19)) / (Math.sqrt(0.001) / Math.sqrt(0.001999))]);
    });

    it('weight decay is an L2 term in the gradient', () => {
      // g = x + 1·x = 2x; the first step is still −lr·sign(g): x1 = (0.9, −1.9).
      // Step 2: g = 1.8 (first element); m = 0.18 + 0.18 = 0.36, v = 0.003996 + 0.00324 = 0.007236.
      const [, x2] = stepOptimizer(adam.create({ weight_decay: 1 }), [1, -2], identityGradient, 0.1, 2);
      expectClose([x2[0]], [0.9 - (0.1 * (0.36 / 0.19)) / Math.sqrt(0.007236 / 0.001999)]);
    });

    it('inspect reports the last step per parameter without leaking', () => {
      const opt = adam.create({});
      const x0 = tf.tensor1d([1, -2]);
      const grad = tf.tensor1d([1, -2]);
      const loss = tf.scalar(0);
      const state0 = opt.init(x0);
      const r = opt.update({ params: x0, loss, grad, lr: 0.1, step: 0, evaluate: () => assert.fail(), hvp: () => assert.fail() }, state0);
      const before = tf.memory().numTensors;
      const views = opt.inspect?.(r.state) ?? {};
      expectClose(Array.from(views.effective_step.dataSync()), [0.1, -0.1]);
      expectClose(Array.from(views.exp_avg.dataSync()), [0.1, -0.2]);
      for (const t of Object.values(views)) t.dispose();
      assert.equal(tf.memory().numTensors, before);
      opt.disposeState(r.state);
      tf.dispose([x0, grad, loss, r.params]);
    });
  });
});
