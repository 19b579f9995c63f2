import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { HyperparameterError, type HpRecord } from '../../../../src/core/hyperparams';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { dot, matVec, quadraticObjective, runSecondOrder } from '../../helpers/runSecondOrder';
import { expectClose } from '../../helpers/stepOptimizer';

// SPD A with eigenvalues spread over two decades; minimiser x* = A⁻¹b = (1, −2, 0.5).
const A = [
  [10, 2, 1],
  [2, 5, 0.5],
  [1, 0.5, 0.2],
];
const xStar = [1, -2, 0.5];
const b = matVec(A, xStar);
const quadratic = quadraticObjective(A, b);
const saddle = (x: tf.Tensor1D): tf.Scalar =>
  tf.tidy(() => tf.sub(tf.square(x.slice(0, 1)), tf.square(x.slice(1, 1))).sum() as tf.Scalar);

describe('newton', () => {
  it('validates its hyperparameters', () => {
    assert.throws(() => createOptimizer('newton', { damping: -1 }), HyperparameterError);
    assert.throws(() => createOptimizer('newton', { exact_threshold: 1.5 }), /exact_threshold/);
    assert.throws(() => createOptimizer('newton', { cg_max_iter: 0 }), /cg_max_iter/);
    assert.throws(() => createOptimizer('newton', { cg_tol: 0 }), /cg_tol/);
    assert.throws(() => createOptimizer('newton', { momentum: 0.9 }), /unknown hyperparameter/);
  });

  forEachBackend(() => {
    for (const [label, hp] of [['exact Hessian', {}], ['Newton-CG', { exact_threshold: 0 }]] as const) {
      it(`${label}: converges in one step on a quadratic with lr = 1`, () => {
        const { xs, infos, extraEvals } = runSecondOrder(createOptimizer('newton', hp), quadratic, [3, 1, -4], 1, 1);
        expectClose(xs[0], xStar, 1e-3);
        assert.equal(infos[0].notPositiveDefinite, false);
        assert.equal(infos[0].exact, label === 'exact Hessian');
        // n HVPs for the Hessian; CG needs at most n (+ round-off) iterations.
        if (label === 'exact Hessian') assert.equal(extraEvals[0], 3);
        else assert.ok(extraEvals[0] >= 1 && extraEvals[0] <= 6, `HVPs ${extraEvals[0]}`);
      });

      it(`${label}: damped step x − lr·(H + λI)⁻¹g`, () => {
        // A = diag(4, 1), b = 0, x0 = (1, 1): g = (4, 1); λ = 1: p = (4/5, 1/2); lr = 0.5.
        const f = quadraticObjective([[4, 0], [0, 1]], [0, 0]);
        const { xs, infos } = runSecondOrder(createOptimizer('newton', { ...hp, damping: 1 }), f, [1, 1], 0.5, 1);
        expectClose(xs[0], [1 - 0.4, 1 - 0.25], 1e-4);
        assert.equal(infos[0].dampingUsed, 1);
      });

      it(`${label}: on the saddle x² − y² reports non-positive-definiteness and still takes a finite descent step`, () => {
        const x0 = [1, 2];
        const g0 = [2, -4];
        const { xs, infos } = runSecondOrder(createOptimizer('newton', hp), saddle, x0, 1, 1);
        const step = xs[0].map((v, i) => v - x0[i]);
        assert.equal(infos[0].notPositiveDefinite, true);
        assert.ok(xs[0].every(Number.isFinite));
        assert.ok(dot(g0, step) < 0, `gᵀΔx = ${dot(g0, step)}`);
        const f = (x: number[]) => x[0] ** 2 - x[1] ** 2;
        assert.ok(f(xs[0]) < f(x0));
        if (label === 'exact Hessian') assert.ok((infos[0].dampingUsed as number) > 2, `λ = ${infos[0].dampingUsed}`);
      });

      for (const scale of [1e-30, 1e30]) {
        it(`${label}: stays finite with gradients of size ${scale}`, () => {
          const f = (x: tf.Tensor1D): tf.Scalar => tf.tidy(() => tf.mul(tf.sum(tf.square(x)), 0.5 * scale) as tf.Scalar);
          const { xs } = runSecondOrder(createOptimizer('newton', hp), f, [1, -2], 1, 3);
          assert.ok(xs.flat().every(Number.isFinite), JSON.stringify(xs));
        });
      }
    }

    it('uses the exact path up to exact_threshold parameters and CG above it', () => {
      const { infos } = runSecondOrder(createOptimizer('newton', { exact_threshold: 2 }), quadratic, [0, 0, 0], 1, 1);
      assert.equal(infos[0].exact, false);
      assert.equal(typeof infos[0].cgIterations, 'number');
    });

    it('leaves no tensor behind over many steps', () => {
      for (const hp of [{}, { exact_threshold: 0 }] as HpRecord[]) {
        const before = tf.memory().numTensors;
        runSecondOrder(createOptimizer('newton', { ...hp, damping: 0.1 }), quadratic, [3, 1, -4], 0.5, 100);
        assert.equal(tf.memory().numTensors, before);
      }
    });
  });
});
