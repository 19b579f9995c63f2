import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { updateRatio } from '../../../src/protocol/stepDiagnostics';
import { selectBackend } from '../../../src/runner/backend';
import { parseCommand, type RunCommand } from '../../../src/runner/cliArgs';
import { RunRecorder } from '../../../src/runner/runRecorder';
import { createRng, mixSeed, permutation } from '../../../src/runner/rng';
import { toColumns } from '../../../src/runner/runFiles/stepColumns';
import { GAUGE_ROWS } from '../../fixtures/objectives/gaugeBatches';
import { REGRESSION_ROWS } from '../../fixtures/objectives/diagnostics';
import { fixture, runInProcess } from './runInProcess';

const file = fixture('diagnostics.ts');

/** twoTensors' gradient: a₀ + b₀, 4a₁ for a; 2b₀ + a₀, 3b₁, 9b₂ for b (its Hessian is constant). */
const gradient = ([a0, a1, b0, b1, b2]: number[]) => [a0 + b0, 4 * a1, 2 * b0 + a0, 3 * b1, 9 * b2];
const hessianTimes = (v: number[]) => gradient(v);
const norm = (v: number[]) => Math.hypot(...v);
const dot = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * v[i], 0);

/** Gradient descent by hand in float64: per step the tensors' norms and, for the update, α = η·gᵀHg/gᵀg − 1. */
function byHand(lr: number, steps: number) {
  let x = [1, 0.5, 0.3, -0.2, 0.1];
  const rows: { grad: number[]; param: number[]; update: number[]; alpha: number }[] = [];
  for (let k = 0; k < steps; k++) {
    const g = gradient(x);
    const next = x.map((xi, i) => xi - lr * g[i]);
    const d = next.map((v, i) => v - x[i]);
    const split = (v: number[]) => [norm(v.slice(0, 2)), norm(v.slice(2))];
    rows.push({ grad: split(g), param: split(x), update: split(d), alpha: (lr * dot(g, hessianTimes(g))) / dot(g, g) - 1 });
    x = next;
  }
  return rows;
}

/** The samples of update k: the runner's seeded permutation per epoch (seed 0; src/runner/dataset.ts), cut into batches. */
function batchOf(k: number, size: number, batchSize: number): number[] {
  const perEpoch = Math.ceil(size / batchSize);
  const order = permutation(size, createRng(mixSeed(mixSeed(0, 2), Math.floor(k / perEpoch))));
  return order.slice((k % perEpoch) * batchSize, (k % perEpoch + 1) * batchSize);
}

/**
 * SGD by hand in float64 on ½·mean over the batch of (a·x − y)²: along update k the loss on its own batch B is
 * the quadratic with H = A_BᵀA_B/|B|, so α_k = η·gᵀHg/gᵀg − 1 exactly (Cockpit's α of a gradient step).
 */
function gaugesByHand(rows: readonly { a: number[]; y: number }[], batchSize: number, x0: number[], lr: number, steps: number): number[] {
  let x = x0;
  const alphas: number[] = [];
  for (let k = 0; k < steps; k++) {
    const batch = batchOf(k, rows.length, batchSize).map((i) => rows[i]);
    const g = [0, 1, 2].map((j) => batch.reduce((s, r) => s + (dot(r.a, x) - r.y) * r.a[j], 0) / batch.length);
    const hg = [0, 1, 2].map((j) => batch.reduce((s, r) => s + dot(r.a, g) * r.a[j], 0) / batch.length);
    alphas.push((lr * dot(g, hg)) / dot(g, g) - 1);
    x = x.map((xi, j) => xi - lr * g[j]);
  }
  return alphas;
}

const close = (a: number, b: number, rtol: number, what: string) => assert.ok(Math.abs(a - b) <= rtol * Math.max(Math.abs(b), 1e-6), `${what}: ${a} vs ${b}`);

