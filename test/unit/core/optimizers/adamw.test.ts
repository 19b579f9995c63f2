import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// f(x) = ½|x|², g = x; x0 = (1, −2), lr = 0.1.
const adamw = optimizerFactory('adamw');

describe('adamw', () => {
  forEachBackend(() => {
    it('decays the weights apart from the gradient (default weight_decay 1e-2)', () => {
      // x ← x·(1 − 0.1·0.01) then the Adam step −0.1·sign(g): x1 = (0.999 − 0.1, −1.998 + 0.1).
      const [x1] = stepOptimizer(adamw.create({}), [1, -2], identityGradient, 0.1, 1);
      expectClose(x1, [0.899, -1.898]);
    });

    it('with weight_decay 0 equals Adam', () => {
      // Same second step as adam's hand-derived test.
      const [, x2] = stepOptimizer(adamw.create({ weight_decay: 0 }), [1, -2], identityGradient, 0.1, 2);
      expectClose([x2[0]], [0.9 - (0.1 * (0.18 / 0.19)) / Math.sqrt(0.001809 / 0.001999)]);
    });
  });
});
