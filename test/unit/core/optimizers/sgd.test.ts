import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// f(x) = ½|x|², so g = x; x0 = (1, −2), lr = 0.1 throughout.
const sgd = optimizerFactory('sgd');

describe('sgd', () => {
  forEachBackend(() => {
    it('plain gradient descent: x ← x − lr·g', () => {
      // x1 = 0.9·x0 = (0.9, −1.8); x2 = 0.81·x0.
      const [x1, x2] = stepOptimizer(sgd.create({}), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.9, -1.8]);
      expectClose(x2, [0.81, -1.62]);
    });

    it('heavy-ball momentum starts the buffer at the first gradient', () => {
      // buf1 = g0 = (1, −2); x1 = (0.9, −1.8).
      // buf2 = 0.9·(1, −2) + (0.9, −1.8) = (1.8, −3.6); x2 = x1 − 0.1·buf2 = (0.72, −1.44).
      const [x1, x2] = stepOptimizer(sgd.create({ momentum: 0.9 }), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.9, -1.8]);
      expectClose(x2, [0.72, -1.44]);
    });

    it('dampening scales new gradients from the second step on', () => {
      // buf1 = g0 (no dampening on the first step); buf2 = 0.9·(1, −2) + 0.5·(0.9, −1.8) = (1.35, −2.7);
      // x2 = (0.9, −1.8) − 0.1·buf2 = (0.765, −1.53).
      const [x1, x2] = stepOptimizer(sgd.create({ momentum: 0.9, dampening: 0.5 }), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.9, -1.8]);
      expectClose(x2, [0.765, -1.53]);
    });

    it('nesterov steps along g + momentum·buf', () => {
      // buf1 = (1, −2); d1 = g0 + 0.9·buf1 = (1.9, −3.8); x1 = (0.81, −1.62).
      // buf2 = 0.9·(1, −2) + (0.81, −1.62) = (1.71, −3.42); d2 = (0.81 + 1.539, −1.62 − 3.078) = (2.349, −4.698);
      // x2 = x1 − 0.1·d2 = (0.5751, −1.1502).
      const [x1, x2] = stepOptimizer(sgd.create({ momentum: 0.9, nesterov: true }), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.81, -1.62]);
      expectClose(x2, [0.5751, -1.1502]);
    });

    it('weight decay adds weight_decay·x to the gradient', () => {
      // d = g + 0.1·x = 1.1·x; x1 = (1 − 0.11)·x0 = (0.89, −1.78).
      const [x1] = stepOptimizer(sgd.create({ weight_decay: 0.1 }), [1, -2], identityGradient, 0.1, 1);
      expectClose(x1, [0.89, -1.78]);
    });
  });
});
