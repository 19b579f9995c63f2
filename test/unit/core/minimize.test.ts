import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { minimize } from '../../../src/core/minimize';
import type { StepMetrics } from '../../../src/core/loopRecords';
import { evaluatorOf } from '../../../src/core/evaluate';
import { constantSchedule } from '../../../src/core/schedule';
import type { Optimizer, OptimizerState } from '../../../src/core/optimizer';
import { forEachBackend } from '../helpers/backends';

/** x ← x − lr·g, written out here so the loop is tested apart from the optimizer library. */
const plainGd: Optimizer<OptimizerState> = {
  id: 'test-gd',
  hp: {},
  init: () => ({}),
  update: ({ params, grad, lr }, state) => ({
    params: tf.tidy(() => params.sub(grad.mul(lr))) as tf.Tensor1D,
    state,
    extraEvals: 0,
  }),
  disposeState: () => undefined,
};

const quadratic = evaluatorOf((x) => tf.sum(tf.square(x)).mul(0.5) as tf.Scalar);

describe('minimize (the training loop)', () => {
  forEachBackend(() => {
    it('records the loss before each update and the final point after the last', async () => {
      const x0 = tf.tensor1d([2, -4]);
      const seen: StepMetrics[] = [];
      const result = await minimize({
        evaluate: quadratic, x0, optimizer: plainGd, schedule: constantSchedule(0.5), steps: 3,
        onMetrics: (b) => seen.push(...b),
      });
      // f = ½|x|², x_{k+1} = ½ x_k: losses 10, 2.5, 0.625; final 0.15625.
      assert.deepEqual(seen.map((s) => s.step), [0, 1, 2]);
      assert.deepEqual(seen.map((s) => s.loss), [10, 2.5, 0.625]);
      assert.deepEqual(seen.map((s) => s.evals), [1, 2, 3]);
      assert.ok(Math.abs(seen[0].gradNorm - Math.sqrt(20)) < 1e-5);
      assert.ok(Math.abs(seen[0].updateNorm - Math.sqrt(20) / 2) < 1e-5);
      assert.equal(result.status, 'completed');
      assert.equal(result.final.loss, 0.15625);
      assert.deepEqual(Array.from(await result.params.data()), [0.25, -0.5]);
      result.params.dispose();
      x0.dispose();
    });

    it('stops at the first non-finite loss and keeps every earlier step', async () => {
      const x0 = tf.tensor1d([1]);
      const seen: StepMetrics[] = [];
      // lr 3 on ½x² multiplies x by −2 each step: float32 overflows near step 128.
      const result = await minimize({
        evaluate: quadratic, x0, optimizer: plainGd, schedule: constantSchedule(3), steps: 1000,
        onMetrics: (b) => seen.push(...b),
      });
      assert.equal(result.status, 'diverged');
      assert.ok(result.divergedAt !== undefined && result.divergedAt > 50 && result.divergedAt < 200);
      assert.equal(seen.length, result.divergedAt);
      assert.ok(seen.every((s) => Number.isFinite(s.loss)));
      assert.ok(Number.isFinite(result.final.loss));
      result.params.dispose();
      x0.dispose();
    });

    it('reads exactly the loss, gradient and new parameters per step, recordParams adding no read', async () => {
      const x0 = tf.tensor1d([2, -4]);
      const proto = tf.Tensor.prototype as unknown as { data: (...a: unknown[]) => Promise<unknown>; dataSync: (...a: unknown[]) => unknown };
      const [data, dataSync] = [proto.data, proto.dataSync];
      const reads = { data: 0, dataSync: 0 };
      proto.data = function (this: tf.Tensor, ...a: unknown[]) {
        reads.data++;
        return data.apply(this, a);
      };
      proto.dataSync = function (this: tf.Tensor, ...a: unknown[]) {
        reads.dataSync++;
        return dataSync.apply(this, a);
      };
      const run = async (recordParams: boolean) => {
        reads.data = reads.dataSync = 0;
        const seen: StepMetrics[] = [];
        const before = tf.memory().numTensors;
        const result = await minimize({
          evaluate: quadratic, x0, optimizer: plainGd, schedule: constantSchedule(0.5), steps: 200,
          flushIntervalMs: 1e9, recordParams, onMetrics: (b) => seen.push(...b),
        });
        result.params.dispose();
        assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
        return { seen, reads: { ...reads } };
      };
      try {
        const plain = await run(false);
        const withParams = await run(true);
        // The one loop runs on arrays (every backend keeps tensors in CPU memory): each of the 200 steps reads its
        // loss and gradient and the update's parameters; x0 and the final point's loss and gradient make 3 more.
        // The records' parameters are the loop's own arrays: no read of their own.
        assert.deepEqual(withParams.reads, plain.reads);
        assert.deepEqual(plain.reads, { data: 0, dataSync: 3 * 200 + 3 });
        assert.ok(plain.seen.every((s) => s.params === undefined));
        // x_k = ½^k · (2, −4): the k-th record is measured before the k-th update.
        assert.equal(withParams.seen.length, 200);
        withParams.seen.slice(0, 30).forEach((s, k) => {
          assert.deepEqual(s.params, [2 * 0.5 ** k, -4 * 0.5 ** k], `params at step ${k}`);
        });
      } finally {
        proto.data = data;
        proto.dataSync = dataSync;
        x0.dispose();
      }
    });

    it('measures norms on the backend for a long vector: the same records, no leak', async () => {
      // n = 5000 is past the length where the adapters sum norms with tensor kernels instead of JS passes.
      const n = 5000;
      const x0 = tf.fill([n], 2) as tf.Tensor1D;
      const before = tf.memory().numTensors;
      const seen: StepMetrics[] = [];
      const result = await minimize({
        evaluate: quadratic, x0, optimizer: plainGd, schedule: constantSchedule(0.5), steps: 3, onMetrics: (b) => seen.push(...b),
      });
      // x_k = 2·½^k in every coordinate: ‖g_k‖ = ‖x_k‖ = 2·√n·½^k and the update is half of it.
      seen.forEach((s, k) => {
        const gradNorm = 2 * Math.sqrt(n) * 0.5 ** k;
        assert.ok(Math.abs(s.gradNorm / gradNorm - 1) < 1e-6, `gradNorm at ${k}: ${s.gradNorm}`);
        assert.ok(Math.abs(s.updateNorm / (gradNorm / 2) - 1) < 1e-6, `updateNorm at ${k}: ${s.updateNorm}`);
      });
      assert.ok(Math.abs(result.final.gradNorm / (2 * Math.sqrt(n) * 0.125) - 1) < 1e-6);
      result.params.dispose();
      assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
      x0.dispose();
    });

    it('leaks no tensors over 1,000 steps', async () => {
      const x0 = tf.tensor1d([1, 2, 3]);
      const before = tf.memory().numTensors;
      const result = await minimize({ evaluate: quadratic, x0, optimizer: plainGd, schedule: constantSchedule(0.01), steps: 1000 });
      result.params.dispose();
      assert.equal(tf.memory().numTensors, before);
      x0.dispose();
    });

    it('stops promptly when cancelled', async () => {
      const x0 = tf.tensor1d([1]);
      let calls = 0;
      const result = await minimize({
        evaluate: quadratic, x0, optimizer: plainGd, schedule: constantSchedule(0.1), steps: 1_000_000,
        isCancelled: () => ++calls > 10,
      });
      assert.equal(result.status, 'cancelled');
      assert.equal(result.stepsDone, 10);
      result.params.dispose();
      x0.dispose();
    });
  });
});
