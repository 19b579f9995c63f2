import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { HyperparameterError } from '../../../../src/core/hyperparams';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { dot, matVec, quadraticObjective, rosenbrockObjective, runSecondOrder } from '../../helpers/runSecondOrder';

const A = [
  [10, 2, 0],
  [2, 3, 1],
  [0, 1, 1],
];
const b = [1, -1, 2];
const quadratic = quadraticObjective(A, b);

describe('gd-exact', () => {
  it('validates its hyperparameters', () => {
    assert.throws(() => createOptimizer('gd-exact', { tol: 0 }), HyperparameterError);
    assert.throws(() => createOptimizer('gd-exact', { max_evals: 1 }), /max_evals/);
    assert.throws(() => createOptimizer('gd-exact', { beta: 0.5 }), /unknown hyperparameter/);
  });

  forEachBackend(() => {
    const x0 = [1, 2, -1];
    const g = matVec(A, x0).map((v, i) => v - b[i]);
    const alphaStar = dot(g, g) / dot(g, matVec(A, g));
    // lr below α* exercises expansion, lr above it exercises shrinking.
    for (const lr of [alphaStar / 50, alphaStar * 30]) {
      it(`finds α = gᵀg/gᵀHg on a quadratic (first trial lr = ${lr.toPrecision(3)})`, () => {
        const { xs, infos, extraEvals } = runSecondOrder(createOptimizer('gd-exact', { tol: 1e-6 }), quadratic, x0, lr, 1);
        const alpha = infos[0].alpha as number;
        const trials = infos[0].trials as number[];
        // float32 losses resolve the minimiser of a parabola to about sqrt(ε) ≈ 3e-4 relative.
        assert.ok(Math.abs(alpha - alphaStar) <= 1e-3 * alphaStar, `α = ${alpha}, α* = ${alphaStar}`);
        assert.equal(trials[0], lr);
        assert.ok(trials.includes(alpha));
        assert.equal(extraEvals[0], trials.length);
        xs[0].forEach((v, i) => assert.ok(Math.abs(v - (x0[i] - alpha * g[i])) < 1e-4));
      });
    }

    it('never increases the loss and makes progress on Rosenbrock', () => {
      const { xs } = runSecondOrder(createOptimizer('gd-exact'), rosenbrockObjective, [-1.2, 1], 1e-3, 30);
      const f = (x: number[]) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
      let prev = f([-1.2, 1]);
      for (const x of xs) {
        assert.ok(f(x) <= prev * (1 + 1e-6));
        prev = f(x);
      }
      // Exact steepest descent zigzags down Rosenbrock's valley: slow, but it must get well below f0 = 24.2.
      assert.ok(prev < 24.2 / 5, `f after 30 exact steps: ${prev}`);
    });

    it('respects max_evals', () => {
      const { infos, extraEvals } = runSecondOrder(createOptimizer('gd-exact', { max_evals: 4, tol: 1e-9 }), quadratic, x0, 1e-4, 1);
      assert.ok(extraEvals[0] <= 4);
      assert.equal((infos[0].trials as number[]).length, extraEvals[0]);
    });

    for (const scale of [1e-30, 1e30]) {
      it(`stays finite with gradients of size ${scale}`, () => {
        const f = (x: tf.Tensor1D): tf.Scalar => tf.tidy(() => tf.mul(tf.sum(tf.square(x)), 0.5 * scale) as tf.Scalar);
        const { xs } = runSecondOrder(createOptimizer('gd-exact'), f, [1, -2], 1, 3);
        assert.ok(xs.flat().every(Number.isFinite), JSON.stringify(xs));
      });
    }

    it('leaves no tensor behind over many steps', () => {
      const before = tf.memory().numTensors;
      runSecondOrder(createOptimizer('gd-exact'), rosenbrockObjective, [-1.2, 1], 1e-3, 100);
      assert.equal(tf.memory().numTensors, before);
    });
  });
});
