import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { estimateCurvature } from '../../../../src/core/curvature/estimateCurvature';
import { exactSpectrum } from '../../../../src/core/curvature/exactSpectrum';
import { hessianOperator } from '../../../../src/core/curvature/hvp';
import type { FlatObjective } from '../../../../src/core/curvature/hvp';
import { hvpSelfCheck } from '../../../../src/core/curvature/hvpSelfCheck';
import { curvatureSampleSchema } from '../../../../src/protocol/runner';
import { forEachBackend } from '../../helpers/backends';
import { geometric, quadratic } from './quadratics';

const rosenbrock: FlatObjective = (p) => {
  const [x, y] = tf.unstack(p);
  return tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))) as tf.Scalar;
};

async function at<T>(values: number[], fn: (x: tf.Tensor1D) => Promise<T>): Promise<T> {
  const x = tf.tensor1d(values);
  try {
    return await fn(x);
  } finally {
    x.dispose();
  }
}

const critical = { gradNorm: 0, lr: 0.01, step: 7 };

function assertClose(actual: number[][], expected: number[][], rtol: number): void {
  actual.forEach((row, i) => row.forEach((a, j) => {
    const e = expected[i][j];
    assert.ok(Math.abs(a - e) <= rtol * Math.abs(e), `H[${i}][${j}] = ${a}, expected ${e}`);
  }));
}

