import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runMetaSchema } from '../../../src/protocol/runner';
import { EXAMPLES, runInProcess } from './runInProcess';

// Rosenbrock f(a, b) = (1 − a)² + 100(b − a²)², ∇f = (−2(1 − a) − 400a(b − a²), 200(b − a²)), from (−1.2, 1).
const f = ([a, b]: number[]) => (1 - a) ** 2 + 100 * (b - a * a) ** 2;
const grad = ([a, b]: number[]) => [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)];
const LR = 1e-3;
const STEPS = 20;

/** Schedule-free SGD from the paper in float64 (β 0.9, equal averaging weights so c_t = 1/t): x_t and y_t, t = 0..steps. */
function paper(): { xs: number[][]; ys: number[][] } {
  let [y, z, x] = [[-1.2, 1], [-1.2, 1], [-1.2, 1]];
  const xs = [x];
  const ys = [y];
  for (let t = 1; t <= STEPS; t++) {
    const g = grad(y);
    z = z.map((zi, i) => zi - LR * g[i]);
    x = x.map((xi, i) => (1 - 1 / t) * xi + z[i] / t);
    y = z.map((zi, i) => 0.1 * zi + 0.9 * x[i]);
    xs.push(x);
    ys.push(y);
  }
  return { xs, ys };
}

const closeTo = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

describe('a schedule-free run reports its losses at x', function () {
  this.timeout(60_000);

  for (const compile of [true, false]) {
    it(`steps, path and final point are at the average x, and the run says so (${compile ? 'compiled' : 'on tensors'})`, async () => {
      const r = await runInProcess({ file: path.join(EXAMPLES, 'rosenbrock.ts'), optimizer: { id: 'schedule-free-sgd', lr: LR }, steps: STEPS, compile });
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.leaked, 0);
      const meta = runMetaSchema.parse(r.meta);
      assert.equal(meta.lossAt, 'evaluation point x (gradients taken at y)');
      assert.equal(meta.compute?.path, compile ? 'compiled' : 'tensors');
      const { xs, ys } = paper();
      assert.equal(r.steps.length, STEPS);
      r.steps.forEach((s, k) => {
        closeTo(s.loss, f(xs[k]), `loss of record ${k}`);
        (s.params ?? []).forEach((v, i) => closeTo(v, xs[k][i], `params of record ${k}`));
        closeTo(s.gradNorm, Math.hypot(...grad(ys[k])), `gradient norm of record ${k} (at y)`);
      });
      // x and y have parted by far more than the tolerance: records at y could not pass.
      const apart = Math.max(...xs[STEPS].map((v, i) => Math.abs(v - ys[STEPS][i])));
      assert.ok(apart > 1e-3, `x and y only ${apart} apart`);
      xs[STEPS].forEach((v, i) => closeTo(r.done?.final.params[i] ?? NaN, v, 'final params'));
      closeTo(r.done?.final.loss ?? NaN, f(xs[STEPS]), 'final loss');
      assert.equal(r.done?.evals, STEPS + 1);
    });
  }

  it('a run without an evaluation point says nothing about where its loss is', async () => {
    const r = await runInProcess({ file: path.join(EXAMPLES, 'rosenbrock.ts'), optimizer: { id: 'adamw', lr: LR }, steps: 3 });
    assert.equal(r.meta?.lossAt, undefined);
  });
});
