import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// f(x) = ½|x|², so g = x; x0 = (1, −2), lr = 0.1.
const adagrad = optimizerFactory('adagrad');

describe('adagrad', () => {
  forEachBackend(() => {
    it('divides by the root of the accumulated squared gradients', () => {
      // sum1 = (1, 4); x1 = x0 − 0.1·x0/|x0| = (0.9, −1.9).
      // sum2 = (1 + 0.81, 4 + 3.61) = (1.81, 7.61); x2 = (0.9 − 0.09/√1.81, −1.9 + 0.19/√7.61).
      const [x1, x2] = stepOptimizer(adagrad.create({}), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.9, -1.9]);
      expectClose(x2, [0.9 - 0.09 / Math.sqrt(1.81), -1.9 + 0.19 / Math.sqrt(7.61)]);
    });

    it('starts the sum at initial_accumulator_value and decays lr by lr_decay', () => {
      // x0 = (1): sum1 = 1 + 1 = 2; x1 = 1 − 0.1/√2.
      // clr2 = 0.1/(1 + 1·0.5); sum2 = 2 + x1²; x2 = x1 − clr2·x1/√sum2.
      const [x1, x2] = stepOptimizer(adagrad.create({ initial_accumulator_value: 1, lr_decay: 0.5 }), [1], identityGradient, 0.1, 2);
      const a = 1 - 0.1 / Math.sqrt(2);
      expectClose(x1, [a]);
      expectClose(x2, [a - ((0.1 / 1.5) * a) / Math.sqrt(2 + a * a)]);
    });
  });
});
