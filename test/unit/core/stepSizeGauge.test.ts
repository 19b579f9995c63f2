import { strict as assert } from 'node:assert';
import { fitStepQuadratic, stepSizeGauge } from '../../../src/core/stepSizeGauge';

const close = (a: number | null, b: number, tol: number, what: string) => assert.ok(a !== null && Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

/** The ends of gradient descent x₁ = x₀ − η·A·x₀ on f(x) = ½xᵀAx, A diagonal. */
function gdEnds(diag: number[], x0: number[], lr: number) {
  const f = (x: number[]) => 0.5 * x.reduce((s, xi, i) => s + diag[i] * xi * xi, 0);
  const grad = (x: number[]) => x.map((xi, i) => diag[i] * xi);
  const g0 = grad(x0);
  const x1 = x0.map((xi, i) => xi - lr * g0[i]);
  const d = x1.map((xi, i) => xi - x0[i]);
  const dot = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * v[i], 0);
  return { loss0: f(x0), loss1: f(x1), dot0: dot(g0, d), dot1: dot(grad(x1), d), stepNormSq: dot(d, d) };
}

describe('step-size gauge α (Cockpit)', () => {
  it("Cockpit's noise-free example: f(0) = 1, f(1) = 0.5, f'(0) = −1, f'(1) = 0 fits 1 − τ + τ²/2 and lands at the minimum", () => {
    const { coefficients } = fitStepQuadratic(1, 1, 0.5, -1, 0);
    coefficients.forEach((c, i) => close(c, [1, -1, 0.5][i], 1e-12, `coefficient ${i}`));
    const g = stepSizeGauge({ loss0: 1, loss1: 0.5, dot0: -1, dot1: 0, stepNormSq: 1 });
    close(g.alpha, 0, 1e-12, 'α');
    close(g.misfit, 0, 1e-12, 'misfit');
    assert.equal(g.shape, 'convex');
  });

  it('1-D quadratic h·x²/2, gradient descent at η: α = ηh − 1 (understep, ideal, other side, overshoot)', () => {
    for (const [lr, alpha] of [[0.25, -0.5], [0.5, 0], [1, 1], [0.75, 0.5]] as const) {
      const g = stepSizeGauge(gdEnds([2], [3], lr));
      close(g.alpha, alpha, 1e-12, `α at lr ${lr}`);
      close(g.misfit, 0, 1e-12, 'misfit');
      close(g.curvature, 2, 1e-12, 'curvature along the step');
    }
  });

  it('2-D quadratic diag(1, 4) from (1, 1), η = 0.2: α = η·gᵀAg/gᵀg − 1 = 13/17 − 1', () => {
    const g = stepSizeGauge(gdEnds([1, 4], [1, 1], 0.2));
    close(g.alpha, 13 / 17 - 1, 1e-12, 'α');
    // The curvature along d = −ηg is gᵀAg/gᵀg = 65/17.
    close(g.curvature, 65 / 17, 1e-12, 'curvature');
  });

  it('concave along the step and going downhill: Cockpit\'s −1; going uphill: no α', () => {
    const down = stepSizeGauge({ loss0: 0, loss1: -1.5, dot0: -1, dot1: -2, stepNormSq: 1 });
    assert.equal(down.shape, 'not-convex');
    assert.equal(down.alpha, -1);
    const up = stepSizeGauge({ loss0: 0, loss1: 0.5, dot0: 1, dot1: 0, stepNormSq: 1 });
    assert.equal(up.alpha, null);
  });

  it('a cubic along the step has a misfit; no step or a NaN gives no α', () => {
    // f(τ) = τ³ − τ on [0, 1]: f(1) = 0, f′(0) = −1, f′(1) = 2.
    const cubic = stepSizeGauge({ loss0: 0, loss1: 0, dot0: -1, dot1: 2, stepNormSq: 1 });
    // Slopes −1 and 2 predict a change of (−1 + 2)/2 = 0.5 against the 0 observed, on a scale of (1 + 2)/2.
    close(cubic.misfit, 1 / 3, 1e-12, 'misfit');
    assert.equal(stepSizeGauge({ loss0: 1, loss1: 1, dot0: 0, dot1: 0, stepNormSq: 0 }).alpha, null);
    assert.equal(stepSizeGauge({ loss0: NaN, loss1: 1, dot0: -1, dot1: 0, stepNormSq: 1 }).alpha, null);
  });
});