describe('per-step diagnostics on step records (issue 21)', function () {
  this.timeout(120_000);

  for (const compile of [true, false]) {
    it(`two tensors: per-tensor norms and the gauge equal gradient descent by hand (${compile ? 'compiled' : 'tensors'})`, async () => {
      const lr = 0.15;
      const r = await runInProcess({ file, objective: 'twoTensors', optimizer: { id: 'sgd', lr }, steps: 12, stepDiagnostics: true, compile });
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.meta?.compute?.path, compile ? 'compiled' : 'tensors');
      assert.deepEqual(r.meta?.tensors, [{ name: 'a', size: 2 }, { name: 'b', size: 3 }]);
      const expected = byHand(lr, 12);
      assert.equal(r.steps.length, 12);
      for (const s of r.steps) {
        const want = expected[s.step];
        assert.ok(s.tensors, `step ${s.step} has per-tensor norms`);
        for (const k of [0, 1]) {
          close(s.tensors.grad[k], want.grad[k], 1e-5, `step ${s.step} ‖∇‖ of tensor ${k}`);
          close(s.tensors.param[k], want.param[k], 1e-5, `step ${s.step} ‖θ‖ of tensor ${k}`);
          close(s.tensors.update[k], want.update[k], 1e-4, `step ${s.step} ‖Δθ‖ of tensor ${k}`);
          close(updateRatio(s.tensors, k) ?? NaN, want.update[k] / want.param[k], 1e-4, `step ${s.step} ratio of tensor ${k}`);
        }
        // Both tensors' norms make the record's own global norms.
        close(Math.hypot(...s.tensors.grad), s.gradNorm, 1e-5, 'global ‖∇f‖');
        close(Math.hypot(...s.tensors.update), s.updateNorm, 1e-4, 'global ‖Δx‖');
        if (s.step === 0) {
          assert.equal(s.gauge, undefined, 'no update arrives at x₀');
          continue;
        }
        assert.ok(s.gauge && s.gauge.alpha !== null, `step ${s.step} has the gauge of update ${s.step - 1}`);
        assert.ok(Math.abs(s.gauge.alpha - expected[s.step - 1].alpha) < 5e-3, `α of update ${s.step - 1}: ${s.gauge.alpha} vs ${expected[s.step - 1].alpha}`);
        assert.equal(s.gauge.shape, 'convex');
        assert.equal(s.gauge.sameBatch, true);
        assert.ok((s.gauge.misfit ?? 1) < 1e-2, `misfit ${s.gauge.misfit}: the loss is quadratic along every step`);
      }
      assert.equal(r.leaked, 0);
    });
  }

  it('off unless asked (or a standard/full preset): records keep their old shape', async () => {
    const r = await runInProcess({ file, objective: 'twoTensors', optimizer: { id: 'sgd', lr: 0.1 }, steps: 5 });
    assert.equal(r.meta?.tensors, undefined);
    assert.ok(r.steps.every((s) => s.tensors === undefined && s.gauge === undefined));
  });

  for (const compile of [true, false]) {
    it(`mini-batches of one: the gauge of update k is on its own sample, α = η‖a_k‖² − 1 (${compile ? 'compiled' : 'tensors'})`, async () => {
      const lr = 0.05;
      const r = await runInProcess({ file, objective: 'regression', optimizer: { id: 'sgd', lr }, steps: 20, stepDiagnostics: true, compile });
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.meta?.compute?.path, compile ? 'compiled' : 'tensors');
      assert.equal(r.meta?.tensors, undefined);
      const gauged = r.steps.filter((s) => s.gauge);
      // 20 updates, the last one's record never comes: 19 gauges, each on its update's own sample.
      assert.deepEqual(gauged.map((s) => s.step), Array.from({ length: 19 }, (_, i) => i + 1));
      for (const s of gauged) {
        const [sample] = batchOf(s.step - 1, REGRESSION_ROWS.length, 1);
        const a = REGRESSION_ROWS[sample].a;
        const want = lr * dot(a, a) - 1;
        assert.ok(s.gauge?.alpha !== null && s.gauge?.alpha !== undefined);
        close(s.gauge.alpha, want, 1e-4, `α of update ${s.step - 1} (sample ${sample})`);
        assert.equal(s.gauge.sameBatch, true);
        assert.equal(s.tensors, undefined);
      }
      assert.equal(r.leaked, 0);
    });
  }

  it('mini-batches of four: α equals SGD by hand on each update\'s own batch, not the next one\'s', async () => {
    const lr = 0.2;
    const steps = 9;
    const r = await runInProcess({ file: fixture('gaugeBatches.ts'), objective: 'batchesOfFour', optimizer: { id: 'sgd', lr }, steps, stepDiagnostics: true });
    assert.equal(r.error, undefined, r.error?.message);
    const want = gaugesByHand(GAUGE_ROWS, 4, [0.5, -0.4, 0.1], lr, steps);
    const gauged = r.steps.filter((s) => s.gauge);
    assert.equal(gauged.length, steps - 1);
    for (const s of gauged) {
      close(s.gauge?.alpha ?? NaN, want[s.step - 1], 1e-3, `α of update ${s.step - 1}`);
      assert.equal(s.gauge?.sameBatch, true);
      assert.equal(s.gauge?.shape, 'convex');
      assert.ok((s.gauge?.misfit ?? 1) < 1e-2, `misfit ${s.gauge?.misfit}: quadratic along the step on its batch`);
    }
    // The batches differ enough that the next batch's far end would have given other values.
    assert.ok(Math.max(...want) - Math.min(...want) > 0.05, `hand values ${want.map((a) => a.toFixed(3)).join(' ')}`);
    assert.equal(r.leaked, 0);
  });

  it('on tensors a measured step reads nothing back beyond what the loop reads anyway (same reads with and without them)', async () => {
    const reads = async (stepDiagnostics: boolean): Promise<number> => {
      await selectBackend('cpu');
      const backend = tf.backend() as unknown as { readSync(dataId: unknown): unknown };
      const readSync = backend.readSync.bind(backend);
      let count = 0;
      backend.readSync = (dataId) => {
        count += 1;
        return readSync(dataId);
      };
      try {
        const r = await runInProcess({ file, objective: 'twoTensors', optimizer: { id: 'adam', lr: 0.05 }, steps: 30, stepDiagnostics, compile: false });
        assert.equal(r.meta?.compute?.path, 'tensors');
        assert.equal(r.steps.filter((s) => s.tensors).length, stepDiagnostics ? 30 : 0);
      } finally {
        backend.readSync = readSync;
      }
      return count;
    };
    const without = await reads(false);
    assert.ok(without > 30, `the loop itself reads every step (${without})`);
    assert.equal(await reads(true), without);
  });

  it('a long run measures every ⌈steps/1000⌉-th step; the --json record keeps the norms, the gauges and the tensor names', async () => {
    const r = await runInProcess({ file, objective: 'twoTensors', optimizer: { id: 'sgd', lr: 0.05 }, steps: 2500, stepDiagnostics: true });
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.steps.filter((s) => s.tensors).map((s) => s.step), Array.from({ length: 834 }, (_, i) => 3 * i));
    // The gauge of update k (k a multiple of 3) is on record k + 1.
    assert.deepEqual(r.steps.filter((s) => s.gauge).map((s) => s.step), Array.from({ length: 833 }, (_, i) => 3 * i + 1));
    const recorder = new RunRecorder();
    if (r.meta) recorder.onStarted(r.meta);
    recorder.onSteps(r.steps);
    if (!r.done) throw new Error('the run did not finish');
    const json = recorder.record({ kind: 'done', done: r.done }, { file, optimizer: 'sgd', seed: 0, maximize: false });
    assert.deepEqual(json.tensors, [{ name: 'a', size: 2 }, { name: 'b', size: 3 }]);
    assert.deepEqual(json.steps[3].tensors, r.steps[3].tensors);
    assert.deepEqual(json.steps[4].gauge, r.steps[4].gauge);
    assert.equal(json.steps[1].tensors, undefined);
    // A saved run keeps such records whole (columns hold only the plain fields).
    assert.equal(toColumns(r.steps), undefined);
  });

  it('--step-diagnostics asks for them on the command line', () => {
    assert.equal((parseCommand(['run', 'f.ts', '--step-diagnostics']) as RunCommand).stepDiagnostics, true);
    assert.equal((parseCommand(['run', 'f.ts']) as RunCommand).stepDiagnostics, undefined);
  });
});
