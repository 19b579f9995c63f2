import { strict as assert } from 'node:assert';
import type { HpRecord } from '../../../../src/core/hyperparams';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { describeReferenceParity } from '../../helpers/paperReferenceParity';
import { expectNoLeak, forEachBackend } from '../../helpers/backends';
import { expectMatrixAsVector, expectPath, stepBothForms } from '../../helpers/stepCompiled';
import { expectClose, identityGradient, stepOptimizer, type GradientAt } from '../../helpers/stepOptimizer';

const lion = optimizerFactory('lion');

/** Lion's equations (Chen et al. 2023, Algorithm 2) in float64, straight from the paper. */
function lionByHand(x0: number[], gradAt: GradientAt, lr: number, steps: number, beta1 = 0.9, beta2 = 0.99, wd = 0): number[][] {
  const x = [...x0];
  const m = x0.map(() => 0);
  const path: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const g = gradAt([...x], k);
    for (let i = 0; i < x.length; i++) {
      const c = beta1 * m[i] + (1 - beta1) * g[i];
      x[i] = x[i] * (1 - lr * wd) - lr * Math.sign(c);
      m[i] = beta2 * m[i] + (1 - beta2) * g[i];
    }
    path.push([...x]);
  }
  return path;
}

describe('lion', () => {
  it('is a sign-family paper rule with the reference defaults, and it compiles', () => {
    assert.equal(lion.family, 'sign');
    assert.match(lion.reference ?? '', /arXiv:2302\.06675/);
    assert.deepEqual(lion.create({}).hp, { betas: [0.9, 0.99], weight_decay: 0 });
    assert.equal(lion.defaultLr, 1e-4);
    assert.ok(lion.create({}).arrays);
    assert.throws(() => lion.create({ betas: [0.9, 1] }), /each beta must be in \[0, 1\), got \[0\.9,1\]/);
  });

  forEachBackend(() => {
    const runs = (hp: HpRecord, x0: number[], gradAt: GradientAt, lr: number, steps: number) => stepBothForms(lion, hp, x0, gradAt, lr, steps);

    it('first steps on ½|x|² match the paper\'s equations, tensors and compiled', () => {
      // g = x, x0 = (1, −2, 3e-8), lr 0.1. Step 1: m = 0, c = 0.1·g: signs (1, −1, 1), so x1 = (0.9, −1.9, 3e-8 − 0.1);
      // m = 0.01·x0. Step 2: c = 0.9·0.01·x0 + 0.1·x1 = (0.099, −0.208, ≈ −0.01): x2 = (0.8, −1.8, ≈ 3e-8).
      const x0 = [1, -2, 3e-8];
      const expected = lionByHand(x0, identityGradient, 0.1, 3);
      expectClose(expected[1], [0.8, -1.8, 3e-8], 1e-12);
      for (const [how, path] of runs({}, x0, identityGradient, 0.1, 3)) expectPath(how, path, expected);
    });

    it('moves every coordinate by exactly lr whatever the gradient\'s scale (1e-7 too: signs from comparisons, not wasm\'s Sign)', () => {
      const tiny: GradientAt = (x) => x.map((v) => 1e-7 * v);
      for (const [how, path] of runs({}, [1, -2], tiny, 0.01, 4)) expectPath(how, path.slice(3), [[0.96, -1.96]]);
    });

    it('weight decay is decoupled: θ·(1 − lr·λ) before the signed step', () => {
      const grad: GradientAt = (x, k) => x.map((v, i) => (k === 1 ? -v : v) + i);
      const expected = lionByHand([1, -2], grad, 0.1, 3, 0.5, 0.9, 0.5);
      // Step 1 by hand: x1 = x0·0.95 − 0.1·sign(0.5·g0) = (0.85, −1.8).
      expectClose(expected[0], [0.85, -1.8], 1e-12);
      for (const [how, path] of runs({ weight_decay: 0.5, betas: [0.5, 0.9] }, [1, -2], grad, 0.1, 3)) expectPath(how, path, expected);
    });

    it('a 2×3 matrix parameter steps as the vector of its entries', () => expectMatrixAsVector(lion, { weight_decay: 0.1 }, identityGradient, 0.1, 3));

    it('leaves no tensor behind, for every option set', () => {
      const optionSets: HpRecord[] = [{}, { weight_decay: 0.5 }, { betas: [0, 0] }];
      for (const hp of optionSets) expectNoLeak(() => stepOptimizer(lion.create(hp), [1, -2, 0], identityGradient, 0.1, 5));
    });
  });
});

describeReferenceParity('lion');
