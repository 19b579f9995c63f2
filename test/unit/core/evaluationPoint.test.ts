import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayObjective } from '../../../src/core/arrays/contracts';
import { minimizeArrays } from '../../../src/core/arrays/minimizeArrays';
import { evaluatorOf } from '../../../src/core/evaluate';
import { minimize } from '../../../src/core/minimize';
import type { MinimizeResult, StepMetrics } from '../../../src/core/loopRecords';
import { createOptimizer } from '../../../src/core/optimizers/registry';
import type { OptimizerRule } from '../../../src/core/rules/optimizerRule';
import { ruleFactory } from '../../../src/core/rules/ruleFactory';
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

/** f and a ⊙ x in float32 on plain arrays (NaN from update `nanFrom` on, to make a run diverge). */
function arrayObjective(nanFrom = Infinity): ArrayObjective & { calls: number } {
  const objective = {
    size: A.length,
    calls: 0,
    valueAndGrad(x: Float32Array, step: number, gradOut: Float32Array): number {
      objective.calls++;
      x.forEach((v, i) => (gradOut[i] = Math.fround(A[i] * v)));
      return step >= nanFrom ? NaN : f(Array.from(x));
    },
  };
  return objective;
}

async function runArrays(nanFrom = Infinity) {
  const objective = arrayObjective(nanFrom);
  const records: StepMetrics[] = [];
  const optimizer = createOptimizer('schedule-free-sgd', {}).arrays;
  assert.ok(optimizer?.evaluationPoint, 'schedule-free-sgd compiles, with its evaluation point');
  const result = await minimizeArrays({
    objective, x0: Float32Array.from(Y0), optimizer, schedule: constantSchedule(LR), steps: STEPS, recordParams: true,
    onMetrics: (batch) => records.push(...batch),
  });
  return { records, result, calls: objective.calls };
}

async function run(withLossOnly: boolean, nanFrom = Infinity): Promise<{ records: StepMetrics[]; result: MinimizeResult; params: number[]; calls: { evaluate: number; loss: number } }> {
  const fn = (x: tf.Tensor1D) => tf.tidy(() => tf.sum(tf.mul(tf.tensor1d(A), tf.square(x))).mul(0.5) as tf.Scalar);
  const finite = evaluatorOf(fn);
  // From update `nanFrom` on the loss is NaN (also at x): the run diverges there.
  const evaluate = (x: tf.Tensor1D, step: number) => {
    const ev = finite(x);
    if (step < nanFrom) return ev;
    ev.loss.dispose();
    return { loss: tf.scalar(NaN), grad: ev.grad };
  };
  const calls = { evaluate: 0, loss: 0 };
  const records: StepMetrics[] = [];
  const x0 = tf.tensor1d(Y0);
  const result = await minimize({
    evaluate: (x, step) => (calls.evaluate++, evaluate(x, step)),
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
    it('a rule whose evaluation point is computed anew runs on tensors and says why', () => {
      // SGD with a running average a of its iterates, judged at 2a − θ: not a state tensor as it is.
      const rule: OptimizerRule<{ a: tf.Tensor }> = {
        defaults: { lr: 0.1 },
        init: (param) => ({ a: param.clone() }),
        update: (grad, state, param, hp) => {
          const next = param.sub(grad.mul(hp.lr));
          return { param: next, state: { a: state.a.add(next).mul(0.5) } };
        },
        evaluationPoint: (state, param) => state.a.mul(2).sub(param),
      };
      const before = tf.memory().numTensors;
      const optimizer = ruleFactory('extrapolated', rule).create({}, [{ name: 'w', shape: [2] }]);
      assert.equal(tf.memory().numTensors, before, 'tensors leaked while compiling');
      assert.equal(optimizer.arrays, undefined);
      assert.match(optimizer.arraysUnavailable ?? '', /evaluationPoint compiles only when it returns one of the state tensors/);
      assert.equal(typeof optimizer.evaluationPoint, 'function');
    });

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

    it('a diverged run returns the last healthy record\'s x', async () => {
      const before = tf.memory().numTensors;
      const { records, result, params } = await run(false, 3);
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      assert.equal(result.status, 'diverged');
      assert.equal(result.divergedAt, 3);
      assert.equal(records.length, 3);
      expectClose(params, paperSequences(2).xs[2]);
    });
  });

  describe('on plain arrays (minimizeArrays, the compiled rule)', () => {
    it('records losses and parameters at x, gradients at y, and returns x', async () => {
      const { records, result, calls } = await runArrays();
      const { ys, xs } = paperSequences(STEPS);
      assert.equal(records.length, STEPS);
      records.forEach((r, k) => {
        expectClose([r.loss], [f(xs[k])]);
        expectClose(r.params ?? [], xs[k]);
        expectClose([r.gradNorm], [Math.hypot(...ys[k].map((yi, i) => A[i] * yi))]);
      });
      expectClose(Array.from(result.params), xs[STEPS]);
      expectClose([result.final.loss], [f(xs[STEPS])]);
      assert.equal(result.evals, STEPS + 1);
      assert.equal(calls, 2 * STEPS + 1, 'one more objective call per step, at x');
    });

    it('a diverged run returns the last healthy record\'s x', async () => {
      const { records, result } = await runArrays(3);
      assert.equal(result.status, 'diverged');
      assert.equal(result.divergedAt, 3);
      assert.equal(records.length, 3);
      expectClose(Array.from(result.params), paperSequences(2).xs[2]);
    });
  });
});
