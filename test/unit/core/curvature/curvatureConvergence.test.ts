import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { estimateCurvature } from '../../../../src/core/curvature/estimateCurvature';
import { lanczos } from '../../../../src/core/curvature/lanczos';
import { forEachBackend } from '../../helpers/backends';
import { geometric, quadratic } from './quadratics';

/**
 * Lanczos iterates until both ends meet their tolerance or the Krylov space is exhausted, and when a cap
 * (iterations, time, memory) stops it first, the sample says "not converged" and gives κ only as a bound.
 * The seed that showed the fault: a rotated quadratic, n = 300, κ = 1e4, its smallest eigenvalue 1
 * separated from the rest; 80 iterations reported λmin = 10.1 ± 13 and κ ≈ 987.
 */
const N = 300;
const KAPPA = 1e4;
/** 1, then 299 values spread over [100, 1e4]: λmin separated from the bulk, which is dense at its low end. */
const spectrum = [1, ...geometric(N - 1, 100).map((l) => l * 100)];
const ctx = { gradNorm: 0, lr: 1e-4, step: 0 };
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('curvature: Lanczos ends converge, or the sample says they did not', () => {
  forEachBackend(() => {
    it('n = 300, κ = 1e4, separated λmin: both ends and κ right (the seed that reported κ≈987)', async () => {
      const x = tf.zeros([N]) as tf.Tensor1D;
      const sample = await estimateCurvature(quadratic(spectrum, true), x, ctx, { method: 'lanczos', budgetMs: Infinity });
      x.dispose();
      assert.equal(sample.converged, true, `stopped by ${sample.stoppedBy} after ${sample.iterations}`);
      assert.ok(relative(sample.lambdaMax, KAPPA) < 1e-3, `λmax ${sample.lambdaMax}`);
      assert.ok(relative(sample.lambdaMin, 1) < 1e-2, `λmin ${sample.lambdaMin} ± ${sample.residualMin}`);
      assert.ok(sample.condition !== null && relative(sample.condition, KAPPA) < 1e-2, `κ ${sample.condition}`);
      assert.equal(sample.conditionLowerBound, undefined);
    });

    it('stopped by its iteration cap: not converged, κ null and a lower bound at or below the true κ', async () => {
      const x = tf.zeros([N]) as tf.Tensor1D;
      const sample = await estimateCurvature(quadratic(spectrum, true), x, ctx, { method: 'lanczos', maxIterations: 20, budgetMs: Infinity });
      x.dispose();
      assert.equal(sample.converged, false);
      assert.equal(sample.stoppedBy, 'iterations');
      assert.equal(sample.iterations, 20);
      assert.equal(sample.condition, null);
      const bound = sample.conditionLowerBound as number;
      // Ritz values lie inside the spectrum: θmax/θmin ≤ λmax/λmin (up to float32 rounding of the ends).
      assert.ok(bound > 1 && bound <= KAPPA * (1 + 1e-4), `κ ≥ ${bound}`);
      assert.ok(relative(bound, sample.lambdaMax / sample.lambdaMin) < 1e-12);
    });

    it('stopped by its time budget or its memory: says which, and never claims convergence', () => {
      const d = geometric(2000, 1e6);
      const apply = (v: Float32Array, out: Float32Array) => d.forEach((di, i) => (out[i] = di * v[i]));
      const timed = lanczos(apply, d.length, { budgetMs: 0 });
      assert.deepEqual([timed.stoppedBy, timed.converged, timed.iterations], ['time', false, 1]);
      // Room for 10 vectors of 2000 float32 values (plus the refinement's two): the cap is 10 iterations.
      const small = lanczos(apply, d.length, { budgetMs: Infinity, memoryBytes: 12 * 4 * 2000 });
      assert.deepEqual([small.stoppedBy, small.converged, small.iterations], ['memory', false, 10]);
    });

    it('exhausts the Krylov space when nothing stops it: exact ends at n iterations on a hard spectrum', () => {
      const d = geometric(120, 1e6);
      const apply = (v: Float32Array, out: Float32Array) => d.forEach((di, i) => (out[i] = di * v[i]));
      const r = lanczos(apply, d.length, { budgetMs: Infinity, tol: 0 });
      assert.equal(r.stoppedBy, 'exhausted');
      assert.ok(r.converged && r.iterations <= d.length);
      assert.ok(relative(r.lambdaMax, 1e6) < 1e-4, `λmax ${r.lambdaMax}`);
      // float32 resolves λmin to about 1e-5·λmax in absolute terms: 1 ± 10 here, and the residual says so.
      assert.ok(Math.abs(r.lambdaMin - 1) <= r.residualMin + 1e-5 * 1e6, `λmin ${r.lambdaMin} ± ${r.residualMin}`);
    });
  });
});
