import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { HyperparameterError } from '../../../../src/core/hyperparams';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { forEachBackend } from '../../helpers/backends';
import { dot, matVec, quadraticObjective, rosenbrockObjective, runSecondOrder } from '../../helpers/runSecondOrder';

const A = [
  [10, 2],
  [2, 1],
];
const quadratic = quadraticObjective(A, [0, 0]);
const fq = (x: number[]): number => 0.5 * dot(x, matVec(A, x));

describe('gd-armijo', () => {
  it('validates its hyperparameters', () => {
    assert.throws(() => createOptimizer('gd-armijo', { beta: 1 }), HyperparameterError);
    assert.throws(() => createOptimizer('gd-armijo', { beta: 0 }), /beta/);
    assert.throws(() => createOptimizer('gd-armijo', { c: 1.5 }), /\bc\b/);
    assert.throws(() => createOptimizer('gd-armijo', { max_backtracks: -1 }), /max_backtracks/);
    assert.deepEqual(createOptimizer('gd-armijo').hp, { beta: 0.5, c: 1e-4, max_backtracks: 50 });
  });

  forEachBackend(() => {
    it('accepts the first step of t = lr·βᵏ that meets the Armijo condition (and not the one before)', () => {
      const x0 = [1, 1];
      const g = matVec(A, x0);
      const gg = dot(g, g);
      const opt = createOptimizer('gd-armijo', { c: 0.3 });
      const { xs, infos, extraEvals } = runSecondOrder(opt, quadratic, x0, 4, 1);
      const trials = infos[0].trials as number[];
      const t = infos[0].t as number;
      assert.deepEqual(trials, trials.map((_, k) => 4 * 0.5 ** k));
      assert.equal(t, trials[trials.length - 1]);
      assert.equal(extraEvals[0], trials.length);
      assert.ok(trials.length > 1, 'lr 4 must overshoot here');
      const at = (s: number) => x0.map((v, i) => v - s * g[i]);
      assert.ok(fq(at(t)) <= fq(x0) - 0.3 * t * gg, 'accepted step meets the condition');
      assert.ok(!(fq(at(t / 0.5)) <= fq(x0) - 0.3 * (t / 0.5) * gg), 'the previous trial did not');
      xs[0].forEach((v, i) => assert.ok(Math.abs(v - at(t)[i]) < 1e-5));
    });

    it('decreases the loss monotonically on Rosenbrock', () => {
      const { xs } = runSecondOrder(createOptimizer('gd-armijo'), rosenbrockObjective, [-1.2, 1], 1, 50);
      const f = (x: number[]) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
      let prev = f([-1.2, 1]);
      for (const x of xs) {
        assert.ok(f(x) <= prev + 1e-6 * prev, `${f(x)} > ${prev}`);
        prev = f(x);
      }
      assert.ok(prev < 4);
    });

    it('stays put when max_backtracks runs out', () => {
      const { xs, infos } = runSecondOrder(createOptimizer('gd-armijo', { max_backtracks: 1 }), quadratic, [1, 1], 1e3, 1);
      assert.deepEqual(xs[0], [1, 1]);
      assert.equal(infos[0].accepted, false);
      assert.equal(infos[0].t, 0);
    });

    for (const scale of [1e-30, 1e30]) {
      it(`stays finite with gradients of size ${scale}`, () => {
        const f = (x: tf.Tensor1D): tf.Scalar => tf.tidy(() => tf.mul(tf.sum(tf.square(x)), 0.5 * scale) as tf.Scalar);
        const { xs } = runSecondOrder(createOptimizer('gd-armijo'), f, [1, -2], 1, 3);
        assert.ok(xs.flat().every(Number.isFinite), JSON.stringify(xs));
      });
    }

    it('leaves no tensor behind over many steps', () => {
      const before = tf.memory().numTensors;
      runSecondOrder(createOptimizer('gd-armijo'), rosenbrockObjective, [-1.2, 1], 1, 300);
      assert.equal(tf.memory().numTensors, before);
    });
  });
});
