import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileHessian } from '../../../../src/core/compiled/compileHessianOperator';
import { estimateCurvature } from '../../../../src/core/curvature/estimateCurvature';
import { onArrays, type ArrayOperator, type LinearOperator } from '../../../../src/core/curvature/hvp';
import { lanczos } from '../../../../src/core/curvature/lanczos';
import type { LanczosOptions, LanczosResult } from '../../../../src/core/curvature/lanczosTridiagonal';
import { randomUnitVector } from '../../../../src/core/curvature/randomUnitVector';
import { symmetricEigen } from '../../../../src/core/curvature/symmetricEigen';
import { forEachBackend } from '../../helpers/backends';
import { geometric, quadratic, separatedLowEnd } from './quadratics';

/** A symmetric matrix as both kinds of operator, with its exact eigenvalues (ascending). */
interface TestMatrix {
  arrays: ArrayOperator;
  tensor: LinearOperator;
  eigenvalues: number[];
  n: number;
}

function diagonal(d: number[]): TestMatrix {
  return {
    n: d.length,
    arrays: (v, out) => d.forEach((di, i) => (out[i] = di * v[i])),
    tensor: (v) => tf.tidy(() => tf.mul(tf.tensor1d(d), v)),
    eigenvalues: [...d].sort((a, b) => a - b),
  };
}

/** (B + Bᵀ)/2 with B's entries uniform in [−1, 1) from a seeded generator (float32 entries, so both operators hold the same matrix). */
function randomSymmetric(n: number, seed: number): TestMatrix {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 30) - 1;
  const b = Array.from({ length: n }, () => Array.from({ length: n }, next));
  const rows = b.map((row, i) => row.map((bij, j) => Math.fround((bij + b[j][i]) / 2)));
  return {
    n,
    arrays: (v, out) => rows.forEach((row, i) => (out[i] = row.reduce((acc, aij, j) => acc + aij * v[j], 0))),
    tensor: (v) => tf.tidy(() => tf.reshape(tf.matMul(tf.tensor2d(rows), tf.reshape(v, [-1, 1])), [-1]) as tf.Tensor1D),
    eigenvalues: symmetricEigen(rows).values,
  };
}

const distanceToSpectrum = (theta: number, eigenvalues: number[]) => Math.min(...eigenvalues.map((l) => Math.abs(l - theta)));
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** The same matrix through both kinds of operator: plain arrays, and TensorFlow.js's wrapped by onArrays. */
function both(m: TestMatrix, options: LanczosOptions = {}): { arrays: LanczosResult; tensor: LanczosResult } {
  return { arrays: lanczos(m.arrays, m.n, options), tensor: lanczos(onArrays(m.tensor), m.n, options) };
}

