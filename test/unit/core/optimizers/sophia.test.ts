import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../../../../src/core/hyperparams';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { rademacher } from '../../../../src/core/rules/builtin/sophia';
import { forEachBackend } from '../../helpers/backends';
import { loadReferenceFile, runReferenceCase, type ReferenceFile } from '../../helpers/referenceRuns';
import { matVec, quadraticObjective, runSecondOrder } from '../../helpers/runSecondOrder';
import { expectClose } from '../../helpers/stepOptimizer';
import { firstParityMismatch } from '../../helpers/torchFixtures';

type Hp = { betas: [number, number]; rho: number; weight_decay: number; k: number; eps: number; seed: number };
const DEFAULTS: Hp = { betas: [0.965, 0.99], rho: 0.04, weight_decay: 0.1, k: 10, eps: 1e-15, seed: 0 };

/**
 * The paper's Sophia-H in float64 on f = ½xᵀAx − bᵀx (g = Ax − b, H = A): m ← β₁m + (1 − β₁)g; when
 * (t − 1) mod k = 0, ĥ = u ⊙ (A u) with the step's Rademacher u and h ← β₂h + (1 − β₂)ĥ; θ ← θ(1 − lr·λ);
 * θ ← θ − lr·clip(m / max(ρh, ε), 1).
 */
function sophiaPath(a: number[][], b: number[], x0: number[], lr: number, hp: Hp, steps: number): number[][] {
  const [beta1, beta2] = hp.betas;
  let x = x0;
  let m = x0.map(() => 0);
  let h = x0.map(() => 0);
  const path: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = matVec(a, x).map((v, i) => v - b[i]);
    m = m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
    if ((t - 1) % hp.k === 0) {
      const u = Array.from(rademacher(x.length, t, hp.seed));
      const au = matVec(a, u);
      h = h.map((hi, i) => beta2 * hi + (1 - beta2) * u[i] * au[i]);
    }
    x = x.map((xi, i) => xi * (1 - lr * hp.weight_decay) - lr * Math.max(-1, Math.min(1, m[i] / Math.max(hp.rho * h[i], hp.eps))));
    path.push(x);
  }
  return path;
}

const reference = loadReferenceFile<ReferenceFile & { rademacher_check: { n: number; step: number; seed: number; u: number[] } }>('sophia');

