import { strict as assert } from 'node:assert';
import { updateRatio } from '../../../src/protocol/stepDiagnostics';
import { parseCommand, type RunCommand } from '../../../src/runner/cliArgs';
import { RunRecorder } from '../../../src/runner/runRecorder';
import { toColumns } from '../../../src/runner/runFiles/stepColumns';
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

  it('one tensor: the gauge only (no per-tensor arrays); a mini-batch objective says its ends saw different batches', async () => {
    const r = await runInProcess({ file, objective: 'regression', optimizer: { id: 'sgd', lr: 0.05 }, steps: 6, stepDiagnostics: true });
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.meta?.tensors, undefined);
    const gauged = r.steps.filter((s) => s.gauge);
    assert.equal(gauged.length, 5);
    assert.ok(gauged.every((s) => s.gauge?.sameBatch === false && s.tensors === undefined));
    assert.equal(r.leaked, 0);
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
