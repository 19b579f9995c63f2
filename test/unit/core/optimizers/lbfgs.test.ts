import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { HyperparameterError, type HpRecord } from '../../../../src/core/hyperparams';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import type { LbfgsArraysState } from '../../../../src/core/arrays/lbfgsArrays';
import { evaluatorOf } from '../../../../src/core/evaluate';
import { forEachBackend } from '../../helpers/backends';
import { rosenbrockObjective, runSecondOrder, stepAt } from '../../helpers/runSecondOrder';
import { expectClose } from '../../helpers/stepOptimizer';

const halfSquare = (x: tf.Tensor1D): tf.Scalar => tf.tidy(() => tf.mul(0.5, tf.sum(tf.square(x))) as tf.Scalar);

describe('lbfgs', () => {
  it('validates its hyperparameters with torch names', () => {
    assert.throws(() => createOptimizer('lbfgs', { history_size: 0 }), HyperparameterError);
    assert.throws(() => createOptimizer('lbfgs', { history_size: 2.5 }), /history_size/);
    assert.throws(() => createOptimizer('lbfgs', { line_search_fn: 'backtracking' }), /line_search_fn/);
    assert.throws(() => createOptimizer('lbfgs', { tolerance_grad: -1 }), /tolerance_grad/);
    assert.throws(() => createOptimizer('lbfgs', { max_iter: 20 }), /unknown hyperparameter 'max_iter'/);
    assert.deepEqual(createOptimizer('lbfgs').hp, {
      history_size: 100,
      line_search_fn: 'none',
      tolerance_grad: 1e-7,
      tolerance_change: 1e-9,
    });
  });

  forEachBackend(() => {
    it('first step is −g scaled by min(1, 1/|g|₁)·lr, then the two-loop step', () => {
      // f = ½|x|², g = x = (2, −4): |g|₁ = 6, t = lr/6.
      const { xs } = runSecondOrder(createOptimizer('lbfgs'), halfSquare, [2, -4], 0.6, 2);
      expectClose(xs[0], [2 - 0.2, -4 + 0.4]);
      // Second step: s = −0.1·g0, y = Δg = s (H = I), H_diag = 1, so d = −g and t = lr = 0.6.
      expectClose(xs[1], [1.8 * 0.4, -3.6 * 0.4]);
    });

    it('returns at once, unchanged, when max|g| ≤ tolerance_grad', () => {
      const opt = createOptimizer('lbfgs', { tolerance_grad: 1e-3 });
      const x = tf.tensor1d([1e-4, -2e-4]);
      const state = opt.init(x);
      const r = stepAt(opt, halfSquare, x, 1, state);
      assert.deepEqual(Array.from(r.params.dataSync()), Array.from(x.dataSync()));
      assert.equal(r.info?.converged, true);
      assert.equal((r.state as unknown as LbfgsArraysState).nIter, 0);
      assert.equal(r.extraEvals, 0);
      opt.disposeState(r.state);
      tf.dispose([x, r.params]);
    });

    it('skips curvature pairs with yᵀs ≤ 1e-10 on a concave function and counts them', () => {
      // f = −x²: x0 = 1, g = −2, t = ½: x1 = 2; y = −2, s = 1, yᵀs = −2 (skipped); d = −g1 = 4: x2 = 6.
      const concave = (x: tf.Tensor1D): tf.Scalar => tf.tidy(() => tf.neg(tf.sum(tf.square(x))) as tf.Scalar);
      const { xs, infos } = runSecondOrder(createOptimizer('lbfgs'), concave, [1], 1, 3);
      expectClose(xs[0], [2]);
      expectClose(xs[1], [6]);
      assert.deepEqual(infos.map((i) => i.skippedPairs), [0, 1, 2]);
      assert.deepEqual(infos.map((i) => i.historyLength), [0, 0, 0]);
    });

    it('strong_wolfe: every step meets the strong Wolfe conditions on Rosenbrock and counts its evaluations', () => {
      const opt = createOptimizer('lbfgs', { line_search_fn: 'strong_wolfe' });
      const evaluate = evaluatorOf(rosenbrockObjective);
      let x = tf.tensor1d([-1.2, 1]);
      let state = opt.init(x);
      for (let k = 0; k < 12; k++) {
        const before = evaluate(x);
        const r = stepAt(opt, rosenbrockObjective, x, 1, state, k);
        const s = r.state as unknown as LbfgsArraysState;
        const d = tf.tensor1d(s.d);
        const after = evaluate(r.params);
        const [f0, gtd0, f1, gtd1] = tf.tidy(() =>
          tf.stack([before.loss, tf.dot(before.grad, d), after.loss, tf.dot(after.grad, d)]),
        ).dataSync();
        if (r.info?.converged) break;
        assert.ok(f1 <= f0 + 1e-4 * s.t * gtd0 + 1e-6 * Math.abs(f0), `step ${k}: sufficient decrease ${f1} vs ${f0}`);
        assert.ok(Math.abs(gtd1) <= 0.9 * -gtd0 + 1e-5 * Math.abs(gtd0), `step ${k}: curvature ${gtd1} vs ${gtd0}`);
        assert.equal(r.extraEvals, (r.info?.lineSearchTrials as number[]).length);
        tf.dispose([before.loss, before.grad, after.loss, after.grad, x, d]);
        x = r.params;
        state = r.state;
      }
      opt.disposeState(state);
      x.dispose();
    });

    it('reaches the Rosenbrock minimum with both line_search_fn settings', () => {
      for (const [hp, lr] of [[{}, 0.1], [{ line_search_fn: 'strong_wolfe' }, 1]] as const) {
        const { xs } = runSecondOrder(createOptimizer('lbfgs', hp), rosenbrockObjective, [-1.2, 1], lr, 200);
        // float32 Rosenbrock is flat to round-off within ~1e-3 of (1, 1) (torch stops there too: f ≈ 7e-7).
        expectClose(xs[199], [1, 1], 5e-3);
      }
    });

    it('keeps a fixed ring buffer: no tensor growth once history_size pairs are stored, none left after disposeState', () => {
      const opt = createOptimizer('lbfgs', { history_size: 3 });
      const base = tf.memory().numTensors;
      let x = tf.tensor1d([-1.2, 1, -1.2, 1]);
      let state = opt.init(x);
      let afterWarmup = 0;
      for (let k = 0; k < 1000; k++) {
        const r = stepAt(opt, rosenbrockObjective, x, 0.1, state, k);
        x.dispose();
        x = r.params;
        state = r.state;
        assert.ok((state as unknown as LbfgsArraysState).count <= 3);
        if (k === 10) afterWarmup = tf.memory().numTensors;
        if (k > 10) assert.equal(tf.memory().numTensors, afterWarmup, `step ${k}`);
      }
      opt.disposeState(state);
      x.dispose();
      assert.equal(tf.memory().numTensors, base);
    });

    for (const scale of [1e-30, 1e30]) {
      it(`stays finite with gradients of size ${scale}`, () => {
        for (const hp of [{}, { line_search_fn: 'strong_wolfe' }] as HpRecord[]) {
          const f = (x: tf.Tensor1D): tf.Scalar => tf.tidy(() => tf.mul(tf.sum(tf.square(x)), 0.5 * scale) as tf.Scalar);
          const { xs } = runSecondOrder(createOptimizer('lbfgs', hp), f, [1, -2], 1, 5);
          assert.ok(xs.flat().every(Number.isFinite), `${JSON.stringify(hp)}: ${JSON.stringify(xs)}`);
        }
      });
    }
  });
});
