import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// f(x) = ½x², g = x; x0 = 1, lr = 1, rho = 0.9, eps = 1e-6.
const adadelta = optimizerFactory('adadelta');

describe('adadelta', () => {
  forEachBackend(() => {
    it('scales g by the ratio of running RMS of updates and gradients', () => {
      // v1 = 0.1; δ1 = √(0 + 1e-6)/√(0.1 + 1e-6)·1; x1 = 1 − δ1; u1 = 0.1·δ1².
      // v2 = 0.09 + 0.1·x1²; δ2 = √(u1 + 1e-6)/√(v2 + 1e-6)·x1; x2 = x1 − δ2.
      const [x1, x2] = stepOptimizer(adadelta.create({}), [1], identityGradient, 1, 2);
      const d1 = Math.sqrt(1e-6) / Math.sqrt(0.1 + 1e-6);
      const a = 1 - d1;
      const d2 = (Math.sqrt(0.1 * d1 * d1 + 1e-6) / Math.sqrt(0.09 + 0.1 * a * a + 1e-6)) * a;
      expectClose(x1, [a]);
      expectClose(x2, [a - d2]);
    });
  });
});
