import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { evaluatorOf } from '../../../src/core/evaluate';
import { minimize, type MinimizeResult, type StepMetrics } from '../../../src/core/minimize';
import { createOptimizer } from '../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../src/core/schedule';
import { forEachBackend } from '../helpers/backends';
import { expectClose } from '../helpers/stepOptimizer';

// f(y) = ½ Σ aᵢyᵢ², g = a ⊙ y. Schedule-free SGD, lr 0.1, β 0.9, weight_lr_power 2, r 0: c_t = 1/t (equal weights).
const A = [1, 3];
const Y0 = [1, -2];
const LR = 0.1;
const STEPS = 5;
const f = (x: readonly number[]) => 0.5 * x.reduce((s, xi, i) => s + A[i] * xi * xi, 0);

/** The paper's y_t and x_t (t = 0..steps) in float64: z ← z − γg(y); x ← (1 − 1/t)x + z/t; y ← 0.1z + 0.9x. */
function paperSequences(steps: number): { ys: number[][]; xs: number[][] } {
  let [y, z, x] = [Y0, Y0, Y0];
  const ys = [y];
  const xs = [x];
  for (let t = 1; t <= steps; t++) {
    const g = y.map((yi, i) => A[i] * yi);
    z = z.map((zi, i) => zi - LR * g[i]);
    x = x.map((xi, i) => (1 - 1 / t) * xi + z[i] / t);
    y = z.map((zi, i) => 0.1 * zi + 0.9 * x[i]);
    ys.push(y);
    xs.push(x);
  }
  return { ys, xs };
}

async function run(withLossOnly: boolean): Promise<{ records: StepMetrics[]; result: MinimizeResult; params: number[]; calls: { evaluate: number; loss: number } }> {
  const fn = (x: tf.Tensor1D) => tf.tidy(() => tf.sum(tf.mul(tf.tensor1d(A), tf.square(x))).mul(0.5) as tf.Scalar);
  const evaluate = evaluatorOf(fn);
  const calls = { evaluate: 0, loss: 0 };
  const records: StepMetrics[] = [];
  const x0 = tf.tensor1d(Y0);
  const result = await minimize({
    evaluate: (x) => (calls.evaluate++, evaluate(x)),
    ...(withLossOnly ? { loss: (x: tf.Tensor1D) => (calls.loss++, fn(x)) } : {}),
    x0,
    optimizer: createOptimizer('schedule-free-sgd', {}),
    schedule: constantSchedule(LR),
    steps: STEPS,
    recordParams: true,
    onMetrics: (batch) => records.push(...batch),
  });
  x0.dispose();
  const params = Array.from(await result.params.data());
  result.params.dispose();
  return { records, result, params, calls };
}

describe('minimize at an optimizer\'s evaluation point (schedule-free x)', () => {
  forEachBackend(() => {
    for (const withLossOnly of [false, true]) {
      it(`records losses and parameters at x, gradients at y, and returns x (${withLossOnly ? 'loss-only option' : 'loss from evaluate'})`, async () => {
        const before = tf.memory().numTensors;
        const { records, result, params, calls } = await run(withLossOnly);
        assert.equal(tf.memory().numTensors, before, 'tensors leaked');
        const { ys, xs } = paperSequences(STEPS);
        assert.equal(records.length, STEPS);
        records.forEach((r, k) => {
          expectClose([r.loss], [f(xs[k])]);
          expectClose(r.params ?? [], xs[k]);
          // The gradient is the one the update used: at y.
          expectClose([r.gradNorm], [Math.hypot(...ys[k].map((yi, i) => A[i] * yi))]);
        });
        // From step 2 on x and y differ enough that a record at y could not pass.
        assert.ok(Math.abs(f(xs[3]) - f(ys[3])) > 1e-3 * f(xs[3]));
        expectClose(params, xs[STEPS]);
        expectClose([result.final.loss], [f(xs[STEPS])]);
        // One gradient evaluation per step plus the final one; the losses at x are not counted.
        assert.equal(result.evals, STEPS + 1);
        assert.deepEqual(calls, withLossOnly ? { evaluate: STEPS + 1, loss: STEPS } : { evaluate: 2 * STEPS + 1, loss: 0 });
      });
    }
  });
});
