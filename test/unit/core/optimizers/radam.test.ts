import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { expectClose, identityGradient, stepOptimizer } from '../../helpers/stepOptimizer';

// lr = 0.1, betas (0.9, 0.999), eps 1e-8. ρ∞ = 2/(1 − 0.999) − 1 = 1999; ρ_t = ρ∞ − 2t·0.999ᵗ/(1 − 0.999ᵗ):
// ρ1 = 1999 − 1998 = 1, ρ2 ≈ 2.0, … ρ5 ≈ 4.996, ρ6 ≈ 5.994: the first five steps are unrectified.
const radam = optimizerFactory('radam');
const rho = (t: number) => 1999 - (2 * t * 0.999 ** t) / (1 - 0.999 ** t);

describe('radam', () => {
  forEachBackend(() => {
    it('takes bias-corrected momentum steps while ρ_t ≤ 5', () => {
      // f(x) = ½|x|², g = x; x0 = (1, −2).
      // Step 1: m = 0.1·g, m̂ = m/(1 − 0.9) = g; ρ1 = 1 ≤ 5, so x1 = x0 − 0.1·g = 0.9·x0 = (0.9, −1.8).
      // Step 2 (g = x1): m = 0.9·0.1·x0 + 0.1·0.9·x0 = 0.18·x0, m̂ = 0.18/0.19·x0; ρ2 ≈ 2 ≤ 5:
      // x2 = 0.9·x0 − 0.1·(0.18/0.19)·x0.
      const [x1, x2] = stepOptimizer(radam.create({}), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.9, -1.8]);
      expectClose(x2, [1, -2].map((v) => 0.9 * v - 0.1 * (0.18 / 0.19) * v));
    });

    it('rectifies the adaptive step once ρ_t > 5', () => {
      // A constant gradient g = 1: m_t = 1 − 0.9ᵗ, so m̂ = 1; v_t = 1 − 0.999ᵗ, so √(1 − 0.999ᵗ)/(√v + ε) ≈ 1.
      // Steps 1–5 move by lr·m̂ = 0.1 each: x5 = −0.5. Step 6 (ρ6 ≈ 5.994 > 5) moves by 0.1·r6,
      // r6 = √((ρ6 − 4)(ρ6 − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ6)) ≈ 0.0258.
      const xs = stepOptimizer(radam.create({}), [0], () => [1], 0.1, 6);
      expectClose(xs[4], [-0.5]);
      const r6 = Math.sqrt(((rho(6) - 4) * (rho(6) - 2) * 1999) / (1995 * 1997 * rho(6)));
      const v6 = 1 - 0.999 ** 6;
      expectClose(xs[5], [-0.5 - 0.1 * r6 * (Math.sqrt(v6) / (Math.sqrt(v6) + 1e-8))]);
    });

    it('weight decay is an L2 term in the gradient', () => {
      // g = x + 1·x = 2x: x1 = x0 − 0.1·2x0 = 0.8·x0; step 2: m = 0.9·0.2·x0 + 0.1·1.6·x0 = 0.34·x0,
      // x2 = 0.8·x0 − 0.1·(0.34/0.19)·x0.
      const [x1, x2] = stepOptimizer(radam.create({ weight_decay: 1 }), [1, -2], identityGradient, 0.1, 2);
      expectClose(x1, [0.8, -1.6]);
      expectClose(x2, [1, -2].map((v) => 0.8 * v - 0.1 * (0.34 / 0.19) * v));
    });
  });
});
