import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// lr = 0.1 (the initial step size), etas (0.5, 1.2), step_sizes (1e-6, 50).
const rprop = optimizerFactory('rprop');

describe('rprop', () => {
  forEachBackend(() => {
    it('grows the step size while the gradient keeps its sign', () => {
      // f(x) = ½|x|², g = x; x0 = (1, −2).
      // Step 1: prev = 0, so g·prev = 0 and size = lr = 0.1: x1 = x0 − sign(g)·0.1 = (0.9, −1.9).
      // Step 2: g = (0.9, −1.9), g·prev > 0: size = 0.1·1.2 = 0.12; x2 = (0.9 − 0.12, −1.9 + 0.12) = (0.78, −1.78).
      const [x1, x2] = stepOptimizer(rprop.create({}), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.9, -1.9]);
      expectClose(x2, [0.78, -1.78]);
    });

    it('shrinks the step and skips the update where the sign changes, then starts again', () => {
      // Gradients 1, −1, −1, −1 from x0 = 0.
      // Step 1: size 0.1, x1 = −0.1, prev = 1.
      // Step 2: g·prev = −1 < 0: size = 0.1·0.5 = 0.05 and g counts as 0: no step (x2 = −0.1), prev = 0.
      // Step 3: g·prev = 0: size stays 0.05, x3 = −0.1 + 0.05 = −0.05, prev = −1.
      // Step 4: g·prev = 1 > 0: size = 0.05·1.2 = 0.06, x4 = −0.05 + 0.06 = 0.01.
      const grads = [[1], [-1], [-1], [-1]];
      const xs = stepOptimizer(rprop.create({}), [0], (_x, k) => grads[k], 0.1, 4);
      expectClose(xs.flat(), [-0.1, -0.1, -0.05, 0.01]);
    });

    it('clamps the step size to step_sizes', () => {
      // Constant g = 1, step_sizes (0.05, 0.11): step 1 clamps lr = 0.1 (in range) → x1 = −0.1;
      // step 2: 0.1·1.2 = 0.12 → 0.11, x2 = −0.21; step 3: 0.11·1.2 = 0.132 → 0.11, x3 = −0.32.
      const xs = stepOptimizer(rprop.create({ step_sizes: [0.05, 0.11] }), [0], () => [1], 0.1, 3);
      expectClose(xs.flat(), [-0.1, -0.21, -0.32]);
      // lr = 0.01 below the minimum 0.05: the first step is already 0.05.
      expectClose(stepOptimizer(rprop.create({ step_sizes: [0.05, 0.11] }), [0], () => [1], 0.01, 1)[0], [-0.05]);
    });
  });
});
