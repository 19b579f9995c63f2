import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// f(x) = ½x², g = x; x0 = 1, lr = 0.1, betas (0.9, 0.999), momentum_decay ψ = 0.004.
const nadam = optimizerFactory('nadam');

describe('nadam', () => {
  forEachBackend(() => {
    it('mixes the gradient and the momentum with the μ schedule', () => {
      // μ_t = 0.9·(1 − ½·0.96^(0.004·t)); Π1 = μ1; torch 1.13's "next" product is Π1·μ1·μ2.
      // Step 1: m = 0.1, v = 0.001, d = √(0.001/0.001) = 1;
      // x1 = 1 − 0.1·(1 − μ1)/(1 − Π1)·1 − 0.1·μ2/(1 − Π1·μ1·μ2)·0.1.
      const mu = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** (0.004 * t));
      const [x1] = stepOptimizer(nadam.create({}), [1], identityGradient, 0.1, 1);
      const p1 = mu(1);
      expectClose(x1, [1 - (0.1 * (1 - mu(1))) / (1 - p1) - ((0.1 * mu(2)) / (1 - p1 * mu(1) * mu(2))) * 0.1]);
    });
  });
});
