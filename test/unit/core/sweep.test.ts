import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { evaluatorOf } from '../../../src/core/evaluate';
import { minimize } from '../../../src/core/minimize';
import { createOptimizer } from '../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../src/core/schedule';
import { sweep, type SweepMetrics } from '../../../src/core/sweep';
import { rosenbrock } from '../../../src/core/testFunctions';
import type { HpRecord } from '../../../src/core/hyperparams';
import { forEachBackend } from '../helpers/backends';

const LRS = [1e-3, 3e-3, 1e-2, 3e-2];
const STEPS = 150;

/** One ordinary run: its per-step losses, final loss and parameters. */
async function single(n: number, id: string, hp: HpRecord, lr: number, steps = STEPS) {
  const fn = rosenbrock(n);
  const x0 = tf.tensor1d([...fn.x0]);
  const losses: number[] = [];
  const r = await minimize({
    evaluate: evaluatorOf(fn.f),
    x0,
    optimizer: createOptimizer(id, hp),
    schedule: constantSchedule(lr),
    steps,
    onMetrics: (b) => losses.push(...b.map((m) => m.loss)),
  });
  const params = Array.from(await r.params.data());
  tf.dispose([r.params, x0]);
  return { losses, final: r.final.loss, params };
}

describe('batched learning-rate sweeps', () => {
  forEachBackend(() => {
    for (const [id, hp] of [
      ['adam', {}],
      ['sgd', { momentum: 0.9 }],
      // Any elementwise built-in: its rule runs on the matrix (amsgrad, plain-number state, a branch on the step).
      ['adamw', { amsgrad: true }],
      ['nadam', {}],
      ['sgd', { momentum: 0.5, dampening: 0.2, weight_decay: 0.01 }],
    ] as const) {
      it(`${id} ${JSON.stringify(hp)}: every row follows its own run (rosenbrock n = 4), leak-free`, async () => {
        const fn = rosenbrock(4);
        const x0 = tf.tensor1d([...fn.x0]);
        const before = tf.memory().numTensors;
        const batches: SweepMetrics[] = [];
        const result = await sweep({
          f: fn.fBatch!,
          x0,
          lrs: id === 'sgd' ? LRS.map((l) => l / 1000) : LRS,
          optimizer: id,
          hp,
          steps: STEPS,
          onMetrics: (b) => batches.push(...b),
        });
        assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
        assert.equal(result.stepsDone, STEPS);
        assert.deepEqual(batches.map((b) => b.step), Array.from({ length: STEPS }, (_, s) => s));
        for (const [j, run] of result.runs.entries()) {
          const ref = await single(4, id, hp, run.lr);
          const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
          for (let s = 0; s < STEPS; s++) assert.ok(rel(batches[s].losses[j], ref.losses[s]) <= 1e-6, `lr ${run.lr} step ${s}: ${batches[s].losses[j]} vs ${ref.losses[s]}`);
          assert.ok(rel(run.final.loss, ref.final) <= 1e-6, `lr ${run.lr} final: ${run.final.loss} vs ${ref.final}`);
          run.params.forEach((p, i) => assert.ok(Math.abs(p - ref.params[i]) <= 1e-6 * Math.max(1, Math.abs(ref.params[i]))));
          assert.equal(run.divergedAt, undefined);
        }
        x0.dispose();
      });
    }

    it('a diverging lr is flagged without disturbing the others', async () => {
      const fn = rosenbrock(2);
      const x0 = tf.tensor1d([...fn.x0]);
      const result = await sweep({ f: fn.fBatch!, x0, lrs: [1e-4, 1], optimizer: 'sgd', steps: 50 });
      assert.ok(result.runs[1].divergedAt !== undefined && result.runs[1].divergedAt < 50);
      assert.equal(result.runs[0].divergedAt, undefined);
      const ref = await single(2, 'sgd', {}, 1e-4, 50);
      const got = result.runs[0].final.loss;
      assert.ok(Math.abs(got - ref.final) <= 1e-6 * ref.final, `${got} vs ${ref.final}`);
      x0.dispose();
    });

    it('rejects what it cannot batch', async () => {
      const fn = rosenbrock(2);
      const x0 = tf.tensor1d([...fn.x0]);
      await assert.rejects(sweep({ f: fn.fBatch!, x0, lrs: [0.1], optimizer: 'lbfgs', steps: 1 }), /elementwise built-ins/);
      await assert.rejects(sweep({ f: fn.fBatch!, x0, lrs: [0.1], optimizer: 'adam', hp: { betas: [0.9, 1] }, steps: 1 }), /betas/);
      await assert.rejects(sweep({ f: fn.fBatch!, x0, lrs: [], optimizer: 'adam', steps: 1 }), /at least one/);
      x0.dispose();
    });
  });
});
