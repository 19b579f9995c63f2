import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { asgd as asgdRule } from '../../../../src/core/rules/builtin/asgd';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// f(x) = ½|x|², g = x; lr = 0.1, lambd λ = 1e-4, alpha α = 0.75, t0 = 1e6.
const asgd = optimizerFactory('asgd');

describe('asgd', () => {
  forEachBackend(() => {
    it('decays the parameter by λη, steps by η, and decays η', () => {
      // Step 1: η = lr = 0.1; x1 = x0·(1 − 1e-4·0.1) − 0.1·x0 = 0.89999·x0; then η2 = 0.1/(1 + 1e-4·0.1·1)^0.75.
      // Step 2 (g = x1): x2 = x1·(1 − 1e-4·η2) − η2·x1.
      const [x1, x2] = stepOptimizer(asgd.create({}), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.89999, -1.79998]);
      const eta2 = 0.1 / (1 + 1e-4 * 0.1) ** 0.75;
      expectClose(x2, x1.map((v) => v * (1 - 1e-4 * eta2) - eta2 * v));
    });

    it('weight decay is an L2 term in the gradient, λ a decay of the parameter', () => {
      // λ = 0.5, weight_decay 1: g = x0 + x0 = 2x0; x1 = x0·(1 − 0.5·0.1) − 0.1·2x0 = 0.75·x0.
      const [x1] = stepOptimizer(asgd.create({ lambd: 0.5, weight_decay: 1 }), [1, -2], identityGradient, 0.1, 1);
      expectClose(x1, [0.75, -1.5]);
    });

    it('averages the iterates once t passes t0', () => {
      // t0 = 0: μ = 1/max(1, t − t0) after step t: 1 after steps 0 (init) and 1, ½ after step 2.
      // So ax1 = x1, ax2 = x2 (μ = 1 copies), ax3 = ax2 + ½·(x3 − ax2) = (x2 + x3)/2.
      const before = tf.memory().numTensors;
      const hp = { ...asgdRule.defaults, lr: 0.1, t0: 0 };
      let param: tf.Tensor = tf.tensor1d([1, -2]);
      let state = asgdRule.init(param, hp);
      const xs: number[][] = [];
      const axs: number[][] = [];
      for (let step = 1; step <= 3; step++) {
        const next = tf.tidy(() => {
          const r = asgdRule.update(param, state, param, hp, { step, name: '' });
          return { param: r.param.clone(), ax: r.state.ax.clone(), eta: r.state.eta, mu: r.state.mu };
        });
        tf.dispose([param, state.ax]);
        param = next.param;
        state = { ax: next.ax, eta: next.eta, mu: next.mu };
        xs.push(Array.from(param.dataSync()));
        axs.push(Array.from(state.ax.dataSync()));
      }
      expectClose(axs[0], xs[0]);
      expectClose(axs[1], xs[1]);
      expectClose(axs[2], xs[1].map((v, i) => (v + xs[2][i]) / 2));
      assert.equal(state.mu, Math.fround(1 / 3)); // torch keeps μ in a float32 tensor
      tf.dispose([param, state.ax]);
      assert.equal(tf.memory().numTensors, before);
    });
  });
});