describe('sophia (Sophia-H: Hutchinson diagonal, clipped)', () => {
  it('Rademacher vectors: ±1, the same for the same (step, seed), new for another step or seed, the Python side\'s', () => {
    const { n, step, seed, u } = reference.rademacher_check;
    assert.deepEqual(Array.from(rademacher(n, step, seed)), u);
    const a = Array.from(rademacher(1000, 5, 0));
    assert.ok(a.every((v) => v === 1 || v === -1));
    assert.deepEqual(Array.from(rademacher(1000, 5, 0)), a);
    const agree = (b: number[]) => b.filter((v, i) => v === a[i]).length;
    // Independent signs agree on about half of 1000 entries (σ ≈ 16).
    for (const other of [Array.from(rademacher(1000, 6, 0)), Array.from(rademacher(1000, 5, 1))]) assert.ok(Math.abs(agree(other) - 500) < 80, `${agree(other)}`);
    assert.ok(Math.abs(a.filter((v) => v === 1).length - 500) < 80);
  });

  forEachBackend(() => {
    it('diagonal Hessian: u⊙Hu is the diagonal exactly; three steps by hand, clipped and not', () => {
      // H = diag(1, 4, 0.5); β = (0.9, 0.5), ρ = 1, λ = 0.1, k = 2, lr 0.1, x0 = (1, −2, 10).
      // Step 1: m = 0.1·g = 0.1·d⊙x, h = 0.5·d (u_i² = 1), m/(ρh) = 0.2·x = (0.2, −0.4, 2 → clipped to 1);
      // x1 = 0.99·x0 − 0.1·(0.2, −0.4, 1) = (0.97, −1.94, 9.8).
      const d = [1, 4, 0.5];
      const a = d.map((di, i) => d.map((_, j) => (i === j ? di : 0)));
      const hp: Hp = { ...DEFAULTS, betas: [0.9, 0.5], rho: 1, weight_decay: 0.1, k: 2 };
      const expected = sophiaPath(a, [0, 0, 0], [1, -2, 10], 0.1, hp, 3);
      expectClose(expected[0], [0.97, -1.94, 9.8], 1e-12);
      const trace = runSecondOrder(optimizerFactory('sophia').create(hp), quadraticObjective(a, [0, 0, 0]), [1, -2, 10], 0.1, 3);
      trace.xs.forEach((x, k) => expectClose(x, expected[k], 1e-5));
      // One Hessian-vector product at steps 1 and 3 (k = 2).
      assert.deepEqual(trace.extraEvals, [1, 0, 1]);
    });

    it('non-diagonal and indefinite: ĥ = u⊙Au with the step\'s own u; a negative estimate gives a sign step', () => {
      // u of step 1, seed 0 is (−1, −1, −1): ĥ is A's row sums (−1, −1.5, 4.5), so ρh < ε in the first
      // two coordinates and their step is lr·sign(m).
      const a = [[2, -3, 0], [-3, 1, 0.5], [0, 0.5, 4]];
      const b = [1, 0, -1];
      assert.deepEqual(Array.from(rademacher(3, 1, 0)), [-1, -1, -1]);
      const x0 = [0.3, -0.2, 0.5];
      for (const hp of [{ ...DEFAULTS, k: 1, rho: 0.5, betas: [0.9, 0.9] as [number, number] }, { ...DEFAULTS, k: 2, seed: 3 }]) {
        const expected = sophiaPath(a, b, x0, 0.05, hp, 4);
        const trace = runSecondOrder(optimizerFactory('sophia').create(hp), quadraticObjective(a, b), x0, 0.05, 4);
        trace.xs.forEach((x, k) => expectClose(x, expected[k], 1e-5));
      }
      const g = matVec(a, x0).map((v, i) => v - b[i]);
      const first = sophiaPath(a, b, x0, 0.05, { ...DEFAULTS, weight_decay: 0 }, 1)[0];
      expectClose(first.slice(0, 2), [0.3 - 0.05 * Math.sign(g[0]), -0.2 - 0.05 * Math.sign(g[1])], 1e-12);
    });

    it('leaves no tensors behind, for every option set', () => {
      const a = [[2, 1], [1, 3]];
      const sets: HpRecord[] = [{}, { k: 1 }, { k: 3, weight_decay: 0, seed: 5 }, { rho: 10, betas: [0.5, 0.5] }];
      for (const hp of sets) {
        const before = tf.memory().numTensors;
        runSecondOrder(optimizerFactory('sophia').create(hp), quadraticObjective(a, [1, 1]), [1, -1], 0.01, 5);
        assert.equal(tf.memory().numTensors, before, JSON.stringify(hp));
      }
    });

    it('through the loop: records count one evaluation per step plus one per Hessian-vector product', async () => {
      const fx = reference.fixtures[1];
      const records = await runReferenceCase(fx, { ...fx.cases[0], hp: { k: 3 } }, 8);
      // Updates 1, 4, 7 estimate the diagonal: record k (before update k) has 1 + k + ⌈k/3⌉ evaluations.
      assert.deepEqual(records.map((r) => r.evals), [0, 1, 2, 3, 4, 5, 6, 7].map((k) => 1 + k + Math.ceil(k / 3)));
    });

    it('two runs give identical numbers (the Rademacher vectors depend on step and seed only)', async () => {
      const fx = reference.fixtures[0];
      const [first, second] = [await runReferenceCase(fx, fx.cases[2], 30), await runReferenceCase(fx, fx.cases[2], 30)];
      assert.deepEqual(second.map((r) => r.loss), first.map((r) => r.loss));
      const reseeded = await runReferenceCase(fx, { ...fx.cases[2], hp: { ...fx.cases[2].hp, seed: 8 } }, 30);
      assert.notDeepEqual(reseeded.map((r) => r.loss), first.map((r) => r.loss));
    });
  });

  it('defaults from the reference, model scope on tensors, range checks', () => {
    const factory = optimizerFactory('sophia');
    assert.equal(factory.defaultLr, 1e-4);
    assert.equal(factory.family, 'second-order diagonal');
    assert.match(factory.reference, /arXiv:2305\.14342/);
    assert.deepEqual(factory.hyperparams.map((h) => [h.name, h.default]), [
      ['betas', [0.965, 0.99]], ['rho', 0.04], ['weight_decay', 0.1], ['k', 10], ['eps', 1e-15], ['seed', 0],
    ]);
    assert.match(factory.create({}).arraysUnavailable ?? '', /model scope/);
    assert.throws(() => factory.create({ k: 0 }), /invalid k for 'sophia': must be an integer >= 1, got 0/);
    assert.throws(() => factory.create({ k: 2.5 }), /must be an integer >= 1, got 2.5/);
    assert.throws(() => factory.create({ eps: 0 }), /invalid eps for 'sophia': must be > 0, got 0/);
    assert.throws(() => factory.create({ betas: [0.9, 1] }), /each beta must be in \[0, 1\)/);
  });

  describe('reference: the Sophia-H transcription (test/fixtures/reference/sophia.py), same Rademacher vectors', () => {
    it('covers the three functions for 200 steps', () => {
      assert.deepEqual(reference.fixtures.map((f) => f.function.name), ['rosenbrock', 'quadratic', 'logistic']);
      for (const fx of reference.fixtures) for (const c of fx.cases) assert.equal(c.losses.length, 200);
    });
    forEachBackend((backend) => {
      for (const fx of reference.fixtures) {
        for (const c of fx.cases) {
          it(`${fx.function.name}: ${c.name} (lr ${c.lr}, ${JSON.stringify(c.hp)})`, async () => {
            const before = tf.memory().numTensors;
            const records = await runReferenceCase(fx, c, reference.steps);
            assert.equal(records.length, reference.steps);
            const bad = firstParityMismatch(records.map((r) => r.loss), c.losses);
            assert.equal(bad, undefined, `${fx.function.name}/${c.name} on ${backend}: ${bad}`);
            assert.equal(tf.memory().numTensors, before);
          });
        }
      }
    });
  });
});
