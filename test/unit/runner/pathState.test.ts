import { strict as assert } from 'node:assert';
import { pathStateSchema, pathStateStride } from '../../../src/protocol/pathState';
import { stepRecordSchema } from '../../../src/protocol/runner';
import { EXAMPLES, runInProcess } from './runInProcess';

const rosenGrad = (x: number, y: number): [number, number] => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
const close = (a: number, b: number, rel = 1e-4): boolean => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

describe('path state on step records (replay)', function () {
  this.timeout(60_000);

  it('compiled run: every record of a 2-parameter run carries the raw gradient at its params', async () => {
    const r = await runInProcess({ file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'adam', lr: 0.01 }, steps: 30 });
    assert.equal(r.meta?.compute?.path, 'compiled');
    for (const s of r.steps) {
      const [x, y] = s.params ?? [];
      const g = rosenGrad(x, y);
      assert.ok(s.state && close(s.state.grad[0], g[0]) && close(s.state.grad[1], g[1]), `step ${s.step}: ${JSON.stringify(s.state)} vs ${g}`);
      assert.equal(s.state.moment, undefined, 'no optimizer vectors unless asked');
      assert.equal(stepRecordSchema.safeParse(s).success, true);
    }
  });

  it('pathState: Adam\'s first moment and effective step, checked against Adam in float64 from the recorded gradients', async () => {
    const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const r = await runInProcess({ file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'adam', lr }, steps: 40, pathState: true });
    assert.equal(r.leaked, 0);
    assert.equal(r.meta?.compute?.path, 'tensors');
    assert.equal(r.steps.length, 40);
    const m = [0, 0], v = [0, 0];
    r.steps.forEach((s, k) => {
      assert.ok(pathStateSchema.safeParse(s.state).success);
      const g = s.state?.grad ?? [];
      const [x, y] = s.params ?? [];
      const exact = rosenGrad(x, y);
      assert.ok(close(g[0], exact[0]) && close(g[1], exact[1]), `gradient at step ${k}`);
      for (let i = 0; i < 2; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      }
      assert.equal(s.state?.momentKey, 'exp_avg');
      s.state?.moment?.forEach((mi, i) => assert.ok(close(mi, m[i], 1e-3), `m[${i}] at step ${k}: ${mi} vs ${m[i]}`));
      const t = k + 1;
      const eff = m.map((mi, i) => (lr * (mi / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps));
      s.state?.effectiveStep?.forEach((e, i) => assert.ok(close(e, eff[i], 1e-3), `effective step[${i}] at step ${k}: ${e} vs ${eff[i]}`));
      // The effective step is the step taken (no weight decay): x_{k+1} = x_k − effective step.
      const next = r.steps[k + 1]?.params;
      if (next) s.state?.effectiveStep?.forEach((e, i) => assert.ok(Math.abs(next[i] - ((s.params ?? [])[i] - e)) < 1e-5));
    });
    assert.ok(r.steps.every((s) => s.state?.moment && s.state.effectiveStep), 'every record below the stride carries the vectors');
  });

  it('the stride thins the vectors to about PATH_STATE_POINTS records', () => {
    assert.equal(pathStateStride(100), 1);
    assert.equal(pathStateStride(2000), 1);
    assert.equal(pathStateStride(2001), 2);
    assert.equal(pathStateStride(1_000_000), 500);
  });
});
