import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import { sharpnessAware } from '../../../../src/core/rules/builtin/sam';
import type { OptimizerRule } from '../../../../src/core/rules/optimizerRule';
import { ruleFactory } from '../../../../src/core/rules/ruleFactory';
import { forEachBackend } from '../../helpers/backends';
import { loadReferenceFile, runReferenceCase } from '../../helpers/referenceRuns';
import { dot, matVec, quadraticObjective, runSecondOrder } from '../../helpers/runSecondOrder';
import { expectClose } from '../../helpers/stepOptimizer';
import { firstParityMismatch } from '../../helpers/torchFixtures';

// f(x) = ½xᵀAx − bᵀx, g = Ax − b: not axis-aligned, so the perturbation and the base step mix coordinates.
const A = [[3, 1], [1, 2]];
const B = [1, 0];
const f = quadraticObjective(A, B);
const gradAt = (x: number[]) => matVec(A, x).map((v, i) => v - B[i]);
const norm = (v: number[]) => Math.sqrt(dot(v, v));

/** The reference's e_w = (w² if adaptive else 1)·g·ρ/(‖(|w| if adaptive else 1)·g‖ + 1e-12), then ∇f(w + e_w), in float64. */
function sharpGradient(w: number[], rho: number, adaptive: boolean): number[] {
  const g = gradAt(w);
  const scale = rho / (norm(g.map((gi, i) => (adaptive ? Math.abs(w[i]) : 1) * gi)) + 1e-12);
  const e = g.map((gi, i) => (adaptive ? w[i] ** 2 : 1) * gi * scale);
  return gradAt(w.map((wi, i) => wi + e[i]));
}

/** sgd with momentum μ (torch: buf = g on the first step, then μ·buf + g) fed SAM's gradient, in float64. */
function samSgdPath(x0: number[], lr: number, mu: number, rho: number, adaptive: boolean, steps: number): number[][] {
  let x = x0;
  let buf: number[] | undefined;
  const path: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const g = sharpGradient(x, rho, adaptive);
    buf = buf ? buf.map((b, i) => mu * b + g[i]) : g;
    const step = buf;
    x = x.map((xi, i) => xi - lr * step[i]);
    path.push(x);
  }
  return path;
}

