import { strict as assert } from 'node:assert';
import { REGRESSION_ROWS } from '../../fixtures/objectives/diagnostics';
import { fixture, runInProcess } from './runInProcess';

const file = fixture('diagnostics.ts');
const close = (a: number | null | undefined, b: number, rtol: number, what: string) =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= rtol * Math.abs(b), `${what}: ${a} vs ${b}`);

/** Adam by hand in float64 on the diagonal bowl: after t updates, max dᵢ/Pᵢ with P = (1 − β₁ᵗ)(√v̂ + ε). */
function adamPreconditionedSharpness(steps: number, lr: number): number {
  const d = [1, 2, 3, 4, 5];
  const x = [1, -1, 0.5, 2, -0.3];
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const m = d.map(() => 0);
  const v = d.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    d.forEach((di, i) => {
      const g = di * x[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      x[i] -= (lr / (1 - b1 ** t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps);
    });
  }
  return Math.max(...d.map((di, i) => di / ((1 - b1 ** steps) * (Math.sqrt(v[i] / (1 - b2 ** steps)) + eps))));
}

describe('runner diagnostics (issue 21)', function () {
  this.timeout(120_000);

  for (const compile of [true, false]) {
    it(`gradient descent with momentum: sharpness λmax = 5 against 2(1 + μ)/lr (${compile ? 'compiled' : 'tensors'})`, async () => {
      const r = await runInProcess({ file, objective: 'bowl', optimizer: { id: 'sgd', lr: 0.1, hp: { momentum: 0.5 } }, steps: 4, curvatureEvery: 2, compile });
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.curvature.length, 3);
      for (const s of r.curvature) {
        close(s.sharpness, 5, 1e-4, 'sharpness');
        close(s.sharpnessLimit, (2 * 1.5) / 0.1, 1e-9, 'limit');
        assert.equal(s.preconditionedLambdaMax, undefined);
      }
      assert.equal(r.leaked, 0);
    });

    it(`adam: λmax(P⁻¹H) from its second moment against 38/lr (${compile ? 'compiled' : 'tensors'})`, async () => {
      const lr = 0.01;
      const r = await runInProcess({ file, objective: 'bowl', optimizer: { id: 'adam', lr }, steps: 10, curvatureEvery: 5, compile });
      assert.equal(r.error, undefined, r.error?.message);
      const [first, middle, last] = r.curvature;
      assert.equal(first.sharpnessLimit, null, 'no second moment before the first update');
      assert.match(first.sharpnessLimitNote ?? '', /before the first update/);
      close(middle.preconditionedLambdaMax, adamPreconditionedSharpness(5, lr), 1e-3, 'step 5');
      close(last.preconditionedLambdaMax, adamPreconditionedSharpness(10, lr), 1e-3, 'final point');
      close(last.sharpnessLimit, 38 / lr, 1e-9, 'limit');
      assert.equal(r.leaked, 0);
    });
  }

  it('adam: the final sample, taken after the loop freed the state, still has P (read before it was freed)', async () => {
    for (const compile of [true, false]) {
      const r = await runInProcess({ file, objective: 'bowl', optimizer: { id: 'adam', lr: 0.01 }, steps: 7, curvatureEvery: 5, compile });
      assert.deepEqual(r.curvature.map((c) => c.step), [0, 5, 7]);
      close(r.curvature[2].preconditionedLambdaMax, adamPreconditionedSharpness(7, 0.01), 1e-3, `final point (${compile ? 'compiled' : 'tensors'})`);
      assert.equal(r.leaked, 0);
    }
  });

  it('an optimizer without a stated limit says so', async () => {
    const r = await runInProcess({ file, objective: 'bowl', optimizer: { id: 'lion', lr: 0.01 }, steps: 2, curvatureEvery: 2 });
    assert.equal(r.curvature[0].sharpnessLimit, null);
    assert.match(r.curvature[0].sharpnessLimitNote ?? '', /no stability limit/);
  });

  it('--spectrum: exact trace and density of the bowl (n ≤ the probes cost), with the cost share', async () => {
    const r = await runInProcess({ file, objective: 'bowl', optimizer: { id: 'sgd', lr: 0.1 }, steps: 2, curvatureEvery: 2, spectrum: true });
    const s = r.curvature[0];
    assert.equal(s.traceMethod, 'exact');
    close(s.trace, 15, 1e-5, 'trace');
    assert.deepEqual(s.density?.nodes.map((x) => Math.round(x * 1e4) / 1e4), [1, 2, 3, 4, 5]);
    assert.ok(s.costShare !== undefined && s.costShare > 0 && s.costShare <= 1);
  });

  it('--diagnostics full: λmax and trace of each named tensor\'s diagonal block', async () => {
    const r = await runInProcess({ file, objective: 'twoTensors', optimizer: { id: 'sgd', lr: 0.01 }, steps: 1, curvatureEvery: 1, diagnostics: 'full' });
    assert.equal(r.error, undefined, r.error?.message);
    const blocks = r.curvature[0].blocks ?? [];
    assert.deepEqual(blocks.map((b) => [b.name, b.size]), [['a', 2], ['b', 3]]);
    close(blocks[0].lambdaMax, 4, 1e-4, 'λmax of a');
    close(blocks[1].lambdaMax, 9, 1e-4, 'λmax of b');
    for (const [b, trace] of [[blocks[0], 5], [blocks[1], 14]] as const) {
      assert.ok(Math.abs(b.trace - trace) <= 3 * b.traceStdErr + 1e-5, `${b.name}: trace ${b.trace} ± ${b.traceStdErr} vs ${trace}`);
    }
    assert.equal(r.leaked, 0);
  });

  it('--diagnostics standard: the gradient-noise scale of linear regression in closed form (single-sample batches over the data set)', async () => {
    const r = await runInProcess({ file, objective: 'regression', optimizer: { id: 'sgd', lr: 0.01 }, steps: 1, curvatureEvery: 1, diagnostics: 'standard' });
    assert.equal(r.error, undefined, r.error?.message);
    // Closed form at init x0: per-sample gradients aᵢ(aᵢ·x0 − yᵢ), Σ with divisor N, g their mean.
    const x0 = [0.2, -0.1, 0.4];
    const grads = REGRESSION_ROWS.map(({ a, y }) => a.map((aj) => aj * (a.reduce((s, ak, k) => s + ak * x0[k], 0) - y)));
    const mean = [0, 1, 2].map((j) => grads.reduce((s, g) => s + g[j], 0) / grads.length);
    const trace = grads.reduce((s, g) => s + g.reduce((t, v, j) => t + (v - mean[j]) ** 2, 0), 0) / grads.length;
    const normSq = mean.reduce((s, v) => s + v * v, 0);
    const noise = r.curvature[0].gradientNoise;
    assert.ok(noise, JSON.stringify(r.curvature[0]));
    close(noise.traceCovariance, trace, 1e-4, 'tr Σ');
    close(noise.gradNormSq, normSq, 1e-3, '|g|²');
    close(noise.noiseScale, trace / normSq, 1e-3, 'B_simple');
    close(noise.snr, normSq / trace, 1e-3, 'SNR at B = 1');
    assert.ok((noise.noiseScaleStdErr ?? 0) > 0);
    assert.equal(r.leaked, 0);
  });
});
