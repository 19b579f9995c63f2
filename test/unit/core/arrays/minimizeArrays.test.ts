import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayObjective, ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import { minimizeArrays, type MinimizeArraysOptions } from '../../../../src/core/arrays/minimizeArrays';
import { evaluatorOf } from '../../../../src/core/evaluate';
import { minimize } from '../../../../src/core/minimize';
import type { MinimizeResult, StepMetrics } from '../../../../src/core/loopRecords';
import type { Optimizer, OptimizerState } from '../../../../src/core/optimizer';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { constantSchedule, type Schedule } from '../../../../src/core/schedule';
import { plateauSchedule } from '../../../../src/core/schedules/plateauSchedule';
import { stepSchedule } from '../../../../src/core/schedules/stepSchedule';
import { illConditionedQuadratic } from '../../../../src/core/testFunctions';
import { selectBackend } from '../../../../src/runner/backend';
import { tfArrayObjective } from '../../helpers/arrayTrace';

/** x ← x − lr·g with ‖Δx‖² from the same pass, written here so the loop is tested apart from the optimizer library. */
const plainGd: ArrayOptimizer = {
  init: () => undefined,
  update: ({ params, paramsOut, grad, lr }) => {
    let updateNormSq = 0;
    for (let i = 0; i < params.length; i++) {
      paramsOut[i] = params[i] - lr * grad[i];
      updateNormSq += (paramsOut[i] - params[i]) ** 2;
    }
    return { updateNormSq, extraEvals: 0 };
  },
};

/** The same rule on tensors, for comparing the two loops. */
const plainGdTensor: Optimizer<OptimizerState> = {
  id: 'test-gd',
  hp: {},
  init: () => ({}),
  update: ({ params, grad, lr }, state) => ({ params: tf.tidy(() => params.sub(grad.mul(lr))) as tf.Tensor1D, state, extraEvals: 0 }),
  disposeState: () => undefined,
};

const D = [1, 10, 100];
const X0 = [1, -2, 0.5];

/** f = ½ Σ d_i x_i², ∇f = d ∘ x: an ill-conditioned quadratic with its gradient by hand. `badAt` makes the loss NaN at that step. */
function quadratic(options: { badAt?: number; infGradAt?: number; steps?: number[] } = {}): ArrayObjective {
  return {
    size: D.length,
    valueAndGrad: (x, step, gradOut) => {
      options.steps?.push(step);
      let f = 0;
      for (let i = 0; i < D.length; i++) {
        gradOut[i] = D[i] * x[i];
        f += 0.5 * D[i] * x[i] * x[i];
      }
      if (step === options.infGradAt) gradOut[1] = Infinity;
      return step === options.badAt ? NaN : f;
    },
  };
}

/** The GD iterates and losses for given per-step lrs, computed apart from the loop (same float32 rounding). */
function referenceRun(lrs: readonly number[]): { xs: number[][]; losses: number[] } {
  const xs = [Array.from(Float32Array.from(X0))];
  const losses: number[] = [];
  for (const lr of lrs) {
    const x = xs[xs.length - 1];
    losses.push(x.reduce((f, xi, i) => f + 0.5 * D[i] * xi * xi, 0));
    xs.push(x.map((xi, i) => Math.fround(xi - lr * Math.fround(D[i] * xi))));
  }
  return { xs, losses };
}

function run(options: Partial<MinimizeArraysOptions> & { steps: number }) {
  const records: StepMetrics[] = [];
  const promise = minimizeArrays({
    objective: quadratic(), x0: Float32Array.from(X0), optimizer: plainGd, schedule: constantSchedule(0.01),
    onMetrics: (batch) => records.push(...batch),
    ...options,
  });
  return promise.then((result) => ({ result, records }));
}

function close(a: number, b: number, rel: number, what: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
}

