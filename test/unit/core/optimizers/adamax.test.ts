import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// f(x) = ½|x|², g = x; x0 = (1, −2), lr = 0.1, betas (0.9, 0.999).
const adamax = optimizerFactory('adamax');

describe('adamax', () => {
  forEachBackend(() => {
    it('divides by the decayed infinity norm', () => {
      // Step 1: m = 0.1·g, u = |g| + ε, clr = 0.1/0.1 = 1: x1 = x0 − 0.1·sign(g) = (0.9, −1.9).
      // Step 2 (first element): m = 0.09 + 0.09 = 0.18; u = max(0.999·1, 0.9) = 0.999; clr = 0.1/0.19.
      const [x1, x2] = stepOptimizer(adamax.create({}), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.9, -1.9]);
      expectClose([x2[0]], [0.9 - ((0.1 / 0.19) * 0.18) / 0.999]);
    });
  });
});
