import { strict as assert } from 'node:assert';
import { fixture, runInProcess } from './runInProcess';

/**
 * Maximising is applied once (src/core/maximize.ts), on both paths: these runs check every sign against
 * closed forms rather than one path against the other, so a negation missing or applied twice on either
 * path (objective, compiled program, line search, Hessian-vector product, curvature) fails here.
 *
 * hill = −(x − 1)² − 4(y + 2)², from (0, 0): gradient ascent with lr 0.1 gives x_k − 1 = −0.8^k and
 * y_k + 2 = 2·0.2^k, and the records carry the minimised −f(x_k) = 0.64^k + 16·0.04^k.
 */
const hill = { file: fixture('curvature.ts'), objective: 'hill', landscape: false };
const closeTo = (got: number, want: number, what: string, rtol = 1e-4, atol = 1e-6) =>
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want) + atol, `${what}: ${got} vs ${want}`);

describe('maximize: one sign, checked against closed forms on each path', function () {
  this.timeout(120_000);

  for (const compile of [true, false]) {
    const path = compile ? 'compiled' : 'tensors';

    it(`${path}: ascent climbs as the closed form says, records −f, and curvature reports f's maximum`, async () => {
      const steps = 60;
      const r = await runInProcess({ ...hill, optimizer: { id: 'sgd', lr: 0.1, maximize: true }, steps, curvatureEvery: 30, compile });
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.meta?.compute?.path, path);
      assert.equal(r.steps.length, steps);
      r.steps.forEach((s, k) => closeTo(s.loss, 0.64 ** k + 16 * 0.04 ** k, `loss at step ${k}`));
      closeTo(r.done?.final.loss ?? NaN, 0.64 ** steps + 16 * 0.04 ** steps, 'final loss');
      const [x, y] = r.done?.final.params ?? [];
      closeTo(x, 1 - 0.8 ** steps, 'x');
      closeTo(y, -2 + 2 * 0.2 ** steps, 'y');
      // Curvature of f (not of −f): H = diag(−2, −8), and ascent ends on the maximum.
      assert.deepEqual(r.curvature.map((c) => c.step), [0, 30, 60]);
      for (const c of r.curvature) {
        closeTo(c.lambdaMax, -2, `λmax at ${c.step}`);
        closeTo(c.lambdaMin, -8, `λmin at ${c.step}`);
      }
      assert.equal(r.curvature[2].classification, 'maximum');
      assert.equal(r.leaked, 0);
    });

    it(`${path}: L-BFGS's line search climbs to the maximum (1, −2)`, async () => {
      const r = await runInProcess({ ...hill, optimizer: { id: 'lbfgs', lr: 1, hp: { line_search_fn: 'strong_wolfe' }, maximize: true }, steps: 10, compile });
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.meta?.compute?.path, path);
      const [x, y] = r.done?.final.params ?? [];
      closeTo(x, 1, 'x', 0, 1e-4);
      closeTo(y, -2, 'y', 0, 1e-4);
      closeTo(r.steps[0].loss, 17, 'loss at the start (−f(0, 0))');
      assert.equal(r.leaked, 0);
    });
  }

  it('tensors: Newton\'s Hessian-vector products carry the sign (one undamped step lands on the maximum)', async () => {
    const r = await runInProcess({ ...hill, optimizer: { id: 'newton', lr: 1, maximize: true }, steps: 2 });
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.meta?.compute?.path, 'tensors');
    // H of −f is diag(2, 8), positive definite: no damping; with the sign lost Newton would damp and miss.
    closeTo(r.steps[0].loss, 17, 'loss at the start');
    closeTo(r.steps[1].loss, 0, 'loss after one step', 0, 1e-6);
    const [x, y] = r.done?.final.params ?? [];
    closeTo(x, 1, 'x', 0, 1e-5);
    closeTo(y, -2, 'y', 0, 1e-5);
    assert.equal(r.leaked, 0);
  });
});
