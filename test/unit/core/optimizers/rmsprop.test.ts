import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// f(x) = ½|x|², so g = x; lr = 0.01, alpha = 0.99 (eps = 1e-8 is below the tolerance).
const rmsprop = optimizerFactory('rmsprop');

describe('rmsprop', () => {
  forEachBackend(() => {
    it('divides by the root of the running average of g²', () => {
      // v1 = 0.01·g² = (0.01, 0.04); x1 = x0 − 0.01·g/√v1 = x0 − 0.01·(10, −10) = (0.9, −1.9).
      // v2 = 0.99·0.01 + 0.01·0.81 = 0.018 (first element); x2 = 0.9 − 0.01·0.9/√0.018.
      const [x1, x2] = stepOptimizer(rmsprop.create({}), [1, -2], identityGradient, 0.01, 2);
      expectClose(x1, [0.9, -1.9]);
      expectClose([x2[0]], [0.9 - 0.009 / Math.sqrt(0.018)]);
    });

    it('centered subtracts the squared running mean of g', () => {
      // x0 = (1): v1 = 0.01, ḡ1 = 0.01; avg = √(0.01 − 0.0001) = √0.0099; x1 = 1 − 0.01/√0.0099.
      const [x1] = stepOptimizer(rmsprop.create({ centered: true }), [1], identityGradient, 0.01, 1);
      expectClose(x1, [1 - 0.01 / Math.sqrt(0.0099)]);
    });

    it('momentum accumulates g/avg', () => {
      // buf1 = 1/0.1 = 10; x1 = 0.9. buf2 = 0.5·10 + 0.9/√0.018; x2 = 0.9 − 0.01·buf2.
      const [x1, x2] = stepOptimizer(rmsprop.create({ momentum: 0.5 }), [1], identityGradient, 0.01, 2);
      expectClose(x1, [0.9]);
      expectClose(x2, [0.9 - 0.01 * (5 + 0.9 / Math.sqrt(0.018))]);
    });
  });
});
