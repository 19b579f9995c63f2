import { strict as assert } from 'node:assert';
import type { HpRecord } from '../../../../src/core/hyperparams';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { ademamixAlpha, ademamixBeta3 } from '../../../../src/core/rules/builtin/ademamix';
import { expectNoLeak, forEachBackend } from '../../helpers/backends';
import { describeReferenceParity } from '../../helpers/paperReferenceParity';
import { expectMatrixAsVector, expectPath, stepBothForms } from '../../helpers/stepCompiled';
import { identityGradient, stepOptimizer, type GradientAt } from '../../helpers/stepOptimizer';

const ademamix = optimizerFactory('ademamix');

interface ByHand {
  betas?: [number, number, number];
  alpha?: number;
  eps?: number;
  wd?: number;
  alphaAt?: (t: number) => number;
  beta3At?: (t: number) => number;
}

/**
 * AdEMAMix's update (Pagliardini et al. 2024, Algorithm 1) in float64: m₁, m₂, v EMAs with β₁, β₃, β₂;
 * θ ← θ − lr·((m₁/(1 − β₁ᵗ) + α·m₂) / (√(v/(1 − β₂ᵗ)) + ε) + λθ).
 */
function ademamixByHand(x0: number[], gradAt: GradientAt, lr: number, steps: number, o: ByHand = {}): number[][] {
  const { betas: [b1, b2, b3] = [0.9, 0.999, 0.9999], alpha = 5, eps = 1e-8, wd = 0 } = o;
  const x = [...x0];
  const [m1, m2, v] = [x0.map(() => 0), x0.map(() => 0), x0.map(() => 0)];
  const path: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = gradAt([...x], t - 1);
    const [a, beta3] = [o.alphaAt?.(t) ?? alpha, o.beta3At?.(t) ?? b3];
    for (let i = 0; i < x.length; i++) {
      m1[i] = b1 * m1[i] + (1 - b1) * g[i];
      m2[i] = beta3 * m2[i] + (1 - beta3) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const u = (m1[i] / (1 - b1 ** t) + a * m2[i]) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
      x[i] -= lr * (u + wd * x[i]);
    }
    path.push([...x]);
  }
  return path;
}

describe('ademamix', () => {
  it('is an adaptive paper rule with the reference defaults (α = 5, no warm-ups), and it compiles', () => {
    assert.equal(ademamix.family, 'adaptive');
    assert.match(ademamix.reference ?? '', /arXiv:2409\.03137/);
    assert.deepEqual(ademamix.create({}).hp, { betas: [0.9, 0.999, 0.9999], alpha: 5, beta3_warmup: 0, alpha_warmup: 0, eps: 1e-8, weight_decay: 0 });
    assert.equal(ademamix.defaultLr, 1e-3);
    assert.ok(ademamix.create({}).arrays);
    assert.throws(() => ademamix.create({ betas: [0.9, 0.999, 1] }), /each beta must be in \[0, 1\), got \[0\.9,0\.999,1\]/);
    assert.throws(() => ademamix.create({ betas: [0.9, 0.999] }), /betas for 'ademamix' must be 3 numbers/);
  });

  it('warm-ups: α linear from 0; β₃ from β₁ linear in half-life ln ½ / ln β − 1; both reach their value at T', () => {
    const T = 100;
    assert.equal(ademamixAlpha(25, 8, T), 2);
    assert.equal(ademamixAlpha(T, 8, T), 8);
    assert.equal(ademamixAlpha(3, 8, 0), 8);
    const halfLife = (b: number) => Math.log(0.5) / Math.log(b) - 1;
    // Half-lives: β₁ = 0.9 → 5.58 steps, β₃ = 0.9999 → 6930 steps; halfway, the mean (3468) steps.
    // (the reference's half-life takes ln(β + 1e-8): β₁ comes back within about 1e-8)
    assert.ok(Math.abs(ademamixBeta3(0, 0.9, 0.9999, T) - 0.9) < 1e-7);
    assert.ok(Math.abs(halfLife(ademamixBeta3(50, 0.9, 0.9999, T)) - (halfLife(0.9) + halfLife(0.9999)) / 2) < 1e-3 * halfLife(0.9999));
    assert.equal(ademamixBeta3(T, 0.9, 0.9999, T), 0.9999);
    assert.equal(ademamixBeta3(7, 0.9, 0.9999, 0), 0.9999);
  });

  forEachBackend(() => {
    const runs = (hp: HpRecord, x0: number[], gradAt: GradientAt, lr: number, steps: number) => stepBothForms(ademamix, hp, x0, gradAt, lr, steps);

    it('first steps on ½|x|² match the paper\'s equations, tensors and compiled', () => {
      // Step 1: m̂₁ = g, m₂ = 1e-4·g, v̂ = g²: u = (1 + 5e-4)·g/(|g| + 1e-8), so each coordinate moves by lr·1.0005.
      const expected = ademamixByHand([1, -2], identityGradient, 0.1, 3);
      expectPath('by hand', expected.slice(0, 1), [[1 - 0.10005, -2 + 0.10005]], 1e-7);
      for (const [how, path] of runs({}, [1, -2], identityGradient, 0.1, 3)) expectPath(how, path, expected);
    });

    it('option sets: warm-ups, decoupled weight decay, β₁ = 0 (no fast EMA kept), eps = 0', () => {
      const grad: GradientAt = (x, k) => x.map((xi, i) => xi * (1 + i) - (k % 2) * 0.5);
      const sets: [HpRecord, ByHand][] = [
        [{ alpha_warmup: 4, beta3_warmup: 3, alpha: 8 }, { alpha: 8, alphaAt: (t) => ademamixAlpha(t, 8, 4), beta3At: (t) => ademamixBeta3(t, 0.9, 0.9999, 3) }],
        [{ weight_decay: 0.5 }, { wd: 0.5 }],
        [{ betas: [0, 0.9, 0.99], alpha: 2 }, { betas: [0, 0.9, 0.99], alpha: 2 }],
        [{ eps: 0 }, { eps: 0 }],
      ];
      for (const [hp, byHand] of sets) {
        const expected = ademamixByHand([1, -2, 0.5], grad, 0.1, 5, byHand);
        for (const [how, path] of runs(hp, [1, -2, 0.5], grad, 0.1, 5)) expectPath(`${how} ${JSON.stringify(hp)}`, path, expected);
      }
    });

    it('a 2×3 matrix parameter steps as the vector of its entries', () => expectMatrixAsVector(ademamix, { alpha_warmup: 2 }, identityGradient, 0.1, 3));

    it('leaves no tensor behind, for every option set', () => {
      const optionSets: HpRecord[] = [{}, { alpha_warmup: 3, beta3_warmup: 3 }, { weight_decay: 0.5 }, { betas: [0, 0.9, 0.99] }, { eps: 0 }];
      for (const hp of optionSets) {
        expectNoLeak(() => stepOptimizer(ademamix.create(hp), [1, -2, 0], identityGradient, 0.1, 5));
      }
    });
  });
});

describeReferenceParity('ademamix');