describe('lanczos: spectra against exact eigenvalues', () => {
  forEachBackend(() => {
    const cases: [string, () => TestMatrix][] = [
      ['diagonal, geometric 1…1e3, n = 400', () => diagonal(geometric(400, 1e3))],
      ['diagonal, separated low end, n = 1000', () => diagonal(separatedLowEnd(1000, 1e4))],
      ['random symmetric, n = 150', () => randomSymmetric(150, 7)],
      ['random symmetric, n = 40 (exhausted at n)', () => randomSymmetric(40, 3)],
    ];

    for (const [label, make] of cases) {
      it(`finds the ends of the exact spectrum within their measured residuals, through either operator (${label})`, () => {
        const m = make();
        const { arrays, tensor } = both(m);
        const scale = Math.max(...m.eigenvalues.map(Math.abs));
        const [lowest, highest] = [m.eigenvalues[0], m.eigenvalues[m.n - 1]];
        // λmax: its extreme eigenvalue to within its residual (and float32 rounding, ~1e-6·‖H‖), converged or not
        // (the top end converges first on these spectra); λmin: within its residual of some eigenvalue, of the
        // lowest once the iteration says it converged.
        assert.ok(Math.abs(arrays.lambdaMax - highest) <= arrays.residualMax + 2e-6 * scale, `λmax ${arrays.lambdaMax} ± ${arrays.residualMax} vs ${highest}`);
        assert.ok(distanceToSpectrum(arrays.lambdaMin, m.eigenvalues) <= arrays.residualMin + 2e-6 * scale, `λmin ${arrays.lambdaMin} ± ${arrays.residualMin}`);
        if (arrays.converged) {
          assert.ok(Math.abs(arrays.lambdaMin - lowest) <= arrays.residualMin + 2e-6 * scale, `λmin ${arrays.lambdaMin} ± ${arrays.residualMin} vs ${lowest}`);
          assert.ok(arrays.residualMax <= 1e-4 * scale + 2e-6 * scale && arrays.residualMin <= 1e-4 * scale + 2e-6 * scale);
        } else assert.equal(arrays.iterations, 80);
        assert.equal(arrays.ritzValues.length, arrays.iterations);
        // The tensor operator holds the same float32 matrix: the same iteration, up to the products' summation order.
        assert.equal(tensor.iterations, arrays.iterations);
        assert.ok(Math.abs(tensor.lambdaMax - arrays.lambdaMax) <= 1e-5 * scale && Math.abs(tensor.lambdaMin - arrays.lambdaMin) <= 1e-5 * scale);
      });
    }

    it('starts from randomUnitVector(n, seed): one iteration gives its Rayleigh quotient', () => {
      const d = geometric(50, 10);
      for (const seed of [0, 5]) {
        const v = randomUnitVector(50, seed);
        const expected = (v.dataSync() as Float32Array).reduce((acc, vi, i) => acc + d[i] * vi * vi, 0);
        v.dispose();
        const r = lanczos(diagonal(d).arrays, 50, { maxIterations: 1, seed });
        assert.equal(r.iterations, 1);
        assert.ok(relative(r.lambdaMax, expected) < 1e-6 && r.lambdaMin === r.lambdaMax, `${r.lambdaMax} vs ${expected}`);
      }
    });

    it('stops with exact eigenvalues once the Krylov space is exhausted (5 distinct eigenvalues, n = 300)', () => {
      const levels = [-3, 0.5, 2, 7, 11];
      const r = lanczos(diagonal(Array.from({ length: 300 }, (_, i) => levels[i % 5])).arrays, 300);
      assert.equal(r.iterations, 5);
      assert.ok(r.converged);
      assert.ok(Math.abs(r.lambdaMin + 3) < 1e-5 && Math.abs(r.lambdaMax - 11) < 1e-5, `[${r.lambdaMin}, ${r.lambdaMax}]`);
      assert.ok(r.residualMax < 1e-4 && r.residualMin < 1e-4);
      r.ritzValues.forEach((theta, i) => assert.ok(Math.abs(theta - levels[i]) < 1e-4, `${theta} vs ${levels[i]}`));
    });

    it('stops at tol: a looser tol stops sooner, and the measured residuals meet it', () => {
      const m = diagonal(separatedLowEnd(600, 100));
      const loose = lanczos(m.arrays, m.n, { tol: 1e-2 });
      const tight = lanczos(m.arrays, m.n, { tol: 1e-5 });
      assert.ok(loose.converged && tight.converged);
      assert.ok(loose.iterations < tight.iterations, `${loose.iterations} vs ${tight.iterations} iterations`);
      for (const [r, tol] of [[loose, 1e-2], [tight, 1e-5]] as const) {
        const scale = Math.max(Math.abs(r.lambdaMax), Math.abs(r.lambdaMin));
        // Measured after the stop, so up to float32 rounding (~1e-6·‖H‖) above the estimate that stopped it.
        assert.ok(r.residualMax <= tol * scale + 1e-5 * scale && r.residualMin <= tol * scale + 1e-5 * scale, `tol ${tol}: ${r.residualMax}, ${r.residualMin}`);
      }
      // A cap below convergence: not converged, and it says so.
      const capped = lanczos(m.arrays, m.n, { tol: 1e-8, maxIterations: 6 });
      assert.ok(!capped.converged && capped.iterations === 6);
    });

    it('reports honest residuals: an exact eigenvalue lies within each residual of its end', () => {
      const matrices = [randomSymmetric(120, 11), diagonal(geometric(500, 1e4)), diagonal(geometric(300, 1e2).map((l, i) => (i % 3 === 0 ? -l : l)))];
      for (const m of matrices) {
        const scale = Math.max(...m.eigenvalues.map(Math.abs));
        for (const maxIterations of [3, 10, 40]) {
          const r = lanczos(m.arrays, m.n, { maxIterations, tol: 0 });
          for (const [theta, residual] of [[r.lambdaMax, r.residualMax], [r.lambdaMin, r.residualMin]]) {
            assert.ok(distanceToSpectrum(theta, m.eigenvalues) <= residual * (1 + 1e-4) + 1e-6 * scale, `${maxIterations} it.: θ ${theta} ± ${residual}, nearest eigenvalue ${distanceToSpectrum(theta, m.eigenvalues)} away`);
          }
          // Ritz values interlace: never outside the spectrum (up to rounding).
          assert.ok(r.lambdaMax <= m.eigenvalues[m.n - 1] + 1e-6 * scale && r.lambdaMin >= m.eigenvalues[0] - 1e-6 * scale);
        }
      }
    });

    it('is reproducible and leaves no tensors behind', () => {
      const m = randomSymmetric(80, 5);
      const before = tf.memory().numTensors;
      const a = lanczos(m.arrays, m.n, { seed: 3 });
      const b = lanczos(m.arrays, m.n, { seed: 3 });
      assert.equal(tf.memory().numTensors, before);
      assert.deepEqual(b, a);
      assert.notEqual(lanczos(m.arrays, m.n, { seed: 4, maxIterations: 3 }).lambdaMax, lanczos(m.arrays, m.n, { seed: 3, maxIterations: 3 }).lambdaMax);
    });

    it('estimateCurvature runs it with a compiled Hessian and agrees with TensorFlow.js\'s product', async () => {
      const d = geometric(300, 100).map((l, i) => (i < 2 ? -l : l));
      const f = quadratic(d, true);
      const x = tf.zeros([300]) as tf.Tensor1D;
      const compiled = compileHessian(f, x);
      const ctx = { gradNorm: 0, lr: 0.01, step: 3 };
      const before = tf.memory().numTensors;
      let arrayCalls = 0;
      const counted = (point: Float32Array): ArrayOperator => {
        const product = compiled.arraysAt(point);
        return (v, out) => {
          arrayCalls++;
          product(v, out);
        };
      };
      const viaArrays = await estimateCurvature(f, x, ctx, { hessianAt: compiled.at, hessianArraysAt: counted });
      const viaTensors = await estimateCurvature(f, x, ctx);
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
      assert.equal(viaArrays.method, 'lanczos');
      assert.equal(arrayCalls, (viaArrays.iterations ?? NaN) + 2);
      assert.equal(viaArrays.iterations, viaTensors.iterations);
      assert.ok(relative(viaArrays.lambdaMax, viaTensors.lambdaMax) < 1e-5, `λmax ${viaArrays.lambdaMax} vs ${viaTensors.lambdaMax}`);
      assert.ok(relative(viaArrays.lambdaMin, viaTensors.lambdaMin) < 1e-4, `λmin ${viaArrays.lambdaMin} vs ${viaTensors.lambdaMin}`);
      assert.ok(Math.abs(viaArrays.lambdaMax - 100) < 0.1 && viaArrays.lambdaMin < -0.99, `[${viaArrays.lambdaMin}, ${viaArrays.lambdaMax}]`);
      assert.equal(viaArrays.classification, 'saddle');
      assert.equal(viaArrays.classification, viaTensors.classification);
      assert.equal(viaArrays.negativeCount, viaTensors.negativeCount);
    });
  });
});
