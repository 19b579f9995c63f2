import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { hessianOperator, onArrays } from '../../../../src/core/curvature/hvp';
import { lanczos } from '../../../../src/core/curvature/lanczos';
import { powerIteration } from '../../../../src/core/curvature/powerIteration';
import { symmetricEigen } from '../../../../src/core/curvature/symmetricEigen';
import { forEachBackend } from '../../helpers/backends';
import { geometric, quadratic, separatedLowEnd } from './quadratics';

const relative = (estimate: number, exact: number) => Math.abs(estimate - exact) / Math.abs(exact);

async function lanczosOn(d: number[], rotated: boolean) {
  const x = tf.randomUniform([d.length], -1, 1, 'float32', 3) as tf.Tensor1D;
  try {
    return lanczos(onArrays(hessianOperator(quadratic(d, rotated), x)), d.length);
  } finally {
    x.dispose();
  }
}

describe('lanczos', () => {
  forEachBackend(() => {
    for (const n of [10, 200, 1000]) {
      for (const kappa of [10, 1e3, 1e6]) {
        for (const rotated of [false, true]) {
          const label = `n = ${n}, κ = ${kappa}, ${rotated ? 'rotated' : 'diagonal'}`;

          it(`finds λmax within 1e-3 and reports λmin honestly (${label}, geometric spectrum)`, async () => {
            const d = geometric(n, kappa);
            const r = await lanczosOn(d, rotated);
            assert.ok(relative(r.lambdaMax, kappa) < 1e-3, `λmax ${r.lambdaMax} vs ${kappa}`);
            // Honest λmin: right to 1%, or its residual is above 1% of it (float32 cannot resolve
            // λmin below ~1e-5·λmax), or the result does not claim convergence (a residual bounds
            // the distance to *some* eigenvalue; on a dense low end that may not be λmin).
            const errorMin = relative(r.lambdaMin, 1);
            assert.ok(errorMin < 1e-2 || r.residualMin > 1e-2 * Math.abs(r.lambdaMin) || !r.converged,
              `λmin ${r.lambdaMin} ± ${r.residualMin}, converged ${r.converged}`);
            // Ritz values never undershoot the spectrum (up to float32 rounding).
            assert.ok(r.lambdaMin >= 1 - 1e-5 * kappa, `λmin ${r.lambdaMin}`);
            assert.ok(r.lambdaMax <= kappa * (1 + 1e-5));
          });

          if (n > 10) {
            it(`finds a separated λmin within 1% (${label})`, async () => {
              const r = await lanczosOn(separatedLowEnd(n, kappa), rotated);
              // The bulk's top eigenvalues are only 0.12% apart at n = 1000, so λmax may land on its neighbour.
              assert.ok(relative(r.lambdaMax, kappa) < 2e-3, `λmax ${r.lambdaMax}`);
              assert.ok(relative(r.lambdaMin, 1) < 1e-2, `λmin ${r.lambdaMin} ± ${r.residualMin}`);
            });
          }
        }
      }
    }

    it('stops early with zero residuals once the Krylov space is exhausted (n = 10)', async () => {
      const r = await lanczosOn([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], true);
      assert.ok(r.iterations <= 10 && r.converged);
      assert.ok(relative(r.lambdaMin, 1) < 1e-4 && relative(r.lambdaMax, 10) < 1e-4);
    });

    it('power iteration finds a separated λmax with its residual', async () => {
      const d = [...geometric(199, 50), 100];
      const x = tf.zeros([200]) as tf.Tensor1D;
      const r = await powerIteration(hessianOperator(quadratic(d, true), x), 200, { maxIterations: 60 });
      x.dispose();
      assert.ok(relative(r.lambda, 100) < 1e-3, `λ ${r.lambda}`);
      assert.ok(r.residual <= 1e-3 * 100 * 1.0001);
    });

    it('is reproducible: the same seed (the default 0 included) gives the same estimate', async () => {
      const a = await lanczosOn(geometric(300, 1e3), true);
      const b = await lanczosOn(geometric(300, 1e3), true);
      assert.deepEqual([b.lambdaMin, b.lambdaMax, b.residualMin, b.iterations], [a.lambdaMin, a.lambdaMax, a.residualMin, a.iterations]);
    });

    it('is right when the operator multiplies by v as a matMul\'s right operand (a dense matrix)', async () => {
      // On wasm, matMul caches its right operand per buffer whatever its shape: the basis must not share v's.
      const n = 40;
      const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.fround(Math.cos(i * j + i + j))));
      const a = tf.tensor2d(rows);
      const r = lanczos(onArrays((v) => tf.tidy(() => tf.reshape(tf.matMul(a, tf.reshape(v, [-1, 1])), [-1]) as tf.Tensor1D)), n);
      a.dispose();
      const exact = symmetricEigen(rows).values;
      assert.ok(relative(r.lambdaMax, exact[n - 1]) < 1e-4 && relative(r.lambdaMin, exact[0]) < 1e-4, `[${r.lambdaMin}, ${r.lambdaMax}] vs [${exact[0]}, ${exact[n - 1]}]`);
    });

    it('leaks no tensors', async () => {
      const before = tf.memory().numTensors;
      await lanczosOn(geometric(200, 100), true);
      assert.equal(tf.memory().numTensors, before);
    });
  });
});