describe('estimateCurvature', () => {
  forEachBackend(() => {
    it('exact Hessian of Rosenbrock at (−1.2, 1) and (1, 1) matches the analytic one', async () => {
      const h1 = await at([-1.2, 1], (x) => exactSpectrum(hessianOperator(rosenbrock, x), 2));
      assertClose(h1.hessian, [[1330, 480], [480, 200]], 1e-5);
      const h2 = await at([1, 1], (x) => exactSpectrum(hessianOperator(rosenbrock, x), 2));
      assertClose(h2.hessian, [[802, -400], [-400, 200]], 1e-5);
    });

    it('the minimum of Rosenbrock is a minimum with κ ≈ 2508 and the lr diagnostics of λmax', async () => {
      const s = await at([1, 1], (x) => estimateCurvature(rosenbrock, x, critical));
      // eigenvalues of [[802, −400], [−400, 200]]: 501 ± √(301² + 400²)
      const root = Math.hypot(301, 400);
      assert.equal(s.method, 'exact');
      assert.equal(s.classification, 'minimum');
      assert.equal(s.negativeCount, 0);
      assert.ok(Math.abs(s.lambdaMax - (501 + root)) < 1e-3 * (501 + root));
      assert.ok(Math.abs(s.lambdaMin - (501 - root)) < 1e-2 * (501 - root));
      assert.ok(s.condition !== null && Math.abs(s.condition / ((501 + root) / (501 - root)) - 1) < 1e-2);
      assert.ok(Math.abs((s.stabilityEdge ?? 0) - 2 / s.lambdaMax) < 1e-12);
      assert.ok(Math.abs((s.suggestedLr ?? 0) - 1 / s.lambdaMax) < 1e-12);
      assert.ok(Math.abs((s.edgeRatio ?? 0) - (0.01 * s.lambdaMax) / 2) < 1e-9);
      assert.equal(s.step, 7);
      curvatureSampleSchema.parse(s);
    });

    it('x² − y² at the origin is a saddle with one negative eigenvalue and no κ', async () => {
      const saddle: FlatObjective = (p) => tf.sub(tf.square(p.slice(0, 1)), tf.square(p.slice(1, 1))).sum() as tf.Scalar;
      const s = await at([0, 0], (x) => estimateCurvature(saddle, x, critical));
      assert.equal(s.classification, 'saddle');
      assert.equal(s.negativeCount, 1);
      assert.equal(s.condition, null);
      assert.ok(Math.abs(s.lambdaMin + 2) < 1e-5 && Math.abs(s.lambdaMax - 2) < 1e-5);
    });

    it('classifies maxima, degenerate points, points that are not critical, and saddles found by Lanczos', async () => {
      const bowlDown: FlatObjective = (p) => tf.neg(tf.sum(tf.square(p))) as tf.Scalar;
      assert.equal((await at([0, 0, 0], (x) => estimateCurvature(bowlDown, x, critical))).classification, 'maximum');
      const flat: FlatObjective = (p) => tf.add(tf.pow(p.slice(0, 1), 4).sum(), tf.square(p.slice(1, 1)).sum()) as tf.Scalar;
      assert.equal((await at([0, 0], (x) => estimateCurvature(flat, x, critical))).classification, 'degenerate');
      const sloped = await at([1, 1], (x) => estimateCurvature(rosenbrock, x, { ...critical, gradNorm: 3 }));
      assert.equal(sloped.classification, 'not-critical');
      const d = geometric(300, 100).map((l, i) => (i < 3 ? -l : l));
      const big = await at(Array(300).fill(0), (x) => estimateCurvature(quadratic(d, true), x, critical));
      assert.equal(big.method, 'lanczos');
      assert.equal(big.classification, 'saddle');
      // The negative end is the cluster −1, −1.016, −1.031: λmin lands in it (Ritz values never undershoot).
      assert.ok(big.lambdaMin < -0.99 && big.lambdaMin > d[2] * (1 + 1e-4) - 1e-3, `λmin ${big.lambdaMin}`);
      assert.ok(Math.abs(big.lambdaMax - 100) < 0.1, `λmax ${big.lambdaMax}`);
      curvatureSampleSchema.parse(big);
    });

    it('negated: reports the spectrum and type of the maximised g while κ and the lr edge stay those of −g', async () => {
      // g = −(x² + 4y²) has a maximum at 0 with H_g = diag(−2, −8); the optimizer minimises −g (H = diag(2, 8)).
      const minusG: FlatObjective = (p) => tf.sum(tf.mul(tf.tensor1d([1, 4]), tf.square(p))) as tf.Scalar;
      const s = await at([0, 0], (x) => estimateCurvature(minusG, x, { ...critical, lr: 0.1 }, { negated: true }));
      assert.equal(s.classification, 'maximum');
      assert.ok(Math.abs(s.lambdaMax + 2) < 1e-5 && Math.abs(s.lambdaMin + 8) < 1e-5, `[${s.lambdaMin}, ${s.lambdaMax}]`);
      assert.deepEqual(s.eigenvalues?.map((l) => Number(l.toFixed(4))), [-8, -2]);
      assert.equal(s.negativeCount, 2);
      assert.ok(s.condition !== null && Math.abs(s.condition - 4) < 1e-4);
      assert.ok(Math.abs((s.stabilityEdge ?? 0) - 2 / 8) < 1e-6);
      assert.ok(Math.abs((s.edgeRatio ?? 0) - (0.1 * 8) / 2) < 1e-6);
      // Lanczos (n = 300): λmax(g) = −λmin(−g), λmin(g) = −λmax(−g), residuals follow their ends.
      const bowl = quadratic(geometric(300, 100), true);
      const plain = await at(Array(300).fill(0), (x) => estimateCurvature(bowl, x, critical));
      const flipped = await at(Array(300).fill(0), (x) => estimateCurvature(bowl, x, critical, { negated: true }));
      assert.equal(flipped.method, 'lanczos');
      assert.equal(flipped.lambdaMax, -plain.lambdaMin);
      assert.equal(flipped.lambdaMin, -plain.lambdaMax);
      assert.equal(flipped.residualMax, plain.residualMin);
      assert.equal(flipped.residualMin, plain.residualMax);
      assert.equal(flipped.classification, 'maximum');
      assert.equal(plain.classification, 'minimum');
      assert.ok((flipped.negativeCount ?? 0) >= 1 && plain.negativeCount === 0);
      assert.equal(flipped.condition, plain.condition);
      assert.equal(flipped.stabilityEdge, plain.stabilityEdge);
      curvatureSampleSchema.parse(flipped);
    });

    it('power iteration estimates λmax alone and leaves λmin unbounded by its residual', async () => {
      const d = [...geometric(99, 10), 40];
      const s = await at(Array(100).fill(0.5), (x) => estimateCurvature(quadratic(d, true), x, critical, { method: 'power' }));
      assert.equal(s.method, 'power');
      assert.ok(Math.abs(s.lambdaMax - 40) < 4e-3 * 40, `λ ${s.lambdaMax}`);
      assert.ok(s.residualMin >= s.lambdaMax && s.condition === null && s.classification === undefined);
    });

    it('self-check passes on a correct objective and reports a wrong second derivative', async () => {
      const good: FlatObjective = (p) => tf.sum(tf.square(tf.tanh(tf.mul(p, tf.tensor1d([3, -2, 1]))))) as tf.Scalar;
      const ok = await at([0.3, -0.5, 0.8], (x) => hvpSelfCheck(good, x));
      assert.ok(ok.ok && ok.relativeError < 1e-3, `relative error ${ok.relativeError}`);
      // A customGrad whose gradient disagrees with its forward pass: the HVP differentiates the
      // forward (2x), the optimizer sees the custom gradient (4x); the check must notice.
      const wrong: FlatObjective = (p) =>
        tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
          const y = args[0] as tf.Tensor;
          return { value: tf.sum(tf.square(y)), gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.mul(4, y)) };
        })(p) as tf.Scalar;
      const s = await at([0.3, -0.5, 0.8], (x) => estimateCurvature(wrong, x, critical, { selfCheck: true }));
      assert.match(s.hvpMismatch ?? '', /HVP self-check failed/);
      const fine = await at([0.3, -0.5, 0.8], (x) => estimateCurvature(good, x, critical, { selfCheck: true }));
      assert.equal(fine.hvpMismatch, undefined);
    });

    it('leaves tf.memory().numTensors unchanged across repeated estimates', async () => {
      const f = quadratic(geometric(200, 1e3), true);
      const x = tf.randomUniform([200], -1, 1, 'float32', 5) as tf.Tensor1D;
      const small = tf.tensor1d([-1.2, 1]);
      await estimateCurvature(f, x, critical, { selfCheck: true });
      const before = tf.memory().numTensors;
      for (let k = 0; k < 3; k++) {
        await estimateCurvature(f, x, critical, { selfCheck: true });
        await estimateCurvature(f, x, critical, { method: 'power' });
        await estimateCurvature(rosenbrock, small, critical);
      }
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
      small.dispose();
    });
  });
});