describe('sam (sharpness-aware minimisation around a base rule)', () => {
  forEachBackend(() => {
    it('sam: the SGD-momentum step at w with the gradient at w + ρg/‖g‖ (three steps by hand)', () => {
      // Step 1 from (1, −1): g = (3 − 1 − 1, 1 − 2) = (1, −1), ‖g‖ = √2, e = 0.05·(1, −1)/√2;
      // g_SAM = A(w + e) − b; buf = g_SAM; w1 = w − 0.1·buf. Steps 2, 3 likewise with buf = 0.9·buf + g_SAM.
      const x0 = [1, -1];
      const g = gradAt(x0);
      assert.deepEqual(g, [1, -1]);
      const e = g.map((gi) => (0.05 * gi) / Math.SQRT2);
      const sharp = gradAt(x0.map((xi, i) => xi + e[i]));
      const expected = samSgdPath(x0, 0.1, 0.9, 0.05, false, 3);
      expectClose(expected[0], x0.map((xi, i) => xi - 0.1 * sharp[i]), 1e-12);
      const trace = runSecondOrder(optimizerFactory('sam').create({}), f, x0, 0.1, 3);
      trace.xs.forEach((x, k) => expectClose(x, expected[k], 1e-5));
      assert.deepEqual(trace.extraEvals, [1, 1, 1]);
    });

    it('adaptive (ASAM): e = ρ·w²⊙g / ‖|w|⊙g‖', () => {
      const x0 = [2, -0.5];
      const trace = runSecondOrder(optimizerFactory('sam').create({ adaptive: true, rho: 0.5 }), f, x0, 0.1, 3);
      const expected = samSgdPath(x0, 0.1, 0.9, 0.5, true, 3);
      trace.xs.forEach((x, k) => expectClose(x, expected[k], 1e-5));
      // The adaptive perturbation differs from the plain one here: the test tells them apart.
      assert.ok(Math.abs(samSgdPath(x0, 0.1, 0.9, 0.5, false, 1)[0][0] - expected[0][0]) > 1e-3);
    });

    it('rho = 0 is the base optimizer itself; a zero gradient stays put (the 1e-12 guard)', () => {
      const x0 = [1, -1];
      const base = runSecondOrder(optimizerFactory('sgd').create({ momentum: 0.9 }), f, x0, 0.1, 3);
      const flat = runSecondOrder(optimizerFactory('sam').create({ rho: 0 }), f, x0, 0.1, 3);
      flat.xs.forEach((x, k) => expectClose(x, base.xs[k], 1e-6));
      // The minimiser A⁻¹b = (0.4, −0.2): g = 0 there, e = 0·ρ/(0 + 1e-12) = 0, no NaN.
      const still = runSecondOrder(optimizerFactory('sam').create({}), f, [0.4, -0.2], 0.1, 2);
      for (const x of still.xs) expectClose(x, [0.4, -0.2], 1e-5);
    });

    it('sam-adamw: AdamW first step with the perturbed gradient, θ(1 − lr·λ) − lr·ĝ/(|ĝ| + ε)', () => {
      // Adam's first step: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) per coordinate.
      const x0 = [1, -1];
      const sharp = sharpGradient(x0, 0.05, false);
      const expected = x0.map((xi, i) => xi * (1 - 0.02 * 0.01) - (0.02 * sharp[i]) / (Math.abs(sharp[i]) + 1e-8));
      const trace = runSecondOrder(optimizerFactory('sam-adamw').create({}), f, x0, 0.02, 1);
      expectClose(trace.xs[0], expected, 1e-6);
    });

    it('wraps a user rule: the combinator on a hand-written sign-descent rule', () => {
      const signDescent: OptimizerRule<Record<string, never>, { lr: number }> = {
        defaults: { lr: 0.01 },
        init: () => ({}),
        update: (grad, state, param, hp) => ({ param: param.sub(tf.sign(grad).mul(hp.lr)), state }),
      };
      const factory = ruleFactory('sam-sign', sharpnessAware(signDescent, 'signDescent') as unknown as OptimizerRule);
      assert.equal(factory.family, 'sharpness-aware');
      assert.deepEqual(factory.hyperparams.map((h) => h.name), ['rho', 'adaptive']);
      const x0 = [1, -1];
      const sharp = sharpGradient(x0, 0.05, false);
      const trace = runSecondOrder(factory.create({}), f, x0, 0.1, 1);
      expectClose(trace.xs[0], x0.map((xi, i) => xi - 0.1 * Math.sign(sharp[i])), 1e-6);
    });

    it('leaves no tensors behind, for every option set', () => {
      const sets: [string, Record<string, number | boolean>][] = [
        ['sam', {}],
        ['sam', { adaptive: true, rho: 0.5, nesterov: true, weight_decay: 0.1 }],
        ['sam', { momentum: 0 }],
        ['sam-adamw', {}],
        ['sam-adamw', { adaptive: true, amsgrad: true }],
      ];
      for (const [id, hp] of sets) {
        const before = tf.memory().numTensors;
        const optimizer = optimizerFactory(id).create(hp);
        runSecondOrder(optimizer, f, [1, -1], 0.01, 4);
        assert.equal(tf.memory().numTensors, before, `${id} ${JSON.stringify(hp)}`);
      }
    });

    it('through the loop: every step costs two gradient evaluations, counted in the records', async () => {
      const reference = loadReferenceFile('sam');
      const records = await runReferenceCase(reference.fixtures[0], { ...reference.fixtures[0].cases[0] }, 7);
      // Record k is measured before update k: the first evaluation, then two per update already done.
      assert.deepEqual(records.map((r) => r.evals), [1, 3, 5, 7, 9, 11, 13]);
    });
  });

  it('runs on tensors (model scope), with hyperparameters base + rho/adaptive and clear errors', () => {
    const factory = optimizerFactory('sam');
    assert.equal(factory.defaultLr, 0.1);
    assert.deepEqual(factory.hyperparams.map((h) => [h.name, h.default]), [
      ['momentum', 0.9], ['dampening', 0], ['weight_decay', 0], ['nesterov', false], ['rho', 0.05], ['adaptive', false],
    ]);
    assert.equal(factory.family, 'sharpness-aware');
    assert.match(factory.reference, /arXiv:2010\.01412/);
    const optimizer = factory.create({});
    assert.equal(optimizer.arrays, undefined);
    assert.match(optimizer.arraysUnavailable ?? '', /model scope/);
    assert.throws(() => factory.create({ rho: -1 }), /invalid rho for 'sam': must be >= 0, got -1/);
    assert.throws(() => factory.create({ nesterov: true, dampening: 0.5 }), /Nesterov/);
    const modelScope = { defaults: { lr: 1 }, scope: 'model' as const, init: () => ({}), update: (g: tf.Tensor, s: object, p: tf.Tensor) => ({ param: p, state: s }) };
    assert.throws(() => sharpnessAware(modelScope, 'mine'), /tensor-scope rules; 'mine' has model scope/);
    const withRho = { defaults: { lr: 1, rho: 2 }, init: () => ({}), update: (g: tf.Tensor, s: object, p: tf.Tensor) => ({ param: p, state: s }) };
    assert.throws(() => sharpnessAware(withRho, 'mine'), /adds the hyperparameter 'rho', which 'mine' already has/);
  });

  describe('reference: the SAM transcription around torch.optim.SGD / AdamW (test/fixtures/reference/sam.py)', () => {
    const reference = loadReferenceFile('sam');
    it('covers sam and sam-adamw on the three functions for 200 steps', () => {
      assert.deepEqual(reference.fixtures.map((f) => f.function.name), ['rosenbrock', 'quadratic', 'logistic']);
      for (const fx of reference.fixtures) {
        assert.deepEqual([...new Set(fx.cases.map((c) => c.optimizer))], ['sam', 'sam-adamw']);
        for (const c of fx.cases) assert.equal(c.losses.length, 200);
      }
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