describe('minimizeArrays (the plain-JS training loop)', () => {
  it('records loss, gradient norm, update norm, lr and evaluations before each update, with a step schedule changed mid-run', async () => {
    const x0 = Float32Array.from(X0);
    let scale = 1;
    const steps = 12;
    // The loop asks the schedule for every update's lr (the runner's mid-run lr is a schedule around the run's).
    const base = stepSchedule(0.01, { step_size: 3, gamma: 0.5 });
    const { result, records } = await run({
      x0, steps, schedule: { ...base, lrAt: (k: number) => base.lrAt(k) * scale }, recordParams: true,
      // The user doubles the lr after update 4: updates 5.. use it.
      afterStep: (k) => {
        if (k === 4) scale = 2;
      },
    });
    const lrs = Array.from({ length: steps }, (_, k) => 0.01 * 0.5 ** Math.floor(k / 3) * (k > 4 ? 2 : 1));
    const ref = referenceRun(lrs);
    assert.deepEqual(records.map((r) => r.step), [...Array(steps).keys()]);
    assert.deepEqual(records.map((r) => r.lr), lrs);
    assert.deepEqual(records.map((r) => r.evals), records.map((r) => r.step + 1));
    assert.deepEqual(records.map((r) => r.loss), ref.losses);
    assert.deepEqual(records.map((r) => r.params), ref.xs.slice(0, steps));
    records.forEach((r, k) => {
      const g = ref.xs[k].map((xi, i) => Math.fround(D[i] * xi));
      close(r.gradNorm, Math.hypot(...g), 1e-12, `gradNorm at ${k}`);
      close(r.updateNorm, Math.hypot(...ref.xs[k + 1].map((v, i) => v - ref.xs[k][i])), 1e-12, `updateNorm at ${k}`);
      assert.ok(r.wallMs >= 0 && r.wallMs <= result.wallMs);
    });
    assert.equal(result.status, 'completed');
    assert.equal(result.divergedAt, undefined);
    assert.equal(result.stepsDone, steps);
    // The final point is measured after the last update: one more evaluation.
    assert.equal(result.evals, steps + 1);
    assert.deepEqual(Array.from(result.params), ref.xs[steps]);
    assert.equal(result.final.loss, referenceRun([...lrs, 0]).losses[steps]);
    assert.deepEqual(Array.from(x0), Array.from(Float32Array.from(X0)), 'x0 is not written');
  });

  it("counts the optimizer's extra evaluations, made at the same step", async () => {
    const seenSteps: number[] = [];
    // A line search's shape: two more evaluations at the new point per update.
    const searching: ArrayOptimizer = {
      init: () => undefined,
      update: (input, state) => {
        const r = plainGd.update(input, state);
        const g = new Float32Array(input.grad.length);
        input.evaluate(input.paramsOut, g);
        input.evaluate(input.paramsOut, g);
        return { ...r, extraEvals: 2, info: { trials: input.step } };
      },
    };
    const { result, records } = await run({ steps: 5, optimizer: searching, objective: quadratic({ steps: seenSteps }) });
    assert.deepEqual(records.map((r) => r.evals), [1, 4, 7, 10, 13]);
    assert.equal(result.evals, 16);
    assert.deepEqual(seenSteps, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5]);
    assert.deepEqual(result.info, { trials: 4 });
  });

  it('stops at the first NaN loss, keeping every earlier record and returning the last good parameters', async () => {
    const full = await run({ steps: 8, recordParams: true });
    const { result, records } = await run({ steps: 8, recordParams: true, objective: quadratic({ badAt: 5 }) });
    assert.equal(result.status, 'diverged');
    assert.equal(result.divergedAt, 5);
    assert.equal(result.stepsDone, 5);
    assert.deepEqual(records, full.records.slice(0, 5).map((r, k) => ({ ...r, wallMs: records[k].wallMs })));
    assert.deepEqual(Array.from(result.params), records[4].params);
    assert.deepEqual(result.final, { loss: records[4].loss, gradNorm: records[4].gradNorm });
    assert.equal(result.evals, 6);
  });

  it('stops at the first infinite gradient the same way', async () => {
    const { result, records } = await run({ steps: 8, recordParams: true, objective: quadratic({ infGradAt: 3 }) });
    assert.equal(result.status, 'diverged');
    assert.equal(result.divergedAt, 3);
    assert.equal(records.length, 3);
    assert.deepEqual(Array.from(result.params), records[2].params);
    assert.equal(result.final.gradNorm, records[2].gradNorm);
  });

  it('returns x0 and a NaN final point when the very first loss is NaN', async () => {
    const { result, records } = await run({ steps: 8, objective: quadratic({ badAt: 0 }) });
    assert.equal(result.status, 'diverged');
    assert.equal(result.divergedAt, 0);
    assert.equal(result.stepsDone, 0);
    assert.equal(records.length, 0);
    assert.deepEqual(Array.from(result.params), Array.from(Float32Array.from(X0)));
    assert.ok(Number.isNaN(result.final.loss) && Number.isNaN(result.final.gradNorm));
  });

  it('reports divergence found by the final evaluation as minimize does (divergedAt = steps, every record kept)', async () => {
    const { result, records } = await run({ steps: 4, objective: quadratic({ badAt: 4 }) });
    assert.equal(result.status, 'diverged');
    assert.equal(result.divergedAt, 4);
    assert.equal(result.stepsDone, 4);
    assert.equal(records.length, 4);
    assert.ok(Number.isNaN(result.final.loss));
  });

  it('stops when cancelled, measuring the final point where it stopped', async () => {
    let calls = 0;
    const full = await run({ steps: 11, recordParams: true });
    const { result, records } = await run({ steps: 1_000_000, isCancelled: () => ++calls > 10 });
    assert.equal(result.status, 'cancelled');
    assert.equal(result.stepsDone, 10);
    assert.equal(records.length, 10);
    assert.equal(result.evals, 11);
    assert.deepEqual(Array.from(result.params), full.records[10].params);
    assert.equal(result.final.loss, full.records[10].loss);
  });

  it('yields to the event loop, so a cancel set by a callback is seen', async () => {
    let cancelled = false;
    setImmediate(() => {
      cancelled = true;
    });
    // Enough steps for a few seconds without yielding (no records kept, so memory stays flat).
    const steps = 3e7;
    const { result } = await run({ steps, flushIntervalMs: 0, isCancelled: () => cancelled, onMetrics: undefined });
    assert.equal(result.status, 'cancelled');
    assert.ok(result.stepsDone < steps);
  });

  it('ends with time-limit when the wall-clock limit passes', async () => {
    const steps = 3e7;
    const { result } = await run({ steps, timeLimitMs: 1, onMetrics: undefined });
    assert.equal(result.status, 'time-limit');
    assert.ok(result.stepsDone < steps);
  });

  it('feeds a plateau schedule every loss in order before the next lr is needed', async () => {
    // A loss that stops improving at step 4: the plateau schedule must cut the lr (patience 1) twice or more.
    const stalling: ArrayObjective = {
      size: 1,
      valueAndGrad: (x, step, g) => {
        g[0] = 1;
        return Math.max(10 - step, 6);
      },
    };
    const args = { patience: 1, factor: 0.5 };
    const { result, records } = await run({
      steps: 12, objective: stalling, x0: Float32Array.from([0]), schedule: plateauSchedule(0.1, args),
    });
    assert.equal(result.status, 'completed');
    const replay = plateauSchedule(0.1, args);
    const expected = records.map((r) => {
      const lr = replay.lrAt(r.step);
      replay.observe(r.step, r.loss);
      return lr;
    });
    assert.deepEqual(records.map((r) => r.lr), expected);
    assert.ok(new Set(expected).size >= 3, `lr was cut at least twice: ${expected}`);
  });

  it('copies the parameters into each record only with recordParams', async () => {
    const plain = await run({ steps: 5 });
    const withParams = await run({ steps: 5, recordParams: true });
    assert.ok(plain.records.every((r) => !('params' in r)));
    assert.deepEqual(withParams.records.map((r) => r.params), referenceRun(Array(5).fill(0.01)).xs.slice(0, 5));
  });

  it('lets transformGradient rewrite the gradient in place while records report the raw gradient norm', async () => {
    const maxNorm = 0.1;
    const calls: [number, number][] = [];
    const clip = (g: Float32Array, step: number, lr: number) => {
      calls.push([step, lr]);
      const norm = Math.hypot(...g);
      if (norm > maxNorm) g.forEach((v, i) => (g[i] = (v * maxNorm) / norm));
    };
    const raw = await run({ steps: 1 });
    const { records } = await run({ steps: 6, transformGradient: clip });
    assert.deepEqual(calls, records.map((r) => [r.step, r.lr]));
    assert.equal(records[0].gradNorm, raw.records[0].gradNorm);
    records.forEach((r) => {
      assert.ok(r.gradNorm > maxNorm, 'the raw gradient is reported');
      close(r.updateNorm, r.lr * maxNorm, 1e-4, `clipped update at ${r.step}`);
    });
  });

  it('calls afterStep after each update, in order, with the new parameters', async () => {
    const seen: { step: number; x: number[] }[] = [];
    const { result, records } = await run({ steps: 6, recordParams: true, afterStep: (step, x) => void seen.push({ step, x: Array.from(x) }) });
    assert.deepEqual(seen.map((s) => s.step), [0, 1, 2, 3, 4, 5]);
    seen.slice(0, 5).forEach((s) => assert.deepEqual(s.x, records[s.step + 1].params));
    assert.deepEqual(seen[5].x, Array.from(result.params));
  });

  it('awaits an async afterStep before the next step, only at steps afterStepDue names', async () => {
    const events: string[] = [];
    const { records } = await run({
      steps: 9,
      objective: { size: 3, valueAndGrad: (x, step, g) => (events.push(`eval ${step}`), quadratic().valueAndGrad(x, step, g)) },
      afterStepDue: (step) => step % 3 === 1,
      afterStep: async (step) => {
        events.push(`hook ${step} start`);
        await new Promise((resolve) => setImmediate(resolve));
        events.push(`hook ${step} end`);
      },
    });
    assert.equal(records.length, 9);
    const hooks = events.filter((e) => e.startsWith('hook'));
    assert.deepEqual(hooks, ['hook 1 start', 'hook 1 end', 'hook 4 start', 'hook 4 end', 'hook 7 start', 'hook 7 end']);
    for (const k of [1, 4, 7]) assert.equal(events[events.indexOf(`hook ${k} end`) + 1], `eval ${k + 1}`);
  });

  it('hands over every record once, in step order, however often it flushes', async () => {
    const batches: number[][] = [];
    await minimizeArrays({
      objective: quadratic(), x0: Float32Array.from(X0), optimizer: plainGd, schedule: constantSchedule(0.01), steps: 300,
      flushIntervalMs: 0, onMetrics: (b) => batches.push(b.map((r) => r.step)),
    });
    assert.ok(batches.length > 1);
    assert.deepEqual(batches.flat(), [...Array(300).keys()]);
  });

  it('rejects x0 of the wrong size', async () => {
    await assert.rejects(run({ steps: 1, x0: Float32Array.from([1, 2]) }), /x0 has 2 entries; the objective expects 3/);
  });

  describe('through minimize (the tensor objective and optimizer on the same loop, cpu backend)', () => {
    before(async () => {
      const choice = await selectBackend('cpu');
      if (choice.backend !== 'cpu') throw new Error('could not switch to cpu');
    });

    const fn = illConditionedQuadratic(6, 100);

    /**
     * The same rule written on tensors (through minimize's adapters) and on arrays, on fn.f: records and results
     * compared. The loop itself is held to hand-computed references above.
     */
    async function compare(
      tensorOptimizer: Optimizer,
      arrayOptimizer: ArrayOptimizer,
      schedule: () => Schedule,
      steps: number,
      f: (x: tf.Tensor1D) => tf.Scalar = fn.f,
      x0: readonly number[] = fn.x0,
    ): Promise<{ tensor: MinimizeResult; array: Awaited<ReturnType<typeof minimizeArrays>>; records: StepMetrics[] }> {
      const before = tf.memory().numTensors;
      const tensorRecords: StepMetrics[] = [];
      const arrayRecords: StepMetrics[] = [];
      const xt = tf.tensor1d([...x0]);
      const tensor = await minimize({
        evaluate: evaluatorOf(f), x0: xt, optimizer: tensorOptimizer, schedule: schedule(), steps,
        onMetrics: (b) => tensorRecords.push(...b),
      });
      const tensorParams = Array.from(await tensor.params.data());
      tf.dispose([xt, tensor.params]);
      const array = await minimizeArrays({
        objective: tfArrayObjective(f, x0.length), x0: Float32Array.from(x0), optimizer: arrayOptimizer, schedule: schedule(), steps,
        onMetrics: (b) => arrayRecords.push(...b),
      });
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      assert.equal(arrayRecords.length, tensorRecords.length, 'record count');
      arrayRecords.forEach((a, k) => {
        const t = tensorRecords[k];
        assert.deepEqual([a.step, a.lr, a.evals], [t.step, t.lr, t.evals], `step, lr, evals of record ${k}`);
        close(a.loss, t.loss, 1e-5, `loss at ${k}`);
        close(a.gradNorm, t.gradNorm, 1e-5, `gradNorm at ${k}`);
        close(a.updateNorm, t.updateNorm, 1e-4, `updateNorm at ${k}`);
      });
      assert.deepEqual(
        [array.status, array.divergedAt, array.stepsDone],
        [tensor.status, tensor.divergedAt, tensor.stepsDone],
        'status, divergedAt, stepsDone',
      );
      // Both stop at a divergence before its update: the evaluation that found it is the last.
      assert.equal(array.evals, tensor.evals, 'evals');
      if (array.status === 'diverged') assert.equal(array.evals, (array.divergedAt ?? NaN) + 1, 'evals at a divergence');
      Array.from(array.params).forEach((v, i) => close(v, tensorParams[i], 1e-5, `params[${i}]`));
      close(array.final.loss, tensor.final.loss, 1e-5, 'final loss');
      close(array.final.gradNorm, tensor.final.gradNorm, 1e-5, 'final gradNorm');
      return { tensor, array, records: arrayRecords };
    }

    it('plain GD with a step schedule: same records and result', async () => {
      const { array } = await compare(plainGdTensor, plainGd, () => stepSchedule(0.015, { step_size: 10, gamma: 0.7 }), 40);
      assert.equal(array.status, 'completed');
    });

    it('plain GD with a plateau schedule: same lr cuts', async () => {
      const { records } = await compare(plainGdTensor, plainGd, () => plateauSchedule(0.015, { patience: 1, threshold: 0.3, factor: 0.5 }), 40);
      assert.ok(new Set(records.map((r) => r.lr)).size >= 2, 'the plateau schedule cut the lr');
    });

    it('plain GD diverging (lr 3 on ½x²): same divergence step, records and returned parameters', async () => {
      const half = (x: tf.Tensor1D) => tf.sum(tf.square(x)).mul(0.5) as tf.Scalar;
      const { array } = await compare(plainGdTensor, plainGd, () => constantSchedule(3), 1000, half, [1]);
      assert.equal(array.status, 'diverged');
      assert.ok(array.divergedAt !== undefined && array.divergedAt > 10);
    });

    it('L-BFGS (line-search evaluations counted): same records and result', async () => {
      const lbfgs = createOptimizer('lbfgs', { line_search_fn: 'strong_wolfe' });
      if (!lbfgs.arrays) throw new Error('lbfgs has no array form');
      const { records } = await compare(lbfgs, lbfgs.arrays, () => constantSchedule(1), 8);
      assert.ok(records.some((r, k) => k > 0 && r.evals - records[k - 1].evals > 1), 'the line search made extra evaluations');
    });
  });
});
