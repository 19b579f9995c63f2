import { strict as assert } from 'node:assert';
import type { HpRecord } from '../../../../src/core/hyperparams';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { expectNoLeak, forEachBackend } from '../../helpers/backends';
import { describeReferenceParity } from '../../helpers/paperReferenceParity';
import { expectMatrixAsVector, expectPath, stepBothForms } from '../../helpers/stepCompiled';
import { identityGradient, stepOptimizer, type GradientAt } from '../../helpers/stepOptimizer';

const adopt = optimizerFactory('adopt');

interface ByHand {
  beta1?: number;
  beta2?: number;
  eps?: number;
  wd?: number;
  decouple?: boolean;
  clip?: boolean;
}

/**
 * ADOPT's update (Taniguchi et al. 2024, Algorithm 1 with the clipped normalisation of the authors'
 * current code) in float64. s counts earlier steps: s = 0 only sets v = g²; then
 * n = clip(g / max(√v, ε), ±s^¼), m = m + (1 − β₁)(n − m), θ ← θ − lr·m, v ← β₂v + (1 − β₂)g².
 */
function adoptByHand(x0: number[], gradAt: GradientAt, lr: number, steps: number, o: ByHand = {}): number[][] {
  const { beta1 = 0.9, beta2 = 0.9999, eps = 1e-6, wd = 0, decouple = false, clip = true } = o;
  const x = [...x0];
  const m = x0.map(() => 0);
  const v = x0.map(() => 0);
  const path: number[][] = [];
  for (let s = 0; s < steps; s++) {
    const g = gradAt([...x], s).map((gi, i) => (decouple ? gi : gi + wd * x[i]));
    for (let i = 0; i < x.length; i++) {
      if (s === 0) {
        v[i] = g[i] * g[i];
        continue;
      }
      if (decouple) x[i] -= lr * wd * x[i];
      let n = g[i] / Math.max(Math.sqrt(v[i]), eps);
      if (clip) n = Math.min(Math.max(n, -(s ** 0.25)), s ** 0.25);
      m[i] += (1 - beta1) * (n - m[i]);
      x[i] -= lr * m[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    }
    path.push([...x]);
  }
  return path;
}

describe('adopt', () => {
  it('is an adaptive paper rule with the reference defaults, and it compiles', () => {
    assert.equal(adopt.family, 'adaptive');
    assert.match(adopt.reference ?? '', /arXiv:2411\.02853/);
    assert.deepEqual(adopt.create({}).hp, { betas: [0.9, 0.9999], eps: 1e-6, weight_decay: 0, decouple: false, clip: true });
    assert.equal(adopt.defaultLr, 1e-3);
    assert.ok(adopt.create({}).arrays);
    assert.throws(() => adopt.create({ eps: -1 }), /must be >= 0, got -1/);
  });

  forEachBackend(() => {
    const runs = (hp: HpRecord, x0: number[], gradAt: GradientAt, lr: number, steps: number) => stepBothForms(adopt, hp, x0, gradAt, lr, steps);

    it('the first step only sets v = g²; then normalised, clipped momentum steps (½|x|², by hand)', () => {
      // g = x, x0 = (1, −2), lr 0.1. Step 1: v = (1, 4), x1 = x0. Step 2 (s = 1): n = g/√v = (1, −1), clip ±1;
      // m = 0.1·n; x2 = x0 − 0.01·(1, −1) = (0.99, −1.99); v stays (1, 4). Step 3 (s = 2): n = (0.99, −0.995)
      // (inside ±2^¼), m = 0.1 + 0.1·(0.99 − 0.1) = 0.189 and −0.1895: x3 = (0.99 − 0.0189, −1.99 + 0.01895).
      const expected = adoptByHand([1, -2], identityGradient, 0.1, 3);
      expectPath('by hand', expected, [[1, -2], [0.99, -1.99], [0.9711, -1.97105]], 1e-12);
      for (const [how, path] of runs({}, [1, -2], identityGradient, 0.1, 3)) expectPath(how, path, expected);
    });

    it('clips the normalised gradient to ±(t − 1)^¼, or not with clip = false', () => {
      // g = 1, then 5, 5, …: at step 2 n = 5/1 is clipped to 1 (unclipped: x moves by 0.1·0.1·5).
      const jump: GradientAt = (x, k) => x.map(() => (k === 0 ? 1 : 5));
      const clipped = adoptByHand([0], jump, 0.1, 4);
      const unclipped = adoptByHand([0], jump, 0.1, 4, { clip: false });
      expectPath('by hand', [clipped[1], unclipped[1]], [[-0.01], [-0.05]], 1e-12);
      for (const [how, path] of runs({}, [0], jump, 0.1, 4)) expectPath(how, path, clipped);
      for (const [how, path] of runs({ clip: false }, [0], jump, 0.1, 4)) expectPath(how, path, unclipped);
    });

    it('weight decay: an L2 term (into v at the first step too), or decoupled from the second step on; β₁ ≥ 0.5 takes torch\'s other lerp form', () => {
      const grad: GradientAt = (x, k) => x.map((xi, i) => xi * (1 + i) - (k % 2) * 0.5);
      const sets: [HpRecord, ByHand][] = [
        [{ weight_decay: 0.5 }, { wd: 0.5 }],
        [{ weight_decay: 0.5, decouple: true, eps: 1e-3 }, { wd: 0.5, decouple: true, eps: 1e-3 }],
        [{ betas: [0.3, 0.9], clip: false }, { beta1: 0.3, beta2: 0.9, clip: false }],
      ];
      for (const [hp, byHand] of sets) {
        const expected = adoptByHand([1, -2, 0.5], grad, 0.1, 4, byHand);
        for (const [how, path] of runs(hp, [1, -2, 0.5], grad, 0.1, 4)) expectPath(`${how} ${JSON.stringify(hp)}`, path, expected);
      }
    });

    it('a 2×3 matrix parameter steps as the vector of its entries', () => expectMatrixAsVector(adopt, { weight_decay: 0.1, decouple: true }, identityGradient, 0.1, 3));

    it('leaves no tensor behind, for every option set', () => {
      const optionSets: HpRecord[] = [{}, { clip: false }, { weight_decay: 0.5 }, { weight_decay: 0.5, decouple: true }, { eps: 0 }];
      for (const hp of optionSets) {
        expectNoLeak(() => stepOptimizer(adopt.create(hp), [1, -2, 0], identityGradient, 0.1, 5));
      }
    });
  });
});

describeReferenceParity('adopt');
